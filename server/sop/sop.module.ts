/**
 * The SOP domain wired from its declared dependencies: the ledger over its own collections, routing, the run
 * facts, the registry, the renderer and the engine. Other domains get this module (server/sop/index.ts); the
 * runtime parts get the narrow slices they declare.
 */
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { createSopLedger, type SopLedger } from './ledger/index.ts';
import type { SopModels } from './ledger/sop.models.ts';
import { contentRenderer } from './runtime/content-renderer.ts';
import { enroll, type EnrollOutcome } from './runtime/enroll.ts';
import { ContactRouter } from './runtime/routing.ts';
import { runFactsOf, type RunFacts } from './runtime/run-facts.ts';
import { SopEngine, type SopEngineDeps } from './runtime/sop-engine.ts';
import { SopRegistry, type SopRecord } from './runtime/sop-registry.ts';
import type { TouchRenderer } from './runtime/touch-renderer.ts';
import { enrollAudience } from './runtime/triggers.ts';
import type { AudienceCount } from './runtime/audience-count.ts';
import { publishSopFiles } from './sop-files.ts';
import type { RendererDeps } from './runtime/content-renderer.ts';
import type { RoutingDeps } from './runtime/routing.ts';
import type { RunFactsDeps } from './runtime/run-facts.ts';
import type { BulkEnrollDeps } from './runtime/bulk-enroll.ts';
import type { OrgModule } from '../org/index.ts';
import type { SopContacts } from './runtime/sop-ports.ts';

export type SopDeps = Omit<SopEngineDeps, 'ledger' | 'routing' | 'runFacts'> &
  RoutingDeps &
  RunFactsDeps &
  RendererDeps &
  Omit<BulkEnrollDeps, 'ledger'> & {
    db: { connection: Connection; models: SopModels };
    /** The ledger when the graph already built one (experiments read touches from it); else the module builds it. */
    ledger?: SopLedger;
    /** The dry run counts contacts per store; manual enrollment checks the contact is in scope. */
    contacts: Pick<SopContacts, 'get' | 'countInStore'>;
    org: Pick<OrgModule, 'listStores'>;
  };

/** The deps with this module's own parts: what the runtime and the /api/sops routes (sop.route.ts) are given. */
export type SopRuntime = SopDeps & { ledger: SopLedger; routing: ContactRouter; runFacts: RunFacts; sops: SopRegistry };

export type SopModule = {
  ledger: SopLedger;
  routing: ContactRouter;
  runFacts: RunFacts;
  registry: SopRegistry;
  /** Renders touches from the content library (content-renderer.ts). */
  renderer: TouchRenderer;
  /** An engine for a scheduler process; `render` defaults to the content renderer. */
  engine(owner: string, logger: Logger, render?: TouchRenderer): SopEngine;
  /** Publishes sop-templates/ into every corp as drafts; returns how many versions were new. */
  publishFiles(dir?: string): Promise<number>;
  enroll(sop: SopRecord, contactId: string, at: Date): Promise<EnrollOutcome>;
  enrollAudience(sop: SopRecord, at: Date): Promise<AudienceCount>;
};

export function createSopModule(deps: SopDeps): SopModule {
  const ledger = deps.ledger ?? createSopLedger(deps.db);
  const routing = new ContactRouter(deps);
  const runFacts = runFactsOf(deps);
  // Publishing an SOP pins the content versions it will send and creates the experiments of its A/B steps.
  const registry = new SopRegistry({ ledger, clock: deps.clock }, (corpId, ids) => deps.content.pinnedVersions(corpId, ids), (sop) => deps.experiments.ensureForSop?.(sop.corpId, sop) ?? Promise.resolve());
  const runtime: SopRuntime = { ...deps, ledger, routing, runFacts, sops: registry };
  const renderer = contentRenderer(deps);
  return {
    ledger,
    routing,
    runFacts,
    registry,
    renderer,
    engine: (owner, logger, render = renderer) => new SopEngine(runtime, registry, render, owner, logger),
    publishFiles: (dir) => publishSopFiles(runtime, dir),
    enroll: (sop, contactId, at) => enroll(runtime, sop, contactId, at),
    enrollAudience: (sop, at) => enrollAudience(runtime, sop, at),
  };
}
