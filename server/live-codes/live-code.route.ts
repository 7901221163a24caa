/**
 * `/api/live-codes`: HQ and marketers create, edit and disable codes; store managers read their store's codes and
 * numbers. Fixed paths (analytics, refresh, store-codes) are declared before `/:id`.
 */
import { z } from 'zod';
import { corpIdQuery } from '../http/corp-scope.ts';
import { defineRoute, reply, type RouteDef } from '../http/route.ts';
import { objectIdString } from '../shared/object-id.ts';
import { LIVE_CODE_CHANNELS, LIVE_CODE_STATUSES } from './live-code.schema.ts';
import { analyticsCsv } from './live-code-analytics.ts';
import { qrPng, qrSvg } from './live-code-qr.ts';
import type { LiveCodesModule } from './live-code-wiring.ts';

const WRITERS = ['hq_admin', 'marketer'] as const;
const READERS = ['hq_admin', 'marketer', 'store_manager'] as const;
const idParams = z.strictObject({ id: objectIdString });
const corpOnly = z.strictObject({ ...corpIdQuery });
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');
const ids = z.array(objectIdString).max(100);
const tagIds = z.array(z.string().min(1).max(64)).max(50);
const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

const editable = {
  name: z.string().trim().min(1).max(60),
  staffIds: ids.min(1),
  fallbackStaffIds: ids,
  dailyAddLimit: z.number().int().min(1).max(10_000).nullable(),
  dutyHours: z.strictObject({ from: hhmm, to: hhmm }).nullable(),
  tagIds,
  welcomeTemplateId: z.string().min(1).max(64).nullable(),
  welcomeVariants: z
    .array(z.strictObject({ id: z.string().regex(/^[a-z0-9_-]{1,20}$/, 'a-z, 0-9, _ or -, up to 20'), templateId: z.string().min(1).max(64), weight: z.number().int().min(1).max(100) }))
    .min(2)
    .max(5)
    .refine((v) => new Set(v.map((a) => a.id)).size === v.length, 'arm ids must differ')
    .nullable(),
  staffDefault: z.boolean(),
  skipVerify: z.boolean(),
  expiresAt: z.coerce.date().nullable(),
};

const createBody = z.strictObject({
  ...editable,
  staffIds: ids.optional(),
  fallbackStaffIds: ids.optional(),
  dailyAddLimit: editable.dailyAddLimit.optional(),
  dutyHours: editable.dutyHours.optional(),
  tagIds: tagIds.optional(),
  welcomeTemplateId: editable.welcomeTemplateId.optional(),
  welcomeVariants: editable.welcomeVariants.optional(),
  staffDefault: z.boolean().optional(),
  skipVerify: z.boolean().optional(),
  expiresAt: editable.expiresAt.optional(),
  channel: z.enum(LIVE_CODE_CHANNELS),
  mode: z.enum(['all', 'rotate']).optional(),
  storeId: objectIdString.optional(),
});
const patchBody = z.strictObject(editable).partial().refine((b) => Object.keys(b).length > 0, 'nothing to change');
const reportQuery = z.strictObject({
  ...corpIdQuery,
  from: localDate.optional(),
  to: localDate.optional(),
  liveCodeId: objectIdString.optional(),
  channel: z.enum(LIVE_CODE_CHANNELS).optional(),
  timezone: z.string().min(1).max(64).optional(),
});

