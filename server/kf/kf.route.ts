/**
 * The knowledge base API (`/api/kf/knowledge…`) and the kf settings of a corp. HQ admins and marketers write;
 * every signed-in role reads and matches (store staff answer customers with it).
 */
import { z } from 'zod';
import { ROLES } from '../auth/index.ts';
import { UnsupportedMediaTypeError } from '../errors.ts';
import { readRawBody } from '../http/body.ts';
import { corpIdQuery } from '../http/corp-scope.ts';
import { defineRoute, reply, type RouteDef, type ScopedRouteContext } from '../http/route.ts';
import { objectIdString } from '../shared/object-id.ts';
import { ATTACHMENT_TYPES } from './kf.models.ts';
import type { KfModule } from './kf.module.ts';

const WRITERS = ['hq_admin', 'marketer'] as const;
const MAX_CSV_BYTES = 5 * 1024 * 1024;

const corpOnly = z.strictObject({ ...corpIdQuery });
const idParams = z.strictObject({ id: objectIdString });
const text = (max: number) => z.string().trim().min(1).max(max);

const attachment = z
  .strictObject({
    type: z.enum(ATTACHMENT_TYPES),
    mediaId: z.string().min(1).max(200).optional(),
    url: z.url().max(2000).optional(),
    title: z.string().max(200).optional(),
    appid: z.string().max(64).optional(),
    pagepath: z.string().max(500).optional(),
  })
  .refine((a) => (a.type === 'image' ? !!a.mediaId : a.type === 'link' ? !!a.url : !!a.appid && !!a.pagepath), {
    message: '图片需要 mediaId，链接需要 url，小程序需要 appid 和 pagepath Image needs mediaId, link needs url, miniprogram needs appid and pagepath',
  });
const answer = z.strictObject({ text: text(2000), attachments: z.array(attachment).max(9).optional() });
/** A/B answer variants: none (no test) or 2–5 with distinct keys. */
const MAX_VARIANTS = 5;
const variant = z.strictObject({
  key: z.string().trim().regex(/^[A-Za-z0-9_-]{1,16}$/, '变体标识只能是 1–16 个字母、数字、_ 或 - Variant key: 1–16 letters, digits, _ or -'),
  answer: z.string().trim().min(1, '变体答案不能为空 Variant answer must not be empty').max(2000, '变体答案最多 2000 字 Variant answer: at most 2000 characters'),
});
const variants = z
  .array(variant)
  .max(MAX_VARIANTS, `最多 ${MAX_VARIANTS} 个变体 At most ${MAX_VARIANTS} variants`)
  .refine((vs) => vs.length !== 1, { message: '至少 2 个变体才能做 A/B 测试（或不填）Give at least 2 variants to A/B test the answer, or none' })
  .refine((vs) => new Set(vs.map((v) => v.key.toLowerCase())).size === vs.length, { message: '变体标识不能重复 Variant keys must be distinct' });
const entryFields = {
  question: text(200),
  similar: z.array(text(200)).max(100).optional(),
  answer,
  category: z.string().trim().max(50).optional(),
  storeIds: z.array(z.string().min(1).max(64)).max(500).optional(),
  tagIds: z.array(z.string().min(1).max(64)).max(200).optional(),
  enabled: z.boolean().optional(),
  variants: variants.optional(),
};
const createBody = z.strictObject(entryFields);
const patchBody = z.strictObject(entryFields).partial().refine((b) => Object.keys(b).length > 0, 'nothing to change');

/** Minutes of silence before the idle sweep ends a session: at least one sweep interval, at most a day. */
const idleMinutes = (zh: string, en: string) =>
  z
    .number({ error: `${zh}空闲结束时间必须是分钟数 ${en}: a number of minutes` })
    .int(`${zh}空闲结束时间必须是整数分钟 ${en}: whole minutes`)
    .min(5, `${zh}空闲结束时间至少 5 分钟 ${en}: at least 5 minutes`)
    .max(1440, `${zh}空闲结束时间最多 1440 分钟（1 天）${en}: at most 1440 minutes (1 day)`);
const settingsBody = z
  .strictObject({
    answerThreshold: z.number().min(0, '回答阈值应在 0 到 1 之间 answerThreshold must be between 0 and 1').max(1, '回答阈值应在 0 到 1 之间 answerThreshold must be between 0 and 1'),
    suggestThreshold: z.number().min(0, '推荐阈值应在 0 到 1 之间 suggestThreshold must be between 0 and 1').max(1, '推荐阈值应在 0 到 1 之间 suggestThreshold must be between 0 and 1'),
    handoverKeywords: z.array(text(20)).max(200),
    dictionary: z.array(text(30)).max(5000),
    synonyms: z
      .array(z.array(text(30)).min(2, '每组同义词至少 2 个词 A synonym group needs at least 2 words').max(30, '每组同义词最多 30 个词 At most 30 words per synonym group'))
      .max(2000, '同义词最多 2000 组 At most 2000 synonym groups'),
    reception: z.enum(['desk', 'wecom_client']).default('desk'),
    botIdleEndMinutes: idleMinutes('智能助手会话', 'Bot session idle end').optional(),
    poolIdleEndMinutes: idleMinutes('待接入会话', 'Pool session idle end').optional(),
  })
  .refine((s) => s.suggestThreshold <= s.answerThreshold, { message: 'suggestThreshold 不能大于 answerThreshold suggestThreshold must not exceed answerThreshold', path: ['suggestThreshold'] });

const actorOf = (p: ScopedRouteContext['principal']) => p.staffId ?? p.tokenId;

