/**
 * Advances SOP runs. A run is claimed with a lease, then its due steps are executed in order until one lies in
 * the future: waits compute the next due time in the store's calendar, sends write a touch to the ledger
 * (planned after quiet hours), tasks go to the staff member's list, tags are applied, branches read the event
 * log. Every effect is keyed, and the run's position moves with a conditional update, so a runner that dies
 * half-way is simply repeated by the next one without doubling anything. Steps are looked up in the SOP's
 * latest published version by id, so an edit applies to every step not yet planned.
 */
import type { Services } from '../../services.ts';
import { END } from '../definition/common.schema.ts';
import type { Sop, Step } from '../definition/sop.schema.ts';
import { HOLDOUT } from '../../experiments/experiment.schema.ts';
import { saveHoldouts, stepExperiment } from '../../experiments/experiment.service.ts';
import { deliveryTime } from '../schedule/plan.ts';
import { variantSeed } from '../schedule/variant.ts';
import { evaluateCondition, exitReason } from './conditions.ts';
import { contactRouting, type ContactRouting } from './routing.ts';
import { localDay } from './local-day.ts';
import { tagIdsForNames } from './tag-names.ts';
import { deliverySlot, plannedTouch } from './touch-row.ts';
import { waitEnd, waitRule } from '../schedule/wait.ts';

const LEASE_MS = 60_000;
const MAX_STEPS_PER_CLAIM = 64;

type Run = NonNullable<Awaited<ReturnType<SopRunner['claim']>>>;

export class SopRunner {
  constructor(
    private readonly services: Services,
    private readonly owner: string,
  ) {}

  /** Processes due runs until none is left (or `max`); returns how many were advanced. */
  async drain(max = Number.POSITIVE_INFINITY): Promise<number> {
    let n = 0;
    while (n < max) {
      const run = await this.claim();
      if (!run) break;
      await this.advance(run);
      n++;
    }
    return n;
  }

  async claim() {
    const now = this.services.clock.now();
    return this.services.db.models.Enrollment.findOneAndUpdate(
      { status: 'active', dueAt: { $lte: now }, $or: [{ leaseUntil: null }, { leaseUntil: { $lt: now } }] },
      { $set: { leaseOwner: this.owner, leaseUntil: new Date(now.getTime() + LEASE_MS) } },
      { returnDocument: 'after', sort: { dueAt: 1 } },
    ).lean();
  }

