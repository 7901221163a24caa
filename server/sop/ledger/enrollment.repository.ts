/**
 * The runs' one owner: every read and write of `sop_enrollments`. The runner's claim spans tenants (one worker
 * serves every corp, on the `status, dueAt` index); every other method takes the corp and returns lean rows.
 */
import type { Types } from 'mongoose';
import type { SopModels } from './sop.models.ts';
import type { CommandTarget } from '../../db/insert-unordered.ts';
import { isDuplicateKeyError } from '../../errors.ts';
import { storeFilter, type Scope } from '../../shared/scope.ts';
import type { EnrollmentDoc, RunRow } from './enrollment.schema.ts';
import { insertNew, type NewDoc } from './insert-new.ts';
import { defaultsBesides } from './touch.repository.ts';

/** Where a run stands after a step. */
export type RunPosition = { stepId: string | null; dueAt: Date | null; cursorAt: Date; stepTimes: Record<string, Date>; variants: Record<string, string> };
/** An earlier run of a contact, as re-entry rules read it. */
export type PastRun = Pick<RunRow, 'contactId' | 'rotation' | 'status' | 'enteredAt'>;
/** A new run as `enroll()` writes it. */
export type NewRun = Pick<EnrollmentDoc, 'corpId' | 'sopId' | 'contactId' | 'storeId' | 'staffId' | 'tz' | 'rotation' | 'enteredAt' | 'status' | 'stepId' | 'dueAt' | 'cursorAt'>;
type Cursor<T> = { next(): Promise<T | null>; close(): Promise<unknown> };

export const LIVE_RUN_STATUSES = ['active', 'paused'] as const;

export class EnrollmentRepository {
  constructor(
    private readonly Enrollment: SopModels['Enrollment'],
    private readonly db: () => CommandTarget,
  ) {}

