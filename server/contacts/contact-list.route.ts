/**
 * The customer list (客户列表) and what acts on a whole filter: counts, the CSV export, saved filters (人群包) and
 * bulk tag / untag. Every route takes the filter in one shape (contact-filter.ts) and reads within the caller's
 * scope, so a store manager's list, count, export and bulk edit only ever cover their store.
 */
import { Readable } from 'node:stream';
import { z } from 'zod';
import type { ChannelAdapter } from '../../adapters/channel-adapter.ts';
import { ROLES } from '../auth/index.ts';
import { BadRequestError, ForbiddenError } from '../errors.ts';
import type { EventsModule } from '../events/index.ts';
import { corpIdQuery } from '../http/corp-scope.ts';
import { defineRoute, reply, type RouteDef } from '../http/route.ts';
import type { OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import { objectIdString } from '../shared/object-id.ts';
import type { Role } from '../shared/principal.ts';
import type { TagsModule } from '../tags/index.ts';
import { bulkTag, type BulkTagDeps } from './contact-bulk.ts';
import { contactsCsv, FULL_PHONE_ROLES } from './contact-export.ts';
import { contactFilterFields, contactFilterSchema, toContactFilter, toWireFilter } from './contact-filter.ts';
import type { ContactRepository } from './contact.repository.ts';
import type { FollowRepository } from './follow.repository.ts';
import { identityKey, parseIdentityKey } from './identity.ts';
import type { PhoneVault } from './phone.ts';
import type { SegmentRepository } from './segment.repository.ts';

/** Who works with whole filters: not staff, whose page is their own customers on /m. */
const FILTER_ROLES: readonly Role[] = ['hq_admin', 'marketer', 'store_manager'];

const listQuery = z.strictObject({
  ...corpIdQuery,
  ...contactFilterFields,
  /** Page size; at most 100 rows a page. */
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(64).optional(),
  /** 1-based page number (page + size paging) instead of a cursor. */
  page: z.coerce.number().int().min(1).max(10_000).optional(),
  identity: z.string().max(300).optional(),
});

const filterQuery = z.strictObject({ ...corpIdQuery, ...contactFilterFields });
const exportQuery = z.strictObject({ ...corpIdQuery, ...contactFilterFields, phones: z.enum(['masked', 'full']).default('masked') });
const corpOnly = z.strictObject({ ...corpIdQuery });
const tagIds = z.array(z.string().min(1).max(64)).max(20);

export type ContactListRouteDeps = {
  contacts: ContactRepository;
  contactSegments: SegmentRepository;
  phones: Pick<PhoneVault, 'hash' | 'decrypt'>;
  follows: Pick<FollowRepository, 'liveOfContacts' | 'changeRelationTags'>;
  tags: Pick<TagsModule, 'list' | 'assertExist'>;
  events: Pick<EventsModule, 'append'>;
  org: Pick<OrgModule, 'listStores' | 'listStaff'>;
  /** The channels domain's accounts and adapters, named structurally: the channels face imports this one. */
  channelAccounts: { listForCorp(corpId: string): Promise<AccountRef[]> };
  adapterFor(account: AccountRef): ChannelAdapter;
  clock: Clock;
};

type AccountRef = { kind: string; isDefault?: boolean };

export function contactListRoutes(deps: ContactListRouteDeps): RouteDef[] {
  const bulkDeps: BulkTagDeps = {
    contacts: deps.contacts,
    follows: deps.follows,
    tags: deps.tags,
    events: deps.events,
    clock: deps.clock,
    async wecomAdapter(corpId) {
      const accounts = (await deps.channelAccounts.listForCorp(corpId)).filter((a) => a.kind === 'wecom');
      const account = accounts.find((a) => a.isDefault) ?? accounts[0];
      return account ? deps.adapterFor(account) : null;
    },
  };
  return [
    defineRoute({
      method: 'get',
      path: '/api/contacts',
      tag: 'contacts',
      summary: '客户列表 List contacts newest first: tags all/any/none, store, staff, lifecycle, channel, added between, search (name / remark prefix, masked or full phone), identity; cursor or page + limit (≤ 100)',
      scoped: true,
      roles: ROLES,
      query: listQuery,
      async handler({ query }, { scope }) {
        const { corpId: _c, limit, cursor, page, identity, ...f } = query;
        let key: string | undefined;
        if (identity) {
          const parsed = parseIdentityKey(identity);
          if (!parsed) throw new BadRequestError('身份格式应为 wecom:<externalUserId>、unionid:<id>、openid:<appId>:<openid>、kf:<id> 或 wechaty:<id> Identity must look like wecom:<externalUserId>, unionid:<id>, openid:<appId>:<openid>, kf:<id> or wechaty:<id>', [{ path: 'query.identity', message: '身份格式错误 Malformed identity' }]);
          key = identityKey(parsed);
        }
        const result = await deps.contacts.list(scope, { ...toContactFilter(f, deps.phones), identityKey: key }, { limit, cursor, page });
        return page ? { ...result, page } : result;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/contacts/count',
      tag: 'contacts',
      summary: '客户数 How many contacts the list filter selects (the list answers its first page without counting)',
      scoped: true,
      roles: ROLES,
      query: filterQuery,
      async handler({ query }, { scope }) {
        const { corpId: _c, ...f } = query;
        return { total: await deps.contacts.count(scope, toContactFilter(f, deps.phones)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/contacts/export.csv',
      tag: 'contacts',
      summary: '导出客户 CSV of the filtered contacts (UTF-8 with BOM); phones masked, full numbers only for hq_admin with phones=full',
      scoped: true,
      roles: FILTER_ROLES,
      query: exportQuery,
      async handler({ query }, { koa, principal, scope }) {
        const { corpId: _c, phones, ...f } = query;
        const full = phones === 'full';
        if (full && !FULL_PHONE_ROLES.includes(principal.role)) throw new ForbiddenError('只有总部管理员可以导出完整手机号 Only an HQ admin may export full phone numbers');
        const [stores, staff, groups] = await Promise.all([deps.org.listStores(scope), deps.org.listStaff(scope), deps.tags.list(scope.corpId)]);
        const lookups = {
          storeNames: new Map(stores.map((s) => [s.id, s.name])),
          staffNames: new Map(staff.map((s) => [s.id, s.name])),
          tagNames: new Map(groups.flatMap((g) => g.tags.map((t) => [t.tagId, t.name] as const))),
        };
        koa.type = 'text/csv; charset=utf-8';
        koa.set('Content-Disposition', `attachment; filename="contacts.csv"; filename*=UTF-8''${encodeURIComponent('客户')}.csv`);
        koa.body = Readable.from(contactsCsv({ contacts: deps.contacts, phones: deps.phones }, scope, toContactFilter(f, deps.phones), lookups, full));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/contacts/bulk-tags',
      tag: 'contacts',
      summary: `批量打标签 / 移除标签 Add and remove tags on every contact of a filter: dryRun answers the count; the real call needs confirmedCount (refused if the selection moved by more than 1 % or is over 50,000)`,
      scoped: true,
      roles: FILTER_ROLES,
      query: corpOnly,
      body: z
        .strictObject({ filter: contactFilterSchema.default({}), add: tagIds.default([]), remove: tagIds.default([]), dryRun: z.boolean().default(false), confirmedCount: z.number().int().min(0).optional() })
        .refine((b) => b.add.length + b.remove.length > 0, { message: '请至少选择一个要添加或移除的标签 add or remove at least one tag' }),
      async handler({ body }, { principal, scope }) {
        return bulkTag(bulkDeps, scope, toContactFilter(body.filter, deps.phones), {
          add: body.add,
          remove: body.remove,
          dryRun: body.dryRun,
          confirmedCount: body.confirmedCount,
          by: principal.staffId ?? principal.tokenId,
        });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/contact-segments',
      tag: 'contacts',
      summary: '人群包 Saved contact filters of the corp',
      scoped: true,
      roles: FILTER_ROLES,
      query: corpOnly,
      async handler(_input, { scope }) {
        return { items: await deps.contactSegments.list(scope.corpId) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/contact-segments',
      tag: 'contacts',
      summary: '保存人群包 Save the list filter under a name (applied, it reads within the caller’s scope)',
      scoped: true,
      roles: FILTER_ROLES,
      query: corpOnly,
      body: z.strictObject({ name: z.string().trim().min(1).max(40), filter: contactFilterSchema }),
      async handler({ body }, { principal, scope }) {
        const filter = toWireFilter(body.filter);
        if (!Object.keys(filter).length) throw new BadRequestError('请先设置筛选条件再保存 Set at least one filter before saving', [{ path: 'body.filter', message: 'empty' }]);
        return reply(201, await deps.contactSegments.create(scope.corpId, { name: body.name, filter, createdBy: principal.staffId ?? principal.tokenId }));
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/contact-segments/:id',
      tag: 'contacts',
      summary: '删除人群包 Delete a saved filter (a store manager only the ones they saved)',
      scoped: true,
      roles: FILTER_ROLES,
      params: z.strictObject({ id: objectIdString }),
      query: corpOnly,
      async handler({ params }, { principal, scope }) {
        await deps.contactSegments.delete(scope.corpId, params.id, principal.role === 'store_manager' ? (principal.staffId ?? principal.tokenId) : undefined);
      },
    }),
  ];
}
