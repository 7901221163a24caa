/**
 * Experiments: created from an SOP's A/B send steps when it is published or enabled (`ensureForSop`), configured by marketers,
 * analysed on demand from the touch ledger and the event log, and decided by the auto-winner when the rules
 * allow. `stepExperiment` and `saveHoldouts` are what the SOP runner and the bulk enrollment call when they
 * assign contacts.
 */
import { BadRequestError, ConflictError, NotFoundError } from '../errors.ts';
import type { OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Scope } from '../shared/scope.ts';
import { assignmentPoint, variantSeed } from '../shared/variant.ts';
import { autoWinnerBlocked, autoWinnerCheck, effectiveArms, type AutoWinnerCheck } from './auto-winner.ts';
import { ExperimentAssignmentRepository, type AssignedUnit } from './experiment-assignment.repository.ts';
import { firstExposure, loadOutcomeEvents, loadUnits, type ExperimentSources } from './experiment-data.ts';
import { ExperimentRepository, type ExperimentRow } from './experiment.repository.ts';
import { HOLDOUT } from './experiment.schema.ts';
import type { ExperimentsModels } from './experiments.models.ts';
import { attribute, type ExposureUnit, type OutcomeEvent } from './outcomes.ts';
import { buildResults, type ExperimentResults } from './results.ts';
import { ShortLinkRepository } from './short-link.repository.ts';

type ExperimentModels = Pick<ExperimentsModels, 'Experiment' | 'ExperimentAssignment' | 'ShortLink'>;
/** The other domains' rows an analysis reads: the ledger's touches, the event log, contacts' opt-outs. */
export type OutcomeSources = Omit<ExperimentSources, 'assignments'>;

export function toExperimentDto(e: ExperimentRow) {
  return {
    experimentId: e.experimentId,
    name: e.name ?? e.experimentId,
    source: { sopId: e.source?.sopId ?? null, stepId: e.source?.stepId ?? null, campaignId: e.source?.campaignId ?? null },
    arms: e.arms.map((a) => ({ id: a.id, label: a.label ?? a.id, templateId: a.templateId, weight: a.weight })),
    holdoutWeight: e.holdoutWeight,
    goals: [...e.goals],
    guardrails: [...e.guardrails],
    windowDays: e.windowDays,
    sequential: e.sequential,
    startAt: e.startAt,
    endAt: e.endAt ?? null,
    stoppedAt: e.stoppedAt ?? null,
    status: e.status,
    autoWinner: { enabled: e.autoWinner?.enabled ?? false, decidedArm: e.autoWinner?.decidedArm ?? null, decidedAt: e.autoWinner?.decidedAt ?? null, reason: e.autoWinner?.reason ?? null },
    createdAt: e.createdAt ?? null,
    updatedAt: e.updatedAt ?? null,
  };
}
export type ExperimentDto = ReturnType<typeof toExperimentDto>;

export type ExperimentPatch = Partial<{ goals: string[]; guardrails: string[]; windowDays: number; sequential: boolean; holdoutWeight: number; endAt: Date | null; autoWinner: { enabled: boolean } }>;

/** Units exposed from here on are not analysed: the end, the stop, or the auto-winner's decision. */
function cutoff(e: ExperimentDto): Date | null {
  const times = [e.endAt, e.stoppedAt, e.autoWinner.decidedAt].filter((d): d is Date => d !== null).map((d) => d.getTime());
  return times.length ? new Date(Math.min(...times)) : null;
}

/**
 * What `ensureForSop` reads of an SOP definition: the send steps and their variants. A structural slice of the
 * SOP's `Sop` type, because server/sop/ depends on experiments (through campaigns) and not the other way round.
 */
type SopSendSteps = {
  steps: ReadonlyArray<{ type: string; id: string; title?: string; experiment?: string; variants?: ReadonlyArray<{ id: string; label?: string; template: string; weight: number }> }>;
};

export class ExperimentService {
  private readonly rows: ExperimentRepository;
  /** Holdout, greeting and welcome units (see experiment-assignment.repository.ts). */
  readonly assignments: ExperimentAssignmentRepository;
  /** Tracked short links (short-link.route.ts). */
  readonly links: ShortLinkRepository;

