/**
 * The service desk API (`/api/kf/desk…`, `/api/kf/review…`): the waiting pool, my sessions, one conversation
 * with the customer's profile (the sidebar's, when the customer is also a WeCom customer), and the moves a
 * servicer makes. The servicer is the caller's staff member (their WeCom userid); a token without one reads only.
 */
import { z } from 'zod';
import type { ContactRepository } from '../contacts/index.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import { ROLES } from '../auth/index.ts';
import { corpIdQuery } from '../http/corp-scope.ts';
import { defineRoute, type RouteDef, type ScopedRouteContext } from '../http/route.ts';
import type { OrgModule } from '../org/index.ts';
import { objectIdString } from '../shared/object-id.ts';
import { isValidTimeZone } from '../shared/local-time.ts';
import type { Scope } from '../shared/scope.ts';
import type { SidebarModule } from '../sidebar/index.ts';
import type { KfModule } from './kf.module.ts';
import type { KfSessionDto } from './session/kf-session.repository.ts';
import { kfTicketRoutes } from './ticket/kf-ticket.route.ts';

export type KfDeskRouteDeps = {
  kf: KfModule;
  contacts: Pick<ContactRepository, 'externalIdsOf' | 'identityKeysOf'>;
  sidebar: Pick<SidebarModule, 'profile'>;
  org: Pick<OrgModule, 'findStaff' | 'listStaff'>;
};

const corpOnly = z.strictObject({ ...corpIdQuery });
const idParams = z.strictObject({ id: objectIdString });
const WRITERS = ['hq_admin', 'marketer'] as const;

