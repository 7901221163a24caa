/**
 * Advances SOP runs. A run is claimed with a lease, then its due steps are executed in order until one lies in
 * the future: waits compute the next due time in the store's calendar, sends write a touch to the ledger
 * (planned after quiet hours), tasks go to the staff member's list, tags are applied, branches read the event
 * log. Every effect is keyed, and the run's position moves with a conditional update, so a runner that dies
 * half-way is simply repeated by the next one without doubling anything. Steps are looked up in the SOP's
 * latest published version by id, so an edit applies to every step not yet planned.
 */
import { HOLDOUT } from '../../experiments/index.ts';
import type { Clock } from '../../shared/clock.ts';
import type { TaskWriter } from '../../tasks/index.ts';
import { END } from '../definition/common.schema.ts';
import type { Sop, Step } from '../definition/sop.schema.ts';
import type { RunnerLedger, RunRow } from '../ledger/index.ts';
import { deliveryTime } from '../schedule/plan.ts';
import { variantSeed } from '../../shared/variant.ts';
import { localDate } from '../../shared/local-date.ts';
import type { RunFacts } from './run-facts.ts';
import type { ContactRouter, ContactRouting } from './routing.ts';
import { deliverySlot, plannedTouch } from './touch-row.ts';
import { waitEnd, waitRule } from '../schedule/wait.ts';

const LEASE_MS = 60_000;
const MAX_STEPS_PER_CLAIM = 64;

type Run = RunRow;

/** What the runner needs: the ledger's runs and touches, routing, the task writer, time and the run facts. */
export type RunnerDeps = {
  ledger: RunnerLedger;
  routing: Pick<ContactRouter, 'one'>;
  tasks: TaskWriter;
  clock: Clock;
  runFacts: RunFacts;
};

export class SopRunner {
  private halted = false;
  /** The run being advanced, so a stop that runs out of time can give its lease back. */
  private current: Run | null = null;

  constructor(
    private readonly deps: RunnerDeps,
    private readonly owner: string,
  ) {}

  /** Processes due runs until none is left (or `max`); returns how many were advanced. */
  async drain(max = Number.POSITIVE_INFINITY): Promise<number> {
    let n = 0;
    while (n < max && !this.halted) {
      const run = await this.claim();
      if (!run) break;
      this.current = run;
      try {
        await this.advance(run);
      } finally {
        this.current = null;
      }
      n++;
    }
    return n;
  }

  /** Shutdown: claims nothing more; the run in hand finishes. */
  halt(): void {
    this.halted = true;
  }

  /** Shutdown past its bound: the run in hand is given back (its moves are conditional on our lease, so none lands after). */
  async releaseCurrent(): Promise<boolean> {
    const run = this.current;
    if (!run) return false;
    await this.release(run);
    return true;
  }

  async claim(): Promise<Run | null> {
    return this.deps.ledger.runs.claim(this.owner, this.deps.clock.now(), LEASE_MS);
  }

  private async advance(run: Run): Promise<void> {
    const { deps } = this;
    const record = await deps.ledger.sops.find(run.corpId, run.sopId);
    if (!record || record.status !== 'enabled') return this.release(run);
    const sop = record.definition as Sop;
    let stepId = run.stepId;
    let cursorAt = run.cursorAt;
    let due = run.dueAt ?? run.cursorAt;
    const stepTimes: Record<string, Date> = { ...((run.stepTimes ?? {}) as Record<string, Date>) };
    const variants: Record<string, string> = { ...((run.variants ?? {}) as Record<string, string>) };
    for (let i = 0; i < MAX_STEPS_PER_CLAIM; i++) {
      const routing = await deps.routing.one(run.corpId, run.contactId);
      const exit = routing ? await deps.runFacts.exitReason(run.corpId, routing, sop.exit_on, run.enteredAt, sop.subject) : 'contact_not_found';
      if (exit) return this.finish(run, 'exited', exit);
      const index = sop.steps.findIndex((s) => s.id === stepId);
      const step = sop.steps[index];
      if (!step || !routing) return this.finish(run, 'completed', null);
      const outcome = await this.execute(run, record.version, record.priority, sop, step, routing, step.type === 'wait' ? due : cursorAt, stepTimes, variants);
      stepTimes[step.id] = outcome.at;
      cursorAt = outcome.at;
      const next = outcome.next ?? ('next' in step && step.next ? step.next : sop.steps[index + 1]?.id ?? END);
      if (next === END) {
        await this.move(run, { stepId: null, dueAt: null, cursorAt, stepTimes, variants });
        return this.finish(run, 'completed', null);
      }
      const nextStep = sop.steps.find((s) => s.id === next);
      const dueAt = nextStep?.type === 'wait' ? waitEnd(waitRule(nextStep), run.tz, cursorAt, run.enteredAt) : cursorAt;
      const moved = await this.move(run, { stepId: next, dueAt, cursorAt, stepTimes, variants });
      if (!moved) return; // another runner took the run over after our lease lapsed
      stepId = next;
      due = dueAt;
      if (nextStep?.type === 'wait') {
        // A wait is executed when it is due: time moves to its end and the run continues from there.
        if (dueAt.getTime() > deps.clock.now().getTime()) return this.release(run);
      }
    }
    return this.release(run);
  }

