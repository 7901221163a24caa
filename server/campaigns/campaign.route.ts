/**
 * Campaigns over HTTP: create / read / change / start / pause / end (HQ admins and marketers write; store
 * managers read their store's share), the lead import (multipart upload, the CLI's code path), an
 * assignment run on demand, the funnel with its breakdowns and leaderboard, and the greeting experiment's results.
 */
import { z } from 'zod';
import { BadRequestError, NotFoundError } from '../errors.ts';
import type { ExperimentsModule } from '../experiments/index.ts';
import { corpIdQuery } from '../http/corp-scope.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import type { OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import { objectIdString } from '../shared/object-id.ts';
import type { Scope } from '../shared/scope.ts';
import type { CampaignInput } from './campaign.repository.ts';
import { STRATEGIES } from './campaign.schema.ts';
import type { CampaignsModule } from './campaigns.module.ts';
import { readUpload } from './import/lead-upload.ts';
import { LEAD_STATUSES } from './lead.schema.ts';

const WRITERS = ['hq_admin', 'marketer'] as const;
const READERS = ['hq_admin', 'marketer', 'store_manager'] as const;
const corpOnly = z.strictObject({ ...corpIdQuery });
const idParams = z.strictObject({ id: objectIdString });
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM');

const greeting = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, _ and - (≤32)'),
  text: z.string().max(500).optional(),
  templateId: z.string().min(1).max(100).nullable().optional(),
  weight: z.number().positive().max(1000).optional(),
});
const fields = {
  name: z.string().trim().min(1).max(60),
  storeIds: z.array(objectIdString).max(2000),
  greetings: z
    .array(greeting)
    .max(10)
    .refine((g) => new Set(g.map((x) => x.id)).size === g.length, 'greeting ids must be unique')
    .refine((g) => g.every((x) => x.text || x.templateId), 'each greeting needs text or a templateId'),
  dailyQuota: z.number().int().min(1).max(200),
  // `end` is exclusive; 24:00 means until midnight, so a campaign can run around the clock.
  workingHours: z.strictObject({ start: hhmm, end: z.union([hhmm, z.literal('24:00')]) }).refine((w) => w.start < w.end, 'start must be before end'),
  strategy: z.enum(STRATEGIES),
  recycle: z.strictObject({ afterDays: z.number().int().min(1).max(60), maxAttempts: z.number().int().min(1).max(10) }),
  costs: z.strictObject({ fixed: z.number().min(0).optional(), perLead: z.number().min(0).optional(), perRequest: z.number().min(0).optional() }),
  rpaAccountIds: z.array(z.string().min(1).max(64)).max(20),
};
const createBody = z.strictObject({ ...fields, storeIds: fields.storeIds.optional(), greetings: fields.greetings.optional(), dailyQuota: fields.dailyQuota.optional(), workingHours: fields.workingHours.optional(), strategy: fields.strategy.optional(), recycle: fields.recycle.optional(), costs: fields.costs.optional(), rpaAccountIds: fields.rpaAccountIds.optional() });
const patchBody = createBody.partial().refine((b) => Object.keys(b).length > 0, { message: '请至少修改一个字段 Change at least one field' });

export type CampaignRouteDeps = {
  campaigns: CampaignsModule;
  org: Pick<OrgModule, 'listStores'>;
  experiments: Pick<ExperimentsModule, 'get' | 'results'>;
  clock: Clock;
};

async function checkStores(org: CampaignRouteDeps['org'], scope: Scope, storeIds: string[] | undefined): Promise<void> {
  if (!storeIds?.length) return;
  const known = new Set((await org.listStores(scope)).map((s) => s.id));
  const unknown = storeIds.filter((id) => !known.has(id));
  if (unknown.length) throw new BadRequestError('门店不存在 Unknown stores', unknown.map((id) => ({ path: 'body.storeIds', message: `门店 ${id} 不存在 No store ${id}` })));
}

const transition = (deps: CampaignRouteDeps, action: 'start' | 'pause' | 'end', summary: string) =>
  defineRoute({
    method: 'post',
    path: `/api/campaigns/:id/${action}`,
    tag: 'campaigns',
    summary,
    roles: WRITERS,
    params: idParams,
    query: corpOnly,
    scoped: true,
    async handler({ params }, { scope }) {
      const campaign = await deps.campaigns.campaigns.transition(scope, params.id, action, deps.clock.now());
      return action === 'start' ? deps.campaigns.withGreetingExperiment(scope, campaign) : campaign;
    },
  });