  private readonly sources: ExperimentSources;

  constructor(
    models: ExperimentModels,
    sources: OutcomeSources,
    private readonly clock: Clock,
    private readonly org: Pick<OrgModule, 'storeNames' | 'timezoneOf'>,
  ) {
    this.rows = new ExperimentRepository(models);
    this.assignments = new ExperimentAssignmentRepository(models);
    this.links = new ShortLinkRepository(models);
    this.sources = { ...sources, assignments: this.assignments };
  }

  /**
   * One experiment per send step with variants, arms and weights from the SOP; existing ones get the new arms.
   * Publishing and enabling an SOP call this, so marketers see the experiment without a sync. Named
   * 「<SOP 名称> · <步骤标题>」 and arms by their labels, because ids mean nothing on the dashboard.
   */
  async ensureForSop(corpId: string, sop: { sopId: string; name?: string; definition: SopSendSteps }): Promise<ExperimentDto[]> {
    const out: ExperimentDto[] = [];
    for (const step of sop.definition.steps) {
      if (step.type !== 'send' || !step.variants) continue;
      const experimentId = variantSeed(sop.sopId, step);
      const arms = step.variants.map((v) => ({ id: v.id, label: v.label ?? v.id, templateId: v.template, weight: v.weight }));
      const source = { sopId: sop.sopId, stepId: step.id, campaignId: null };
      const name = `${sop.name ?? sop.sopId} · ${step.title ?? step.id}`;
      if (!(await this.rows.setArms(corpId, experimentId, source, arms, name))) {
        // A step that already assigned contacts before its experiment row existed: the experiment starts there.
        const now = this.clock.now();
        const first = await firstExposure(this.sources, corpId, experimentId);
        await this.rows.upsertArms(corpId, experimentId, source, arms, name, { startAt: first && first < now ? first : now, status: 'running' });
      }
      out.push(await this.get(corpId, experimentId));
    }
    return out;
  }

  /**
   * The greeting experiment of an add-friend campaign (`source.campaignId`): arms are the greetings, the goal
   * is `friend_added`. Its units are `experiment_assignments` rows the campaign writes when it assigns a lead
   * (contact id `lead:<id>` until the lead becomes a contact), which loadUnits already reads. Existing rows
   * get the new arms.
   */
  async ensureForCampaign(corpId: string, input: { campaignId: string; experimentId: string; name?: string; arms: Array<{ id: string; label?: string; templateId: string; weight: number }> }): Promise<ExperimentDto> {
    const source = { sopId: null, stepId: null, campaignId: input.campaignId };
    const arms = input.arms.map((a) => ({ id: a.id, label: a.label ?? a.id, templateId: a.templateId, weight: a.weight }));
    await this.rows.upsertArms(corpId, input.experimentId, source, arms, input.name ?? input.experimentId, { startAt: this.clock.now(), status: 'running', goals: ['friend_added'], guardrails: ['friend_deleted'], windowDays: 14 });
    return this.get(corpId, input.experimentId);
  }

  /**
   * The answer experiment of an A/B tested knowledge entry (`source.campaignId` `kf-knowledge:<entryId>`, like
   * live codes' `live-code:<state>`): arms are the answer variants, the goal `kf_resolved` (no handover after the
   * answer). Units are `experiment_assignments` rows the kf bot writes at a customer's first answer (`recordUnit`).
   * Existing rows get the new arms and name; a stopped or decided one stays so.
   */
  async ensureForKnowledge(corpId: string, input: { entryId: string; experimentId: string; name: string; arms: Array<{ id: string; label?: string; templateId: string; weight: number }> }): Promise<ExperimentDto> {
    const source = { sopId: null, stepId: null, campaignId: `kf-knowledge:${input.entryId}` };
    const arms = input.arms.map((a) => ({ id: a.id, label: a.label ?? a.id, templateId: a.templateId, weight: a.weight }));
    await this.rows.upsertArms(corpId, input.experimentId, source, arms, input.name, { startAt: this.clock.now(), status: 'running', goals: ['kf_resolved'], guardrails: [], windowDays: 7 });
    return this.get(corpId, input.experimentId);
  }