  /** Claims the most overdue active run under `owner`'s lease. */
  async claim(owner: string, now: Date, leaseMs: number): Promise<RunRow | null> {
    return this.Enrollment.findOneAndUpdate(
      { status: 'active', dueAt: { $lte: now }, $or: [{ leaseUntil: null }, { leaseUntil: { $lt: now } }] },
      { $set: { leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs) } },
      { returnDocument: 'after', sort: { dueAt: 1 } },
    ).lean<RunRow>();
  }

  /** Moves a run we still lease past a step; false when another runner took it over. */
  async move(run: Pick<RunRow, '_id' | 'corpId'>, owner: string, to: RunPosition): Promise<boolean> {
    const res = await this.Enrollment.updateOne(
      { _id: run._id, corpId: run.corpId, leaseOwner: owner },
      { $set: { stepId: to.stepId, dueAt: to.dueAt, cursorAt: to.cursorAt, stepTimes: to.stepTimes, variants: to.variants }, $inc: { steps: 1 } },
    );
    return res.matchedCount > 0;
  }

  async finish(run: Pick<RunRow, '_id' | 'corpId'>, owner: string, end: { status: 'completed' | 'exited'; reason: string | null; at: Date }): Promise<void> {
    await this.Enrollment.updateOne(
      { _id: run._id, corpId: run.corpId, leaseOwner: owner },
      { $set: { status: end.status, exitReason: end.reason, endedAt: end.at, leaseOwner: null, leaseUntil: null, dueAt: null } },
    );
  }

  async release(run: Pick<RunRow, '_id' | 'corpId'>, owner: string): Promise<void> {
    await this.Enrollment.updateOne({ _id: run._id, corpId: run.corpId, leaseOwner: owner }, { $set: { leaseOwner: null, leaseUntil: null } });
  }

  /** The contact's latest run of the SOP (re-entry decides from it). */
  async latest(corpId: string, sopId: string, contactId: string): Promise<PastRun | null> {
    return this.Enrollment.findOne({ corpId, sopId, contactId }).sort({ rotation: -1 }).lean<RunRow>();
  }

  /** Inserts a run; null when (SOP, contact, rotation) is taken already. */
  async start(run: NewRun): Promise<string | null> {
    try {
      return String((await this.Enrollment.create(run))._id);
    } catch (err) {
      if (isDuplicateKeyError(err)) return null;
      throw err;
    }
  }

  /** Every run of the SOP in contact order (bulk enrollment merges it with the audience). */
  pastRuns(corpId: string, sopId: string, batchSize: number): Cursor<PastRun> {
    return this.Enrollment.collection.find<PastRun>({ corpId, sopId }, { batchSize, sort: { contactId: 1, rotation: 1 }, projection: { contactId: 1, rotation: 1, status: 1, enteredAt: 1 } });
  }

  async insertNew(docs: NewDoc[]): Promise<Set<NewDoc>> {
    return insertNew(this.db(), this.Enrollment.collection.collectionName, docs);
  }

  async idOf(corpId: string, sopId: string, contactId: string, rotation: number): Promise<Types.ObjectId | null> {
    return (await this.Enrollment.findOne({ corpId, sopId, contactId, rotation }).select('_id').lean())?._id ?? null;
  }

  defaultsBesides(given: string[]): Record<string, unknown> {
    return defaultsBesides(this.Enrollment, given);
  }

  /** Pausing an SOP stops its active runs; resuming starts them again. */
  async pauseSop(corpId: string, sopId: string): Promise<void> {
    await this.Enrollment.updateMany({ corpId, sopId, status: 'active' }, { $set: { status: 'paused' } });
  }

  async resumeSop(corpId: string, sopId: string): Promise<void> {
    await this.Enrollment.updateMany({ corpId, sopId, status: 'paused' }, { $set: { status: 'active' } });
  }

  /** Handover: the contact's live runs follow the customer (a new store brings its zone). */
  async reassignStaff(corpId: string, contactId: string, fromStaffId: string, to: { staffId: string; storeId: string; tz?: string }): Promise<number> {
    const res = await this.Enrollment.updateMany(
      { corpId, contactId, staffId: fromStaffId, status: { $in: [...LIVE_RUN_STATUSES] } },
      { $set: { staffId: to.staffId, storeId: to.storeId, ...(to.tz ? { tz: to.tz } : {}) } },
    );
    return res.modifiedCount;
  }

  /** The contact's active and paused runs (sidebar). */
  async liveForContact(corpId: string, contactId: string): Promise<RunRow[]> {
    return this.Enrollment.find({ corpId, contactId, status: { $in: [...LIVE_RUN_STATUSES] } }).lean<RunRow[]>();
  }

  /**
   * A subject's runs in every status, newest first: a contact id, or `group:<chatId>` for a group's runs
   * (customer detail, group detail). Served by the `corpId, contactId, status` index.
   */
  async runsOfSubject(corpId: string, subjectId: string, limit = 50): Promise<RunRow[]> {
    return this.Enrollment.find({ corpId, contactId: subjectId }).sort({ enteredAt: -1 }).limit(limit).lean<RunRow[]>();
  }

  /** One SOP's runs by status. */
  async countsForSop(scope: Scope, sopId: string): Promise<Array<{ _id: string; n: number }>> {
    return this.Enrollment.aggregate<{ _id: string; n: number }>([{ $match: { corpId: scope.corpId, sopId, ...storeFilter(scope) } }, { $group: { _id: '$status', n: { $sum: 1 } } }]);
  }

  /**
   * A contact merge: the duplicate's runs become the kept contact's. A run of an SOP the kept contact already has
   * in the same rotation stays where it is (the unique index refuses two), ending with the duplicate's tombstone.
   */
  async reassignContact(corpId: string, fromContactId: string, toContactId: string): Promise<void> {
    const runs = await this.Enrollment.find({ corpId, contactId: fromContactId }).select('_id').lean();
    for (const run of runs) {
      await this.Enrollment.updateOne({ _id: run._id, corpId }, { $set: { contactId: toContactId } }).catch((err: unknown) => {
        if (!isDuplicateKeyError(err)) throw err;
      });
    }
  }
}
