import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { ROLES } from '../auth/index.ts';
import { BadRequestError } from '../errors.ts';
import { corpIdQuery } from '../http/corp-scope.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import type { OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import { objectIdString } from '../shared/object-id.ts';
import type { SopLedger } from './ledger/index.ts';
import { planSteps } from './schedule/plan.ts';
import { enroll, type EnrollDeps } from './runtime/enroll.ts';
import type { BulkEnrollDeps } from './runtime/bulk-enroll.ts';
import type { SopContacts, SopContent } from './runtime/sop-ports.ts';
import { checkForPublish } from './runtime/publish-checks.ts';
import type { SopRegistry } from './runtime/sop-registry.ts';
import { sopStats } from './runtime/sop-stats.ts';
import { audienceFilter, enrollAudience, type AudienceDeps } from './runtime/triggers.ts';

const corpOnly = z.strictObject({ ...corpIdQuery });
const sopParams = z.strictObject({ sopId: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/) });
const WRITERS = ['hq_admin', 'marketer'] as const;

/** What the SOP routes use: the registry, enrolling (one contact or an audience), stores, stats and the clock. */
export type SopRouteDeps = EnrollDeps &
  AudienceDeps &
  BulkEnrollDeps & {
    sops: SopRegistry;
    ledger: Pick<SopLedger, 'touches' | 'runs'>;
    contacts: Pick<SopContacts, 'get' | 'countInStore'>;
    org: Pick<OrgModule, 'listStores'>;
    clock: Clock;
    /** Publishing and enabling refuse templates without a published version. */
    content: Pick<SopContent, 'pinnedVersions'>;
  };

export function sopRoutes(deps: SopRouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/sops',
      tag: 'sop',
      summary: 'SOP 列表 SOPs with status and version',
      roles: ROLES,
      query: corpOnly,
      scoped: true,
      async handler(_input, { scope }) {
        const items = await deps.sops.list(scope.corpId);
        return { items: items.map((s) => ({ sopId: s.sopId, name: s.name, status: s.status, version: s.version, priority: s.priority, trigger: s.definition.trigger, steps: s.definition.steps.length })) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/sops/:sopId',
      tag: 'sop',
      summary: 'SOP 详情 One SOP with its definition',
      roles: ROLES,
      params: sopParams,
      query: corpOnly,
      scoped: true,
      async handler({ params }, { scope }) {
        return deps.sops.get(scope.corpId, params.sopId);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/sops',
      tag: 'sop',
      summary: '发布 SOP Publish an SOP (JSON definition or YAML text); refuses missing templates and audience tags by name (create_tags: true creates the tags, listed in createdTags); a new version applies to steps not yet planned',
      roles: WRITERS,
      query: corpOnly,
      body: z.union([z.strictObject({ definition: z.record(z.string(), z.unknown()) }), z.strictObject({ yaml: z.string().min(1).max(200_000) })]),
      status: 201,
      scoped: true,
      async handler({ body }, { principal, scope }) {
        let definition: unknown;
        if ('yaml' in body) {
          try {
            definition = parseYaml(body.yaml);
          } catch (err) {
            throw new BadRequestError(`YAML 格式错误 YAML syntax error: ${(err as Error).message}`);
          }
        } else definition = body.definition;
        let createdTags: string[] = [];
        const sop = await deps.sops.publish(scope.corpId, definition, 'api', principal.tokenId ?? null, async (valid) => {
          createdTags = (await checkForPublish(deps, scope.corpId, valid)).createdTags;
        });
        return { ...sop, createdTags };
      },
    }),
    ...(['enable', 'pause'] as const).map((action) =>
      defineRoute({
        method: 'post',
        path: `/api/sops/:sopId/${action}`,
        tag: 'sop',
        summary: action === 'enable' ? '启用 Enable (audience SOPs enroll their audience now)' : '暂停 Pause: no new sends from this moment',
        roles: WRITERS,
        params: sopParams,
        query: corpOnly,
        scoped: true,
      async handler({ params }, { scope }) {
          // Enabling sends: a template unpublished or a tag deleted since the publish is refused here too.
          if (action === 'enable') await checkForPublish(deps, scope.corpId, (await deps.sops.get(scope.corpId, params.sopId)).definition);
          const sop = await deps.sops.setStatus(scope.corpId, params.sopId, action === 'enable' ? 'enabled' : 'paused');
          const audience = action === 'enable' && sop.definition.trigger.type === 'audience' ? await enrollAudience(deps, sop, deps.clock.now()) : null;
          return { ...sop, audience };
        },
      }),
    ),
    defineRoute({
      method: 'post',
      path: '/api/sops/:sopId/enrollments',
      tag: 'sop',
      summary: '手动加入 Enroll one contact by hand (re-entry rules apply)',
      roles: WRITERS,
      params: sopParams,
      query: corpOnly,
      body: z.strictObject({ contactId: objectIdString }),
      scoped: true,
      async handler({ params, body }, { scope }) {
        await deps.contacts.get(scope, body.contactId);
        return enroll(deps, await deps.sops.get(scope.corpId, params.sopId), body.contactId, deps.clock.now());
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/sops/:sopId/dry-run',
      tag: 'sop',
      summary: '试运行 Dry run: who would get what, when (audience per store, a sample timeline)',
      roles: WRITERS,
      params: sopParams,
      query: corpOnly,
      scoped: true,
      async handler({ params }, { scope }) {
        const sop = await deps.sops.get(scope.corpId, params.sopId);
        const stores = await deps.org.listStores(scope);
        const t = sop.definition.trigger;
        const audience = t.type === 'audience' ? t : t.type === 'schedule' ? t.audience : undefined;
        const base = audience ? await audienceFilter(deps, scope.corpId, audience) : null;
        const perStore = [];
        for (const store of stores) {
          const count = base ? await deps.contacts.countInStore(base, store.id) : null;
          perStore.push({ storeId: store.id, store: store.name, timezone: store.timezone, contacts: count, timeline: planSteps(sop.definition, deps.clock.now(), store.timezone).map((p) => ({ step: p.step, type: p.type, at: p.at })) });
        }
        // The headline count is enable's own pass without writes; per-store counts overlap (a contact of two stores counts in both).
        const counted = audience ? await enrollAudience(deps, { ...sop, status: 'enabled' }, deps.clock.now(), { dryRun: true }) : null;
        return { sopId: sop.sopId, version: sop.version, trigger: t, audience: counted, perStore };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/sops/:sopId/stats',
      tag: 'sop',
      summary: '执行情况 Execution: touches by status and reason, by store and staff; runs by status',
      roles: ROLES,
      params: sopParams,
      query: corpOnly,
      scoped: true,
      async handler({ params }, { scope }) {
        return sopStats(deps, scope, params.sopId);
      },
    }),
  ];
}