export function kfRoutes(deps: { kf: KfModule }): RouteDef[] {
  const { kf } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/api/kf/knowledge',
      tag: 'kf',
      summary: '知识库列表 Knowledge entries, newest first (paged; filter by category, enabled, text)',
      roles: ROLES,
      scoped: true,
      query: z.strictObject({
        ...corpIdQuery,
        category: z.string().max(50).optional(),
        enabled: z.enum(['true', 'false']).optional(),
        search: z.string().trim().min(1).max(100).optional(),
        page: z.coerce.number().int().min(1).max(10_000).default(1),
        pageSize: z.coerce.number().int().min(1).max(200).default(20),
      }),
      async handler({ query }, { scope }) {
        const { category, enabled, search, page, pageSize } = query;
        return kf.listEntries(scope.corpId, { page, pageSize, ...(category !== undefined ? { category } : {}), ...(enabled ? { enabled: enabled === 'true' } : {}), ...(search ? { search } : {}) });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/kf/knowledge',
      tag: 'kf',
      summary: '新建知识 Create a knowledge entry (version 1)',
      roles: WRITERS,
      scoped: true,
      query: corpOnly,
      body: createBody,
      async handler({ body }, { scope, principal }) {
        return reply(201, await kf.createEntry(scope.corpId, body, actorOf(principal)));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/kf/knowledge/match',
      tag: 'kf',
      summary: '匹配知识 Match a customer’s text: answer, suggest the top three, or hand over',
      roles: ROLES,
      scoped: true,
      query: corpOnly,
      body: z.strictObject({ text: text(500), storeId: z.string().min(1).max(64).optional(), tagIds: z.array(z.string().min(1).max(64)).max(200).optional() }),
      async handler({ body }, { scope }) {
        const { decision, candidates } = await kf.match(scope.corpId, body.text, { ...(body.storeId ? { storeId: body.storeId } : {}), ...(body.tagIds ? { tagIds: body.tagIds } : {}) });
        return { decision, candidates };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/kf/knowledge/bulk',
      tag: 'kf',
      summary: '批量启用/停用 Enable or disable many entries',
      roles: WRITERS,
      scoped: true,
      query: corpOnly,
      body: z.strictObject({ action: z.enum(['enable', 'disable']), ids: z.array(objectIdString).min(1).max(1000) }),
      async handler({ body }, { scope }) {
        return kf.setEnabled(scope.corpId, body.ids, body.action === 'enable');
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/kf/knowledge/import',
      tag: 'kf',
      summary: '导入知识 Import entries from CSV (body text/csv, UTF-8 or GBK; an existing standard question is updated); per-row errors',
      roles: WRITERS,
      scoped: true,
      query: z.strictObject({ ...corpIdQuery, encoding: z.enum(['utf8', 'gbk']).optional() }),
      async handler({ query }, { scope, principal, koa }) {
        if (!koa.is('text/csv', 'text/plain', 'application/octet-stream')) throw new UnsupportedMediaTypeError('text/csv');
        const bytes = await readRawBody(koa, MAX_CSV_BYTES);
        return kf.importCsv(scope.corpId, bytes, actorOf(principal), query.encoding);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/kf/knowledge/export',
      tag: 'kf',
      summary: '导出知识 Export every entry as CSV (UTF-8 with BOM, opens in Excel)',
      roles: WRITERS,
      scoped: true,
      query: corpOnly,
      async handler(_input, { scope, koa }) {
        koa.type = 'text/csv; charset=utf-8';
        koa.attachment('knowledge.csv');
        koa.body = await kf.exportCsv(scope.corpId);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/kf/knowledge/:id',
      tag: 'kf',
      summary: '知识详情 One knowledge entry',
      roles: ROLES,
      scoped: true,
      params: idParams,
      query: corpOnly,
      async handler({ params }, { scope }) {
        return kf.getEntry(scope.corpId, params.id);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/kf/knowledge/:id/versions/:version',
      tag: 'kf',
      summary: '历史版本 What an entry said at one version (also after deletion)',
      roles: ROLES,
      scoped: true,
      params: z.strictObject({ id: objectIdString, version: z.coerce.number().int().min(1) }),
      query: corpOnly,
      async handler({ params }, { scope }) {
        return kf.entryVersion(scope.corpId, params.id, params.version);
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/kf/knowledge/:id',
      tag: 'kf',
      summary: '修改知识 Edit an entry: a change to what it says is a new version; the old one is kept',
      roles: WRITERS,
      scoped: true,
      params: idParams,
      query: corpOnly,
      body: patchBody,
      async handler({ params, body }, { scope, principal }) {
        return kf.updateEntry(scope.corpId, params.id, body, actorOf(principal));
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/kf/knowledge/:id',
      tag: 'kf',
      summary: '删除知识 Delete an entry (soft: its versions stay for past answers)',
      roles: WRITERS,
      scoped: true,
      params: idParams,
      query: corpOnly,
      async handler({ params }, { scope }) {
        await kf.deleteEntry(scope.corpId, params.id);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/kf/settings',
      tag: 'kf',
      summary: '客服设置 Matching thresholds, always-handover keywords, dictionary, synonyms, the reception mode and the idle ends',
      roles: ROLES,
      scoped: true,
      query: corpOnly,
      async handler(_input, { scope }) {
        return kf.getSettings(scope.corpId);
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/kf/settings',
      tag: 'kf',
      summary: '修改客服设置 Replace the matching thresholds, handover keywords, dictionary and synonyms (idle ends left out are kept)',
      roles: WRITERS,
      scoped: true,
      query: corpOnly,
      body: settingsBody,
      async handler({ body }, { scope }) {
        return kf.putSettings(scope.corpId, body);
      },
    }),
  ];
}