  /**
   * Executes one step at `cursorAt` (for a wait: its end); returns when it happened (later steps count from
   * there) and an explicit next step for branches.
   */
  private async execute(run: Run, version: number, priority: number, sop: Sop, step: Step, routing: ContactRouting, cursorAt: Date, stepTimes: Record<string, Date>, variants: Record<string, string>): Promise<{ at: Date; next?: string }> {
    const { deps } = this;
    switch (step.type) {
      case 'wait':
        return { at: cursorAt };
      case 'send': {
        const slot = deliverySlot(cursorAt, routing.tz, routing.quietHours);
        const pins = await deps.ledger.sops.contentPins(run.corpId, sop.id);
        let sendStep = step;
        if (step.variants && !variants[step.id]) {
          // A new assignment: the holdout gets no touch (its assignment is recorded instead), and a decided
          // auto-winner leaves only the winner to draw.
          const experiment = await deps.runFacts.experiment(run.corpId, variantSeed(sop.id, step), step.variants);
          if (experiment.holdout(run.contactId, slot.at)) {
            await deps.runFacts.saveHoldouts(run.corpId, variantSeed(sop.id, step), [{ contactId: run.contactId, storeId: routing.storeId, at: slot.at }]);
            variants[step.id] = HOLDOUT;
          }
          sendStep = { ...step, variants: experiment.variants };
        }
        if (variants[step.id] === HOLDOUT) return { at: slot.at };
        const touch = plannedTouch({ sop, version, priority, pins, step: sendStep, run: { enrollmentId: String(run._id), contactId: run.contactId, rotation: run.rotation, variants }, routing, slot });
        if (touch.variant) variants[step.id] = touch.variant;
        await deps.ledger.touches.plan(run.corpId, touch.key, touch.fields);
        return { at: slot.at };
      }
      case 'task': {
        const at = deliveryTime(cursorAt, routing.tz, routing.quietHours ? { quietHours: routing.quietHours } : {});
        if (routing.staffId && routing.storeId) {
          const due = step.due_in ? waitEnd({ duration: step.due_in }, routing.tz, at) : at;
          await deps.tasks.planOnce({
            corpId: run.corpId,
            key: `sop:${sop.id}:${run.contactId}:${run.rotation}:${step.id}`,
            storeId: routing.storeId,
            staffId: routing.staffId,
            kind: step.kind,
            title: step.title ?? (step.kind === 'call' ? '电话回访' : step.kind === 'visit' ? '到店拜访' : '跟进任务'),
            text: step.text ?? '',
            contactIds: routing.chatId || run.contactId.startsWith('staff:') ? [] : [run.contactId],
            source: { sopId: sop.id, stepId: step.id, touchId: null, vendorId: null },
            localDate: localDate(at, routing.tz),
            dueAt: due,
          });
        }
        return { at };
      }
      case 'tag':
      case 'untag': {
        await deps.runFacts.changeTags(run.corpId, run.contactId, step.type, step.tags, cursorAt);
        return { at: cursorAt };
      }
      case 'branch': {
        const holds = await deps.runFacts.holds(run.corpId, routing, step.condition, stepTimes, run.enteredAt);
        return { at: cursorAt, next: holds ? step.then : step.else };
      }
    }
  }

  private async move(run: Run, to: { stepId: string | null; dueAt: Date | null; cursorAt: Date; stepTimes: Record<string, Date>; variants: Record<string, string> }): Promise<boolean> {
    return this.deps.ledger.runs.move(run, this.owner, to);
  }

  private async finish(run: Run, status: 'completed' | 'exited', reason: string | null): Promise<void> {
    await this.deps.ledger.runs.finish(run, this.owner, { status, reason, at: this.deps.clock.now() });
    if (status === 'exited') {
      // Planned touches of a run that ended are not sent.
      await this.deps.ledger.touches.skipPlannedOfRun(run.corpId, String(run._id), `exited:${reason}`);
    }
  }

  private async release(run: Run): Promise<void> {
    await this.deps.ledger.runs.release(run, this.owner);
  }
}
