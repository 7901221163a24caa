/**
 * The console's customer-group pages read these: a paged list (owner, store, name) and one group with its
 * member history, trend and the group SOPs it is in. Scoped like the contacts: a store manager sees the groups
 * of their store, and another store's group answers 404.
 */
import { z } from 'zod';
import { ROLES } from '../shared/principal.ts';
import { corpIdQuery } from '../http/corp-scope.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import type { Clock } from '../shared/clock.ts';
import { objectIdString } from '../shared/object-id.ts';
import { pageQuery } from '../shared/pagination.ts';
import type { Scope } from '../shared/scope.ts';
import type { CustomerGroupRepository } from './customer-group.repository.ts';

/** What the group routes read besides the groups: names of staff and stores (org), runs and SOP names (the SOP ledger). */
export type GroupRouteDeps = {
  groups: Pick<CustomerGroupRepository, 'page' | 'detail'>;
  org: {
    listStaff(scope: Scope): Promise<Array<{ id: string; userId: string; name: string; storeId: string }>>;
    storeNames(corpId: string): Promise<Map<string, string>>;
  };
  runs: { runsOfSubject(corpId: string, subjectId: string, limit?: number): Promise<Array<{ sopId: string; status: string; stepId?: string | null; enteredAt: Date; endedAt?: Date | null; exitReason?: string | null }>> };
  sopNames: { names(corpId: string, sopIds: readonly string[]): Promise<Map<string, string>> };
  /** Names of the members who are known customers (the contacts face). */
  contacts: { externalIdsOf(corpId: string, ids: readonly string[]): Promise<Array<{ id: string; name: string | null }>> };
  clock: Clock;
};

const listQuery = z.strictObject({
  ...corpIdQuery,
  ...pageQuery,
  owner: z.string().min(1).max(64).optional(),
  storeId: objectIdString.optional(),
  q: z.string().min(1).max(100).optional(),
});

export function groupRoutes(deps: GroupRouteDeps): RouteDef[] {
  const staffNames = async (scope: Scope) => new Map((await deps.org.listStaff({ corpId: scope.corpId, storeIds: null })).map((s) => [s.userId, s.name]));
  return [
    defineRoute({
      method: 'get',
      path: '/api/groups',
      tag: 'groups',
      summary: '客户群列表 Customer groups, newest first (owner userid, store, name; cursor pages)',
      scoped: true,
      roles: ROLES,
      query: listQuery,
      async handler({ query }, { scope }) {
        const [page, staff, stores] = await Promise.all([
          deps.groups.page(scope, { ownerUserId: query.owner, storeId: query.storeId, name: query.q }, { limit: query.limit, cursor: query.cursor }),
          staffNames(scope),
          deps.org.storeNames(scope.corpId),
        ]);
        return {
          items: page.items.map((g) => ({ ...g, ownerName: staff.get(g.ownerUserId) ?? null, storeName: g.storeId ? (stores.get(g.storeId) ?? null) : null })),
          nextCursor: page.nextCursor,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/groups/:chatId',
      tag: 'groups',
      summary: '客户群详情 A customer group: owner, store, members (join time, scene), quits, 30-day member trend, its group SOPs',
      scoped: true,
      roles: ROLES,
      params: z.strictObject({ chatId: z.string().min(1).max(128) }),
      query: z.strictObject({ ...corpIdQuery }),
      async handler({ params }, { scope }) {
        const group = await deps.groups.detail(scope, params.chatId, deps.clock.now());
        // Group-subject SOP runs carry `group:<chatId>` where contact runs carry a contact id (sop/runtime/routing.ts).
        const contactIds = [...new Set([...group.members, ...group.quits].flatMap((m) => (m.contactId ? [m.contactId] : [])))];
        const [staff, stores, runs, customers] = await Promise.all([
          staffNames(scope),
          deps.org.storeNames(scope.corpId),
          deps.runs.runsOfSubject(scope.corpId, `group:${group.chatId}`),
          deps.contacts.externalIdsOf(scope.corpId, contactIds),
        ]);
        const sopNames = await deps.sopNames.names(scope.corpId, [...new Set(runs.map((r) => r.sopId))]);
        const customerName = new Map(customers.map((c) => [c.id, c.name]));
        const nameOf = (m: { memberType: string; userId: string; contactId: string | null }) => (m.memberType === 'staff' ? (staff.get(m.userId) ?? null) : m.contactId ? (customerName.get(m.contactId) ?? null) : null);
        return {
          ...group,
          ownerName: staff.get(group.ownerUserId) ?? null,
          storeName: group.storeId ? (stores.get(group.storeId) ?? null) : null,
          members: group.members.map((m) => ({ ...m, name: nameOf(m) })),
          quits: group.quits.map((m) => ({ ...m, name: nameOf(m) })),
          sops: runs.map((r) => ({ sopId: r.sopId, name: sopNames.get(r.sopId) ?? r.sopId, status: r.status, stepId: r.stepId ?? null, enteredAt: r.enteredAt, endedAt: r.endedAt ?? null })),
        };
      },
    }),
  ];
}