export function kfDeskRoutes(deps: KfDeskRouteDeps): RouteDef[] {
  const { kf } = deps;
  const userIdOf = async (scope: Scope, principal: ScopedRouteContext['principal']): Promise<string | null> =>
    principal.staffId ? ((await deps.org.findStaff(scope.corpId, principal.staffId))?.userId ?? null) : null;
  const servicer = async (scope: Scope, principal: ScopedRouteContext['principal']): Promise<string> => {
    const userId = await userIdOf(scope, principal);
    if (!userId) throw new ForbiddenError('接待客户需要员工身份登录 Serving customers needs a staff sign-in');
    return userId;
  };
  /** Sessions with the customer's name, for the lists. */
  const named = async (corpId: string, sessions: KfSessionDto[]) => {
    const ids = [...new Set(sessions.flatMap((s) => (s.contactId ? [s.contactId] : [])))];
    const names = new Map((await deps.contacts.externalIdsOf(corpId, ids)).map((c) => [c.id, c.name]));
    return sessions.map(({ messages: _m, ...s }) => ({ ...s, customerName: (s.contactId && names.get(s.contactId)) || null }));
  };
  const move = (path: string, summary: string, body: z.ZodType, act: (corpId: string, id: string, userId: string, body: never) => Promise<KfSessionDto>) =>
    defineRoute({
      method: 'post',
      path: `/api/kf/desk/sessions/:id/${path}`,
      tag: 'kf',
      summary,
      roles: ROLES,
      scoped: true,
      params: idParams,
      query: corpOnly,
      body,
      async handler({ params, body: input }, { scope, principal }) {
        return act(scope.corpId, params.id, await servicer(scope, principal), input as never);
      },
    });
  return [
    ...kfTicketRoutes(deps),
    defineRoute({
      method: 'get',
      path: '/api/kf/desk',
      tag: 'kf',
      summary: '客服工作台 The desk: the waiting pool and the caller’s sessions',
      roles: ROLES,
      scoped: true,
      query: corpOnly,
      async handler(_input, { scope, principal }) {
        const me = await userIdOf(scope, principal);
        const [pool, mine] = await Promise.all([kf.desk.pool(scope.corpId), me ? kf.desk.mine(scope.corpId, me) : []]);
        const { reception } = await kf.getSettings(scope.corpId);
        return { me, reception, pool: await named(scope.corpId, pool), mine: await named(scope.corpId, mine) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/kf/desk/sessions/:id',
      tag: 'kf',
      summary: '会话详情 One conversation, with the customer’s profile when the sidebar knows them',
      roles: ROLES,
      scoped: true,
      params: idParams,
      query: corpOnly,
      async handler({ params }, { scope, principal }) {
        const session = await kf.desk.session(scope.corpId, params.id);
        const [withName] = await named(scope.corpId, [session]);
        let profile: unknown = null;
        if (session.contactId) {
          const wecom = (await deps.contacts.identityKeysOf(scope.corpId, session.contactId)).find((k) => k.startsWith('wecom:'));
          if (wecom) profile = await deps.sidebar.profile(scope, { staffId: principal.staffId, tokenId: principal.tokenId }, wecom.slice('wecom:'.length)).catch((err: unknown) => (err instanceof NotFoundError ? null : Promise.reject(err)));
        }
        return { session: { ...withName, messages: session.messages }, profile };
      },
    }),
    move('take', '接入 Take a waiting session (人工接待 with the caller as servicer)', z.strictObject({}), (corpId, id, userId) => kf.desk.take(corpId, id, userId)),
    move('reply', '回复 Reply to the customer', z.strictObject({ text: z.string().trim().min(1).max(2000) }), (corpId, id, userId, body: { text: string }) => kf.desk.reply(corpId, id, userId, body.text)),
    move('transfer', '转接 Pass the session to a colleague', z.strictObject({ toUserId: z.string().trim().min(1).max(64) }), (corpId, id, userId, body: { toUserId: string }) => kf.desk.transfer(corpId, id, userId, body.toUserId)),
    move(
      'end',
      '结束 End the session and send the satisfaction survey; `category` (optional) is what the question was about, for first-contact resolution',
      z.strictObject({ category: z.string().trim().max(50).optional() }),
      (corpId, id, userId, body: { category?: string }) => kf.desk.end(corpId, id, userId, body.category || undefined),
    ),
    defineRoute({
      method: 'get',
      path: '/api/kf/desk/servicers',
      tag: 'kf',
      summary: '接待人员 The servicers of a kf account (to transfer to)',
      roles: ROLES,
      scoped: true,
      query: z.strictObject({ ...corpIdQuery, openKfId: z.string().min(1).max(64) }),
      async handler({ query }, { scope }) {
        return { items: await kf.desk.servicers(scope.corpId, query.openKfId) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/kf/desk/categories',
      tag: 'kf',
      summary: '问题分类 The knowledge base’s categories (the end action’s pick)',
      roles: ROLES,
      scoped: true,
      query: corpOnly,
      async handler(_input, { scope }) {
        return { items: await kf.desk.categories(scope.corpId) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/kf/stats',
      tag: 'kf',
      summary:
        '客服数据 Service numbers of the sessions started in local days [from, to) (default: the last 7 days, today included), per day, kf account or servicer, in `tz` (default: the corp’s zone). ' +
        'Rolled-up days come from the nightly rollup, today and missing days are computed live (`days` says which). ' +
        'fcrRate (首次联系解决率): resolved at first contact = the same customer started no new session on the same question category within 48 h after the end; ' +
        'only sessions ended before `fcrJudgedBefore` (now − 48 h) are judged, so fcrRate is null while none is (fcrJudged counts them).',
      roles: ROLES,
      scoped: true,
      query: z.strictObject({
        ...corpIdQuery,
        from: z.iso.date().optional(),
        to: z.iso.date().optional(),
        by: z.enum(['day', 'account', 'agent']).default('day'),
        tz: z.string().min(1).max(64).refine(isValidTimeZone, '未知时区 unknown IANA time zone').optional(),
      }),
      async handler({ query }, { scope }) {
        return kf.stats(scope.corpId, { from: query.from, to: query.to, by: query.by, timeZone: query.tz });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/kf/review',
      tag: 'kf',
      summary: '待补充问题 Questions the bot did not answer, newest first',
      roles: ROLES,
      scoped: true,
      query: z.strictObject({ ...corpIdQuery, status: z.enum(['open', 'promoted', 'dismissed']).default('open') }),
      async handler({ query }, { scope }) {
        return { items: await kf.review.list(scope.corpId, query.status) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/kf/review/:id/promote',
      tag: 'kf',
      summary: '沉淀到知识库 Turn a question into a new entry (with the answer) or a paraphrase of an entry',
      roles: WRITERS,
      scoped: true,
      params: idParams,
      query: corpOnly,
      body: z.union([z.strictObject({ entryId: objectIdString }), z.strictObject({ answer: z.string().trim().min(1).max(2000), category: z.string().trim().max(50).optional() })]),
      async handler({ params, body }, { scope, principal }) {
        return kf.review.promote(scope.corpId, params.id, body, principal.staffId ?? principal.tokenId);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/kf/review/:id/dismiss',
      tag: 'kf',
      summary: '忽略 Drop a question from the review queue',
      roles: WRITERS,
      scoped: true,
      params: idParams,
      query: corpOnly,
      async handler({ params }, { scope }) {
        await kf.review.dismiss(scope.corpId, params.id);
        return { ok: true };
      },
    }),
  ];
}