  private async advance(run: Run): Promise<void> {
    const { services } = this;
    const m = services.db.models;
    const record = await m.Sop.findOne({ corpId: run.corpId, sopId: run.sopId }).lean();
    if (!record || record.status !== 'enabled') return this.release(run);
    const sop = record.definition as Sop;
    let stepId = run.stepId;
    let cursorAt = run.cursorAt;
    let due = run.dueAt ?? run.cursorAt;
    const stepTimes: Record<string, Date> = { ...((run.stepTimes ?? {}) as Record<string, Date>) };
    const variants: Record<string, string> = { ...((run.variants ?? {}) as Record<string, string>) };
    for (let i = 0; i < MAX_STEPS_PER_CLAIM; i++) {
      const routing = await contactRouting(services, run.corpId, run.contactId);
      const exit = routing ? await exitReason(services, run.corpId, routing, sop.exit_on, run.enteredAt, sop.subject) : 'contact_not_found';
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
        if (dueAt.getTime() > services.clock.now().getTime()) return this.release(run);
      }
    }
    return this.release(run);
  }

  /**
   * Executes one step at `cursorAt` (for a wait: its end); returns when it happened (later steps count from
   * there) and an explicit next step for branches.
   */
  private async execute(run: Run, version: number, priority: number, sop: Sop, step: Step, routing: ContactRouting, cursorAt: Date, stepTimes: Record<string, Date>, variants: Record<string, string>): Promise<{ at: Date; next?: string }> {
    const { services } = this;
    const m = services.db.models;
    switch (step.type) {
      case 'wait':
        return { at: cursorAt };
      case 'send': {
        const slot = deliverySlot(cursorAt, routing.tz);
        const pins = ((await m.Sop.findOne({ corpId: run.corpId, sopId: sop.id }).select('contentPins').lean())?.contentPins ?? {}) as Record<string, number | null>;
        let sendStep = step;
        if (step.variants && !variants[step.id]) {
          // A new assignment: the holdout gets no touch (its assignment is recorded instead), and a decided
          // auto-winner leaves only the winner to draw.
          const experiment = await stepExperiment(m, run.corpId, variantSeed(sop.id, step), step.variants);
          if (experiment.holdout(run.contactId, slot.at)) {
            await saveHoldouts(m, run.corpId, variantSeed(sop.id, step), [{ contactId: run.contactId, storeId: routing.storeId, at: slot.at }]);
            variants[step.id] = HOLDOUT;
          }
          sendStep = { ...step, variants: experiment.variants };
        }
        if (variants[step.id] === HOLDOUT) return { at: slot.at };
        const touch = plannedTouch({ sop, version, priority, pins, step: sendStep, run: { enrollmentId: String(run._id), contactId: run.contactId, rotation: run.rotation, variants }, routing, slot });
        if (touch.variant) variants[step.id] = touch.variant;
        await m.Touch.updateOne({ corpId: run.corpId, key: touch.key }, { $setOnInsert: touch.fields }, { upsert: true });
        return { at: slot.at };
      }
      case 'task': {
        const at = deliveryTime(cursorAt, routing.tz);
        if (routing.staffId && routing.storeId) {
          const due = step.due_in ? waitEnd({ duration: step.due_in }, routing.tz, at) : at;
          await services.tasks.planOnce({
            corpId: run.corpId,
            key: `sop:${sop.id}:${run.contactId}:${run.rotation}:${step.id}`,
            storeId: routing.storeId,
            staffId: routing.staffId,
            kind: step.kind,
            title: step.title ?? (step.kind === 'call' ? '电话回访' : step.kind === 'visit' ? '到店拜访' : '跟进任务'),
            text: step.text ?? '',
            contactIds: routing.chatId || run.contactId.startsWith('staff:') ? [] : [run.contactId],
            source: { sopId: sop.id, stepId: step.id, touchId: null, vendorId: null },
            localDate: localDay(at, routing.tz),
            dueAt: due,
          });
        }
        return { at };
      }
      case 'tag':
      case 'untag': {
        const ids = await tagIdsForNames(services, run.corpId, step.tags);
        const scope = { corpId: run.corpId, storeIds: null };
        await services.contacts.changeTags(scope, run.contactId, step.type === 'tag' ? ids : [], step.type === 'untag' ? ids : [], cursorAt);
        return { at: cursorAt };
      }
      case 'branch': {
        const holds = await evaluateCondition(services, run.corpId, routing, step.condition, stepTimes, run.enteredAt);
        return { at: cursorAt, next: holds ? step.then : step.else };
      }
    }
  }

  private async move(run: Run, to: { stepId: string | null; dueAt: Date | null; cursorAt: Date; stepTimes: Record<string, Date>; variants: Record<string, string> }): Promise<boolean> {
    const res = await this.services.db.models.Enrollment.updateOne(
      { _id: run._id, leaseOwner: this.owner },
      { $set: { stepId: to.stepId, dueAt: to.dueAt, cursorAt: to.cursorAt, stepTimes: to.stepTimes, variants: to.variants }, $inc: { steps: 1 } },
    );
    return res.matchedCount > 0;
  }

  private async finish(run: Run, status: 'completed' | 'exited', reason: string | null): Promise<void> {
    await this.services.db.models.Enrollment.updateOne(
      { _id: run._id, leaseOwner: this.owner },
      { $set: { status, exitReason: reason, endedAt: this.services.clock.now(), leaseOwner: null, leaseUntil: null, dueAt: null } },
    );
    if (status === 'exited') {
      // Planned touches of a run that ended are not sent.
      await this.services.db.models.Touch.updateMany({ corpId: run.corpId, enrollmentId: String(run._id), status: { $in: ['scheduled', 'held'] } }, { $set: { status: 'skipped', reason: `exited:${reason}` } });
    }
  }

  private async release(run: Run): Promise<void> {
    await this.services.db.models.Enrollment.updateOne({ _id: run._id, leaseOwner: this.owner }, { $set: { leaseOwner: null, leaseUntil: null } });
  }
}