export function campaignRoutes(deps: CampaignRouteDeps): RouteDef[] {
  const { campaigns: module } = deps;
  return [
  defineRoute({
    method: 'post',
    path: '/api/campaigns',
    tag: 'campaigns',
    summary: '创建加粉活动 Create an add-friend campaign (draft)',
    roles: WRITERS,
    query: corpOnly,
    body: createBody,
    status: 201,
    scoped: true,
    async handler({ body }, { scope }) {
      await checkStores(deps.org, scope, body.storeIds);
      const created = await module.campaigns.create(scope, body as CampaignInput);
      return module.withGreetingExperiment(scope, created);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/campaigns',
    tag: 'campaigns',
    summary: '加粉活动列表 Campaigns, newest first',
    roles: READERS,
    query: corpOnly,
    scoped: true,
    async handler(_input, { scope }) {
      return { items: await module.campaigns.list(scope) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/campaigns/:id',
    tag: 'campaigns',
    summary: '加粉活动 One campaign',
    roles: READERS,
    params: idParams,
    query: corpOnly,
    scoped: true,
    async handler({ params }, { scope }) {
      return module.campaigns.get(scope, params.id);
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/api/campaigns/:id',
    tag: 'campaigns',
    summary: '修改加粉活动 Change a campaign (not after it ended)',
    roles: WRITERS,
    params: idParams,
    query: corpOnly,
    body: patchBody,
    scoped: true,
    async handler({ params, body }, { scope }) {
      await checkStores(deps.org, scope, body.storeIds);
      return module.withGreetingExperiment(scope, await module.campaigns.update(scope, params.id, body as Partial<CampaignInput>));
    },
  }),
  transition(deps, 'start', '开始活动 Start (or resume) a campaign'),
  transition(deps, 'pause', '暂停活动 Pause a campaign: nothing is assigned or sent'),
  transition(deps, 'end', '结束活动 End a campaign for good'),
  defineRoute({
    method: 'post',
    path: '/api/campaigns/:id/leads/import',
    tag: 'campaigns',
    summary: '导入线索 Import leads from a CSV file (multipart/form-data, field "file"; UTF-8 or GBK)',
    roles: WRITERS,
    params: idParams,
    query: z.strictObject({ ...corpIdQuery, encoding: z.enum(['utf8', 'gbk']).optional() }),
    scoped: true,
    async handler({ params, query }, { scope, koa }) {
      const campaign = await module.campaigns.get(scope, params.id);
      return readUpload(koa.req, (file) => module.importer.import(campaign, file, query.encoding ? { encoding: query.encoding } : {}));
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/campaigns/:id/leads',
    tag: 'campaigns',
    summary: '活动线索 A campaign’s leads (masked phones), newest first',
    roles: READERS,
    params: idParams,
    query: z.strictObject({ ...corpIdQuery, status: z.enum(LEAD_STATUSES).optional(), limit: z.coerce.number().int().min(1).max(200).default(50), cursor: objectIdString.optional() }),
    scoped: true,
    async handler({ params, query }, { scope }) {
      await module.campaigns.get(scope, params.id);
      return module.leads.list(scope, params.id, { limit: query.limit, ...(query.status ? { status: query.status } : {}), ...(query.cursor ? { cursor: query.cursor } : {}) });
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/campaigns/:id/assign',
    tag: 'campaigns',
    summary: '立即分配 Run the daily assignment for this campaign now (recycling first)',
    roles: WRITERS,
    params: idParams,
    query: corpOnly,
    scoped: true,
    async handler({ params }, { scope }) {
      await module.campaigns.get(scope, params.id);
      const now = deps.clock.now();
      const recycled = await module.assignment.recycleDue(scope.corpId, now);
      const assigned = await module.assignment.assignDue(scope.corpId, now, { campaignId: params.id });
      return { ...recycled, assigned: assigned.assigned };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/campaigns/:id/funnel',
    tag: 'campaigns',
    summary: '活动漏斗 Funnel (imported → assigned → requested → accepted → replied → converted), breakdowns and leaderboard',
    roles: READERS,
    params: idParams,
    query: corpOnly,
    scoped: true,
    async handler({ params }, { scope }) {
      return module.funnel(scope, await module.campaigns.get(scope, params.id));
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/campaigns/:id/greeting-results',
    tag: 'campaigns',
    summary: '招呼语实验结果 The greeting experiment’s results (statistics module); 404 without two greetings',
    roles: READERS,
    params: idParams,
    query: corpOnly,
    scoped: true,
    async handler({ params }, { scope }) {
      const campaign = await module.campaigns.get(scope, params.id);
      if (!campaign.experimentId) throw new NotFoundError('greeting experiment of campaign', params.id);
      const experiment = await deps.experiments.get(scope.corpId, campaign.experimentId);
      return { experiment, results: await deps.experiments.results(scope, experiment) };
    },
  }),
];
}
