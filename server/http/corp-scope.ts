/**
 * Which corp a request is about: the `corpId` query parameter, else the token's corp, else the only corp.
 * A deployment with several corps requires the parameter from the bootstrap admin.
 */
import { z } from 'zod';
import { BadRequestError, NotFoundError, UnauthenticatedError } from '../errors.ts';
import { scopeFor, type Principal } from '../shared/principal.ts';

/** The corp lookups scope resolution needs (the org module's face has them). */
export type CorpLookup = { org: { corpExists(corpId: string): Promise<boolean>; listCorps(): Promise<Array<{ corpId: string }>> } };
import type { Scope } from '../shared/scope.ts';

export const corpIdQuery = { corpId: z.string().min(1).max(64).optional() };

export async function resolveCorpId(principal: Principal | null, requested: string | undefined, services: CorpLookup): Promise<string> {
  if (!principal) throw new UnauthenticatedError();
  if (requested) {
    if (!(await services.org.corpExists(requested))) throw new NotFoundError('corp', requested);
    return requested;
  }
  if (principal.corpId) return principal.corpId;
  const corps = await services.org.listCorps();
  if (corps.length === 1 && corps[0]) return corps[0].corpId;
  if (!corps.length) throw new NotFoundError('corp');
  throw new BadRequestError('这里服务多个企业，请带上 ?corpId= Several corps are served here: pass ?corpId=', [{ path: 'query.corpId', message: '存在多个企业时必填 Required when several corps exist' }]);
}

export async function resolveScope(principal: Principal | null, requested: string | undefined, services: CorpLookup): Promise<Scope> {
  const corpId = await resolveCorpId(principal, requested, services);
  return scopeFor(principal!, corpId);
}
