/**
 * Experiments over HTTP: the list with each primary verdict, one experiment with its full results (every
 * statistic per metric and arm, per store, the cumulative daily series), the CSV export, stop, configure,
 * creating the rows of an SOP's A/B steps, and the sample-size calculator. Every role reads (store roles see
 * their store's units); HQ admins and marketers write. The auto-winner is checked whenever an experiment's
 * page is computed (and by `ExperimentService.sweepAutoWinners` for a scheduler).
 */
import { z } from 'zod';
import { ROLES } from '../auth/index.ts';
import { corpIdQuery } from '../http/corp-scope.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import { BadRequestError } from '../errors.ts';
import type { SopLookup } from './experiment-deps.ts';
import type { ExperimentService } from './experiment.service.ts';
import { sampleSizePerArm, sampleSizeProblems, targetRate } from './stats/sample-size.ts';
import { parseMetric } from './outcomes.ts';
import { resultsCsv } from './results-csv.ts';

const WRITERS = ['hq_admin', 'marketer'] as const;
const corpOnly = z.strictObject({ ...corpIdQuery });
const idParams = z.strictObject({ id: z.string().min(1).max(200) });
const metricList = z
  .array(z.string().max(100).refine((id) => parseMetric(id) !== null, 'unknown metric: reply, click, conversion, conversion:<type>, tag:<tagId>, friend_added, friend_deleted, opted_out or kf_resolved'))
  .max(10)
  .refine((l) => new Set(l).size === l.length, 'list each metric once');

const patchBody = z
  .strictObject({
    goals: metricList.min(1, 'at least one goal (the first is primary)').optional(),
    guardrails: metricList.optional(),
    windowDays: z.number().int().min(1).max(90).optional(),
    sequential: z.boolean().optional(),
    holdoutWeight: z.number().finite().min(0).max(1_000_000).optional(),
    endAt: z.iso.datetime({ offset: true }).nullable().optional(),
    autoWinner: z.strictObject({ enabled: z.boolean() }).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: '请至少修改一个字段 Change at least one field' });

const unit = z.coerce.number().gt(0).lt(1);
const sampleSizeQuery = z.strictObject({
  ...corpIdQuery,
  baseline: unit,
  mde: z.coerce.number(),
  relative: z.enum(['true', 'false']).default('false'),
  alpha: unit.default(0.05),
  power: unit.default(0.8),
});

export type ExperimentRouteDeps = { experiments: ExperimentService; sops: SopLookup };

export function experimentRoutes(deps: ExperimentRouteDeps): RouteDef[] {
  const { experiments } = deps;
  return [
  defineRoute({
    method: 'get',
    path: '/api/experiments',
    tag: 'experiments',
    summary: 'A/B 实验列表 Experiments with status and the primary goal’s verdict',
    roles: ROLES,
    query: corpOnly,
    scoped: true,
    async handler(_input, { scope }) {
      const items = [];
      for (const e of await experiments.list(scope.corpId)) {
        const r = await experiments.results(scope, e);
        items.push({ ...e, units: r.arms.reduce((s, a) => s + a.units, 0), armUnits: r.arms.map(({ name, units }) => ({ name, units })), primary: r.primary, srm: r.srm });
      }
      return { items };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/experiments/sample-size',
    tag: 'experiments',
    summary: '样本量计算 Units per arm to detect a change of a conversion rate (F13, pooled null, no continuity correction)',
    roles: ROLES,
    query: sampleSizeQuery,
    async handler({ query: q }) {
      const input = { baseline: q.baseline, mde: q.mde, relative: q.relative === 'true', alpha: q.alpha, power: q.power };
      const problems = sampleSizeProblems(input);
      if (problems.length) throw new BadRequestError('无法计算样本量 Cannot compute a sample size', problems.map((message) => ({ path: 'query', message })));
      const perArm = sampleSizePerArm(input);
      return { ...input, target: targetRate(input.baseline, input.mde, input.relative), perArm, perArmRounded: Math.ceil(perArm) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/experiments/sync',
    tag: 'experiments',
    summary: '同步 SOP 实验 Create or update the experiments of an SOP’s A/B send steps (arms and weights from the SOP)',
    roles: WRITERS,
    query: corpOnly,
    body: z.strictObject({ sopId: z.string().min(1).max(100) }),
    scoped: true,
    async handler({ body }, { scope }) {
      return { items: await experiments.ensureForSop(scope.corpId, await deps.sops.get(scope.corpId, body.sopId)) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/experiments/:id',
    tag: 'experiments',
    summary: '实验结果 One experiment: config, every statistic per goal and guardrail, per store, cumulative daily series',
    roles: ROLES,
    params: idParams,
    query: corpOnly,
    scoped: true,
    async handler({ params }, { scope }) {
      const check = await experiments.evaluateAutoWinner(scope.corpId, params.id);
      const experiment = await experiments.get(scope.corpId, params.id);
      return { experiment, autoWinnerCheck: check, results: await experiments.results(scope, experiment) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/experiments/:id/results.csv',
    tag: 'experiments',
    summary: '导出 CSV One row per metric × arm with every statistic',
    roles: ROLES,
    params: idParams,
    query: corpOnly,
    scoped: true,
    async handler({ params }, { koa, scope }) {
      const results = await experiments.results(scope, await experiments.get(scope.corpId, params.id));
      koa.type = 'text/csv; charset=utf-8';
      koa.set('Content-Disposition', `attachment; filename="experiment-${params.id.replace(/[^\w.-]+/g, '_')}.csv"`);
      koa.body = resultsCsv(results);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/experiments/:id/stop',
    tag: 'experiments',
    summary: '停止实验 Stop: units exposed from now on are not analysed; the auto-winner no longer decides',
    roles: WRITERS,
    params: idParams,
    query: corpOnly,
    scoped: true,
    async handler({ params }, { scope }) {
      return experiments.stop(scope.corpId, params.id);
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/api/experiments/:id',
    tag: 'experiments',
    summary: '配置实验 Configure goals, guardrails, attribution window, sequential p-values, holdout, end and auto-winner',
    roles: WRITERS,
    params: idParams,
    query: corpOnly,
    body: patchBody,
    scoped: true,
    async handler({ params, body }, { scope }) {
      const { endAt, ...rest } = body;
      return experiments.configure(scope.corpId, params.id, { ...rest, ...(endAt === undefined ? {} : { endAt: endAt === null ? null : new Date(endAt) }) });
    },
  }),
];
}