  async list(corpId: string): Promise<ExperimentDto[]> {
    return (await this.rows.list(corpId)).map(toExperimentDto);
  }

  async get(corpId: string, experimentId: string): Promise<ExperimentDto> {
    const row = await this.rows.find(corpId, experimentId);
    if (!row) throw new NotFoundError('experiment', experimentId);
    return toExperimentDto(row);
  }

  async configure(corpId: string, experimentId: string, patch: ExperimentPatch): Promise<ExperimentDto> {
    const current = await this.get(corpId, experimentId);
    if (patch.endAt && patch.endAt <= current.startAt) throw new BadRequestError('结束时间必须晚于开始时间 endAt must be after the start', [{ path: 'body.endAt', message: `须晚于 must be after ${current.startAt.toISOString()}` }]);
    const { autoWinner, ...rest } = patch;
    const set: Record<string, unknown> = { ...rest };
    if (autoWinner) set['autoWinner.enabled'] = autoWinner.enabled;
    await this.rows.set(corpId, experimentId, set);
    return this.get(corpId, experimentId);
  }

  async stop(corpId: string, experimentId: string): Promise<ExperimentDto> {
    const stopped = await this.rows.stop(corpId, experimentId, this.clock.now());
    const e = await this.get(corpId, experimentId);
    if (!stopped) throw new ConflictError(`实验 ${experimentId} 不在进行中（${e.status}）experiment ${experimentId} is ${e.status}, not running`);
    return e;
  }

  /** Every statistic, computed now from the ledger and the event log (store roles see their store's units). */
  async results(scope: Scope, experiment: ExperimentDto, opts: { sequential?: boolean } = {}): Promise<ExperimentResults> {
    const until = cutoff(experiment);
    const metrics = [...experiment.goals, ...experiment.guardrails];
    const units = (await loadUnits(this.sources, scope, experiment.experimentId)).filter((u) => u.exposedAt >= experiment.startAt && (!until || u.exposedAt < until));
    const events = await loadOutcomeEvents(this.sources, scope.corpId, units, metrics, experiment.windowDays);
    const stores = await this.org.storeNames(scope.corpId);
    const timezone = await this.org.timezoneOf(scope.corpId);
    return buildResults({
      config: { ...experiment, sequential: opts.sequential ?? experiment.sequential },
      units: attribute(units, events, { metrics, windowDays: experiment.windowDays, experimentId: experiment.experimentId }),
      stores,
      timezone,
      now: this.clock.now(),
      windowDays: experiment.windowDays,
    });
  }

  /**
   * Checks the auto-winner rules on corp-wide results (sequential p) and records the decision once when they
   * allow; returns the check either way.
   */
  async evaluateAutoWinner(corpId: string, experimentId: string): Promise<AutoWinnerCheck> {
    const e = await this.get(corpId, experimentId);
    const blocked = autoWinnerBlocked(e);
    if (blocked) return { decide: false, reason: blocked };
    const check = autoWinnerCheck(e, await this.results({ corpId, storeIds: null }, e, { sequential: true }));
    if (check.decide) await this.rows.decide(corpId, experimentId, { arm: check.arm, reason: check.reason, at: this.clock.now() });
    return check;
  }

  /** For a scheduler: evaluates every running experiment with auto-winner on; returns the decisions made. */
  async sweepAutoWinners(): Promise<Array<{ corpId: string; experimentId: string; arm: string }>> {
    const rows = await this.rows.autoWinnerCandidates();
    const decided = [];
    for (const r of rows) {
      const check = await this.evaluateAutoWinner(r.corpId, r.experimentId);
      if (check.decide) decided.push({ corpId: r.corpId, experimentId: r.experimentId, arm: check.arm });
    }
    return decided;
  }

  /** `stepExperiment` under the name live-code welcomes use. */
  step<V extends { id: string; weight: number }>(corpId: string, experimentId: string, variants: readonly V[]): Promise<StepExperiment<V>> {
    return this.stepExperiment(corpId, experimentId, variants);
  }