export function liveCodeRoutes(deps: { liveCodes: LiveCodesModule }): RouteDef[] {
  const { liveCodes } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/api/live-codes/analytics',
      tag: 'live-codes',
      summary: '活码数据 Adds, re-adds, losses (1/7/30 days) and net growth per code, channel, day, store and staff',
      roles: READERS,
      scoped: true,
      query: reportQuery,
      async handler({ query }, { scope }) {
        const { corpId: _corpId, ...q } = query;
        return liveCodes.report(scope, q);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/live-codes/analytics.csv',
      tag: 'live-codes',
      summary: '活码数据 CSV The analytics as CSV, one row per code, channel, day, store and staff member',
      roles: READERS,
      scoped: true,
      query: reportQuery,
      async handler({ query }, { koa, scope }) {
        const { corpId: _corpId, ...q } = query;
        const report = await liveCodes.report(scope, q);
        koa.type = 'text/csv; charset=utf-8';
        koa.set('Content-Disposition', 'attachment; filename="live-codes.csv"');
        koa.body = analyticsCsv(report);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/live-codes/refresh',
      tag: 'live-codes',
      summary: '刷新活码 Expires codes past their date and re-applies duty hours, daily limits and fallbacks to every active code',
      roles: WRITERS,
      scoped: true,
      query: corpOnly,
      async handler(_input, { scope }) {
        return liveCodes.service.refreshAll(scope);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/live-codes/store-codes',
      tag: 'live-codes',
      summary: '门店码 One rotating code per store (stores that have one keep it)',
      roles: WRITERS,
      scoped: true,
      query: corpOnly,
      body: z.strictObject({ storeIds: ids.optional(), tagIds: tagIds.optional(), welcomeTemplateId: editable.welcomeTemplateId.optional(), dutyHours: editable.dutyHours.optional(), dailyAddLimit: editable.dailyAddLimit.optional() }),
      async handler({ body }, { principal, scope }) {
        return reply(201, await liveCodes.service.ensureStoreCodes(scope, body, principal.staffId ?? principal.tokenId));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/live-codes',
      tag: 'live-codes',
      summary: '新建活码 Create a live code: a WeCom 「联系我」 QR with a unique state',
      roles: WRITERS,
      scoped: true,
      query: corpOnly,
      body: createBody,
      status: 201,
      async handler({ body }, { principal, scope }) {
        return liveCodes.service.create(scope, body, principal.staffId ?? principal.tokenId);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/live-codes',
      tag: 'live-codes',
      summary: '活码列表 Live codes, newest first',
      roles: READERS,
      scoped: true,
      query: z.strictObject({ ...corpIdQuery, channel: z.enum(LIVE_CODE_CHANNELS).optional(), status: z.enum(LIVE_CODE_STATUSES).optional(), storeId: objectIdString.optional() }),
      async handler({ query }, { scope }) {
        const { corpId: _corpId, ...filter } = query;
        return { items: await liveCodes.codes.list(scope, filter) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/live-codes/:id',
      tag: 'live-codes',
      summary: '活码详情 One live code',
      roles: READERS,
      scoped: true,
      params: idParams,
      query: corpOnly,
      async handler({ params }, { scope }) {
        return liveCodes.codes.get(scope, params.id);
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/live-codes/:id',
      tag: 'live-codes',
      summary: '编辑活码 Edit a live code; the QR and state stay the same (update_contact_way)',
      roles: WRITERS,
      scoped: true,
      params: idParams,
      query: corpOnly,
      body: patchBody,
      async handler({ params, body }, { scope }) {
        return liveCodes.service.update(scope, params.id, body);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/live-codes/:id/disable',
      tag: 'live-codes',
      summary: '停用活码 Disable a live code: WeCom deletes the contact way, history stays',
      roles: WRITERS,
      scoped: true,
      params: idParams,
      query: corpOnly,
      async handler({ params }, { scope }) {
        return liveCodes.service.disable(scope, params.id);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/live-codes/:id/welcomes',
      tag: 'live-codes',
      summary: '欢迎语记录 The welcome ledger of a code: sent, missed (window passed), failed (errcode), skipped',
      roles: READERS,
      scoped: true,
      params: idParams,
      query: corpOnly,
      async handler({ params }, { scope }) {
        const code = await liveCodes.codes.get(scope, params.id);
        return { items: await liveCodes.ledger.welcomes(code.corpId, { liveCodeId: code.id }) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/live-codes/:id/qr.png',
      tag: 'live-codes',
      summary: '活码二维码 PNG The printable QR (default 1024 px)',
      roles: READERS,
      scoped: true,
      params: idParams,
      query: z.strictObject({ ...corpIdQuery, width: z.coerce.number().int().min(128).max(4096).optional() }),
      async handler({ params, query }, { koa, scope }) {
        const code = await liveCodes.codes.get(scope, params.id);
        koa.type = 'image/png';
        koa.set('Content-Disposition', `inline; filename="live-code-${code.id}.png"`);
        koa.body = await qrPng(code.qrCode, query.width);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/live-codes/:id/qr.svg',
      tag: 'live-codes',
      summary: '活码二维码 SVG The printable QR as SVG',
      roles: READERS,
      scoped: true,
      params: idParams,
      query: corpOnly,
      async handler({ params }, { koa, scope }) {
        const code = await liveCodes.codes.get(scope, params.id);
        koa.type = 'image/svg+xml';
        koa.set('Content-Disposition', `inline; filename="live-code-${code.id}.svg"`);
        koa.body = await qrSvg(code.qrCode);
      },
    }),
  ];
}
