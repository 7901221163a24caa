/**
 * The tenant scope every repository query takes. `storeIds: null` means every store of the corp; a store
 * manager's or staff member's scope lists their store only, so scoping is enforced where data is read.
 */
export type Scope = { readonly corpId: string; readonly storeIds: readonly string[] | null };

export function corpScope(corpId: string): Scope {
  return { corpId, storeIds: null };
}

/** Mongo filter fragment for documents that carry a single `storeId`. */
export function storeFilter(scope: Scope, field = 'storeId'): Record<string, unknown> {
  return scope.storeIds === null ? {} : { [field]: { $in: scope.storeIds } };
}

export function canSeeStore(scope: Scope, storeId: string | null | undefined): boolean {
  return scope.storeIds === null || (storeId != null && scope.storeIds.includes(storeId));
}