  /** Records a contact as a unit of the experiment, once: a contact keeps its first arm. */
  recordUnit(corpId: string, experimentId: string, contactId: string, unit: { arm: string; storeId: string | null; at: Date }): Promise<void> {
    return this.assignments.recordExposure(corpId, experimentId, { contactId, ...unit });
  }

  /** Every experiment assignment of a contact (arms and holdouts), for the chat sidebar. */
  assignmentsOfContact(corpId: string, contactId: string) {
    return this.assignments.forContact(corpId, contactId);
  }

  /** The variants and holdout draw of a step's new assignments (see `stepExperiment`). */
  stepExperiment<V extends { id: string; weight: number }>(corpId: string, experimentId: string, variants: readonly V[]): Promise<StepExperiment<V>> {
    return stepOf(this.rows, corpId, experimentId, variants);
  }

  /** The variants a new assignment draws from (see `variantsForStep`). */
  async allowedVariants<V extends { id: string; weight: number }>(corpId: string, experimentId: string, variants: readonly V[]): Promise<V[]> {
    return (await stepOf(this.rows, corpId, experimentId, variants)).variants;
  }

  saveHoldouts(corpId: string, experimentId: string, units: readonly AssignedUnit[]): Promise<void> {
    return this.assignments.saveHoldouts(corpId, experimentId, units);
  }

  /** The outcome events of these units within `windowDays` of their exposure (the campaign funnel's replies). */
  outcomeEvents(corpId: string, units: readonly ExposureUnit[], metrics: readonly string[], windowDays: number): Promise<OutcomeEvent[]> {
    return loadOutcomeEvents(this.sources, corpId, units, metrics, windowDays);
  }
}

export type StepExperiment<V> = { variants: V[]; holdout(contactId: string, at: Date): boolean };

async function stepOf<V extends { id: string; weight: number }>(rows: ExperimentRepository, corpId: string, experimentId: string, variants: readonly V[]): Promise<StepExperiment<V>> {
  const row = await rows.find(corpId, experimentId);
  if (!row) return { variants: [...variants], holdout: () => false };
  const allowed = new Set(effectiveArms(row).map((a) => a.id));
  const kept = variants.filter((v) => allowed.has(v.id));
  return { variants: kept.length ? kept : [...variants], holdout: (contactId, at) => inHoldout(row, contactId, at) };
}

/**
 * For the runner: the variants a new assignment draws from. Unchanged without an experiment row; only the
 * decided winner once the auto-winner has decided (a winner the step no longer has changes nothing).
 */
export async function variantsForStep<V extends { id: string; weight: number }>(models: Pick<ExperimentsModels, 'Experiment'>, corpId: string, experimentId: string, variants: readonly V[]): Promise<V[]> {
  return (await stepExperiment(models, corpId, experimentId, variants)).variants;
}

/**
 * Everything a send step's new assignments depend on, read once (a bulk enrollment assigns thousands of
 * contacts from one read): the variants to draw from (`variantsForStep`) and the holdout draw (`inHoldout`).
 */
export async function stepExperiment<V extends { id: string; weight: number }>(models: Pick<ExperimentsModels, 'Experiment'>, corpId: string, experimentId: string, variants: readonly V[]): Promise<StepExperiment<V>> {
  return stepOf(new ExperimentRepository(models), corpId, experimentId, variants);
}

/**
 * Is this contact in the experiment's holdout? A second deterministic draw (seed `<experimentId>#holdout`),
 * so adding a holdout does not move anyone between arms. Only while the experiment runs and `at` is in range.
 */
export function inHoldout(e: { experimentId: string; arms: ReadonlyArray<{ weight: number }>; holdoutWeight: number; status: string; startAt: Date; endAt?: Date | null }, contactId: string, at: Date): boolean {
  if (e.status !== 'running' || e.holdoutWeight <= 0 || at < e.startAt || (e.endAt && at >= e.endAt)) return false;
  const total = e.holdoutWeight + e.arms.reduce((s, a) => s + a.weight, 0);
  return assignmentPoint(`${e.experimentId}#${HOLDOUT}`, contactId) < e.holdoutWeight / total;
}
