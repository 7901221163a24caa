/**
 * Staff tasks: what one staff member does on the phone today. Creation is idempotent on (corpId, key), so an SOP
 * step or campaign that runs twice creates one task; closing a task is one conditional update, so two taps (or
 * two devices) close it once.
 */
import type { Types } from 'mongoose';
import type { Principal } from '../auth/index.ts';
import { BadRequestError, ConflictError, NotFoundError, isDuplicateKeyError } from '../errors.ts';
import type { Clock } from '../shared/clock.ts';
import { toObjectId } from '../shared/object-id.ts';
import { beforeTimePoint, type TimePoint } from '../shared/pagination.ts';
import { storeFilter, type Scope } from '../shared/scope.ts';
import type { StaffTaskDoc, TaskKind } from './staff-task.schema.ts';
import type { TasksModels } from './tasks.models.ts';

type TaskRow = StaffTaskDoc & { _id: Types.ObjectId; createdAt?: Date; updatedAt?: Date };
export type TaskStatus = StaffTaskDoc['status'];

export const toStaffTaskDto = (t: TaskRow) => ({
  id: String(t._id),
  corpId: t.corpId,
  key: t.key,
  storeId: t.storeId,
  staffId: t.staffId,
  kind: t.kind,
  title: t.title,
  text: t.text ?? '',
  media: (t.media ?? []) as TaskMedia[],
  contactIds: t.contactIds ?? [],
  source: { sopId: t.source?.sopId ?? null, stepId: t.source?.stepId ?? null, touchId: t.source?.touchId ?? null, vendorId: t.source?.vendorId ?? null },
  localDate: t.localDate,
  dueAt: t.dueAt,
  status: t.status,
  skipReason: t.skipReason ?? null,
  /** When the task was closed, done or skipped. */
  doneAt: t.doneAt ?? null,
  createdAt: t.createdAt ?? null,
});
export type StaffTaskDto = ReturnType<typeof toStaffTaskDto>;

/** Media a task shows beside its text, as the content library keeps them (URLs, never vendor media ids). */
export type TaskMedia = { type: string; url?: string; title?: string; desc?: string; picUrl?: string; appId?: string; page?: string };

/** A task to create; `key` names it within the corp (e.g. `sop:<enrollment>:<step>`). */
export type StaffTaskInput = {
  corpId: string;
  key: string;
  storeId: string;
  staffId: string;
  kind: TaskKind;
  title: string;
  text?: string;
  media?: TaskMedia[];
  contactIds?: string[];
  source?: { sopId?: string | null; stepId?: string | null; touchId?: string | null; vendorId?: string | null };
  /** Store-local day, YYYY-MM-DD. */
  localDate: string;
  dueAt: Date;
};

/** Who closes a task: a staff member closes their own; the store's manager and HQ close anyone's. */
export type TaskActor = Pick<Principal, 'role' | 'staffId'>;

export type TaskCountRow = { storeId: string; staffId: string; localDate: string; total: number; open: number; done: number; skipped: number; completionRate: number };

export type ContactSummary = { id: string; name: string; phone: string | null };

/** Who the contacts of a task are to its staff member; the contacts face fills it (`follows.namesForStaff`). */
export type ContactNames = {
  namesForStaff(scope: Scope, staffId: string, contactIds: readonly string[]): Promise<Map<string, ContactSummary>>;
};

const STATUS_ORDER: Record<TaskStatus, number> = { open: 0, done: 1, skipped: 1 };

export class StaffTaskRepository {
  constructor(
    private readonly models: TasksModels,
    private readonly clock: Clock,
    private readonly contacts: ContactNames,
  ) {}

  /**
   * Inserts the task unless one with the same (corpId, key) exists, and returns whichever is stored. The unique
   * index arbitrates concurrent calls: the losers read the winner's row. `created` tells which happened.
   */
  async createOnce(task: StaffTaskInput): Promise<StaffTaskDto & { created: boolean }> {
    try {
      const doc = await this.models.StaffTask.create({ ...task, text: task.text ?? '', contactIds: task.contactIds ?? [], status: 'open' });
      return { ...toStaffTaskDto(doc.toObject() as TaskRow), created: true };
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      const row = await this.models.StaffTask.findOne({ corpId: task.corpId, key: task.key }).lean<TaskRow>();
      if (!row) throw err;
      return { ...toStaffTaskDto(row), created: false };
    }
  }

  /**
   * An SOP task step: created once under its key with everything it says; a step repeated after a crash finds
   * the task there and changes nothing.
   */
  async planOnce(task: StaffTaskInput): Promise<void> {
    const { corpId, key, ...fields } = task;
    await this.models.StaffTask.updateOne({ corpId, key }, { $setOnInsert: { ...fields, text: fields.text ?? '', contactIds: fields.contactIds ?? [], status: 'open' } }, { upsert: true });
  }

  /**
   * The task of a mass send the staff member confirms: one per send, whose contacts accumulate (a batch sent in
   * parts, or a reclaimed batch, joins the same task).
   */
  async addToMassSend(task: StaffTaskInput & { contactIds: string[] }): Promise<void> {
    const { corpId, key, contactIds, ...fields } = task;
    await this.models.StaffTask.updateOne(
      { corpId, key },
      { $setOnInsert: { ...fields, text: fields.text ?? '', status: 'open' }, $addToSet: { contactIds: { $each: contactIds } } },
      { upsert: true },
    );
  }

  /**
   * Handover: open tasks about only this customer change hands; a task about several customers (a mass-send
   * confirmation) stays with the old member minus this customer, and the customer joins a sibling task of the
   * new member. Returns how many tasks were touched; running it again changes nothing.
   */
  async handOver(corpId: string, contactId: string, from: { id: string }, to: { id: string; storeId: string }): Promise<number> {
    const T = this.models.StaffTask;
    const own = await T.updateMany({ corpId, staffId: from.id, status: 'open', contactIds: [contactId] }, { $set: { staffId: to.id, storeId: to.storeId } });
    const shared = await T.find({ corpId, staffId: from.id, status: 'open', contactIds: contactId }).lean();
    for (const task of shared) {
      const { _id, key, staffId: _s, storeId: _st, contactIds: _c, createdAt: _ca, updatedAt: _ua, ...rest } = task as typeof task & { createdAt?: Date; updatedAt?: Date };
      const join = () => T.updateOne({ corpId, key: `${key}>handover:${to.id}` }, { $setOnInsert: { ...rest, staffId: to.id, storeId: to.storeId }, $addToSet: { contactIds: contactId } }, { upsert: true });
      // Two customers of one task moving at once race to create the sibling: the loser joins the winner's.
      await join().catch((err: unknown) => (isDuplicateKeyError(err) ? join() : Promise.reject(err)));
      await T.updateOne({ _id, corpId }, { $pull: { contactIds: contactId } });
    }
    return own.modifiedCount + shared.length;
  }

  /** The tasks of one store-local day in one store (nightly rollup). */
  async ofStoreDay(corpId: string, storeId: string, localDate: string): Promise<Array<Pick<TaskRow, 'staffId' | 'status'>>> {
    return this.models.StaffTask.find({ corpId, storeId, localDate }).select('staffId status').lean<Array<Pick<TaskRow, 'staffId' | 'status'>>>();
  }

  /** Tasks of store-local days [from, to] by store, staff member and status (execution overview). */
  async countsByStaff(scope: Scope, from: string, to: string): Promise<Array<{ storeId: string; staffId: string; status: TaskStatus; n: number }>> {
    const rows = await this.models.StaffTask.aggregate<{ _id: { storeId: string; staffId: string; status: TaskStatus }; n: number }>([
      { $match: { corpId: scope.corpId, ...storeFilter(scope), localDate: { $gte: from, $lte: to } } },
      { $group: { _id: { storeId: '$storeId', staffId: '$staffId', status: '$status' }, n: { $sum: 1 } } },
    ]);
    return rows.map((r) => ({ ...r._id, n: r.n }));
  }

  /** One staff member's tasks for a store-local day: open ones first (by due time), then done and skipped. */
  async listForStaff(scope: Scope, staffId: string, localDate: string): Promise<StaffTaskDto[]> {
    const rows = await this.models.StaffTask.find({ corpId: scope.corpId, staffId, localDate, ...storeFilter(scope) }).lean<TaskRow[]>();
    return rows.sort(byStatusThenDue).map(toStaffTaskDto);
  }

  /** Tasks of a day across the scope (manager and HQ views), optionally for one store or staff member; at most 5,000. */
  async list(scope: Scope, f: { localDate: string; storeId?: string; staffId?: string }): Promise<StaffTaskDto[]> {
    const q: Record<string, unknown> = { corpId: scope.corpId, localDate: f.localDate, ...storeFilter(scope) };
    if (f.storeId) q.storeId = scope.storeIds === null || scope.storeIds.includes(f.storeId) ? f.storeId : '__none__';
    if (f.staffId) q.staffId = f.staffId;
    const rows = await this.models.StaffTask.find(q).limit(5000).lean<TaskRow[]>();
    return rows.sort((a, b) => a.staffId.localeCompare(b.staffId) || byStatusThenDue(a, b)).map(toStaffTaskDto);
  }

  async get(scope: Scope, id: string, by: TaskActor): Promise<StaffTaskDto> {
    const row = await this.findRow(scope, id, by);
    if (!row) throw new NotFoundError('task', id);
    return toStaffTaskDto(row);
  }

  /** Marks a task done. Repeating it is harmless; a skipped task cannot become done (409). */
  async complete(scope: Scope, id: string, by: TaskActor): Promise<StaffTaskDto> {
    return this.close(scope, id, by, 'done', null);
  }

  /** Skips a task with a reason (required). Repeating it is harmless; a done task cannot be skipped (409). */
  async skip(scope: Scope, id: string, reason: string, by: TaskActor): Promise<StaffTaskDto> {
    const why = reason.trim();
    if (!why) throw new BadRequestError('跳过任务需要填写原因 A reason is required to skip a task', [{ path: 'body.reason', message: '必填 Required' }]);
    return this.close(scope, id, by, 'skipped', why.slice(0, 200));
  }

  /**
   * Totals per (store, staff member, day) over an inclusive range of store-local days, for reports.
   * `completionRate` is done / total (skipped tasks count as not done).
   */
  async counts(scope: Scope, f: { from: string; to: string; storeId?: string; staffId?: string }): Promise<TaskCountRow[]> {
    const match: Record<string, unknown> = { corpId: scope.corpId, localDate: { $gte: f.from, $lte: f.to }, ...storeFilter(scope) };
    if (f.storeId) match.storeId = scope.storeIds === null || scope.storeIds.includes(f.storeId) ? f.storeId : '__none__';
    if (f.staffId) match.staffId = f.staffId;
    const groups = await this.models.StaffTask.aggregate<{ _id: { storeId: string; staffId: string; localDate: string; status: TaskStatus }; n: number }>([
      { $match: match },
      { $group: { _id: { storeId: '$storeId', staffId: '$staffId', localDate: '$localDate', status: '$status' }, n: { $sum: 1 } } },
    ]);
    const rows = new Map<string, TaskCountRow>();
    for (const g of groups) {
      const { storeId, staffId, localDate, status } = g._id;
      const k = `${storeId}|${staffId}|${localDate}`;
      const row = rows.get(k) ?? { storeId, staffId, localDate, total: 0, open: 0, done: 0, skipped: 0, completionRate: 0 };
      row[status] += g.n;
      row.total += g.n;
      rows.set(k, row);
    }
    return [...rows.values()]
      .map((r) => ({ ...r, completionRate: r.total ? Math.round((r.done / r.total) * 10_000) / 10_000 : 0 }))
      .sort((a, b) => a.localDate.localeCompare(b.localDate) || a.storeId.localeCompare(b.storeId) || a.staffId.localeCompare(b.staffId));
  }

  /**
   * Display names (the staff member's remark, else the WeChat name) and masked phones of up to `limit` contacts
   * of each list, in the order given; contacts outside the scope or merged away are left out.
   */
  async contactSummaries(scope: Scope, staffId: string, lists: string[][], limit = 50): Promise<Map<string, ContactSummary>> {
    const ids = [...new Set(lists.flatMap((l) => l.slice(0, limit)))];
    return this.contacts.namesForStaff(scope, staffId, ids);
  }

  private async findRow(scope: Scope, id: string, by: TaskActor): Promise<TaskRow | null> {
    const _id = toObjectId(id);
    if (!_id) return null;
    return this.models.StaffTask.findOne({ _id, ...this.ownership(scope, by) }).lean<TaskRow>();
  }

  /** The filter a caller may act within: their own tasks, or every task in scope for managers and HQ. */
  private ownership(scope: Scope, by: TaskActor): Record<string, unknown> {
    const own = by.role === 'store_manager' || by.role === 'hq_admin' ? {} : { staffId: by.staffId ?? '__none__' };
    return { corpId: scope.corpId, ...storeFilter(scope), ...own };
  }

  private async close(scope: Scope, id: string, by: TaskActor, status: 'done' | 'skipped', skipReason: string | null): Promise<StaffTaskDto> {
    const _id = toObjectId(id);
    if (!_id) throw new NotFoundError('task', id);
    const row = await this.models.StaffTask.findOneAndUpdate(
      { _id, ...this.ownership(scope, by), status: 'open' },
      { $set: { status, skipReason, doneAt: this.clock.now() } },
      { returnDocument: 'after' },
    ).lean<TaskRow>();
    if (row) return toStaffTaskDto(row);
    const current = await this.findRow(scope, id, by);
    if (!current) throw new NotFoundError('task', id);
    if (current.status === status) return toStaffTaskDto(current);
    throw new ConflictError(`任务 ${id} 已是 ${current.status} 状态 Task ${id} is already ${current.status}`);
  }

  /** Open tasks of a store due on or before a local day, by staff member and kind: the 09:00 digest counts them. */
  async openOfStoreUpTo(corpId: string, storeId: string, localDate: string): Promise<Array<{ staffId: string; kind: string }>> {
    return this.models.StaffTask.find({ corpId, storeId, status: 'open', localDate: { $lte: localDate } }).select('staffId kind').lean();
  }

  /** Tasks about a contact by due time, newest first, within the caller's stores, after a point of a merged activity list. */
  async activityBefore(scope: Scope, contactId: string, before: TimePoint | null, limit: number): Promise<StaffTaskDto[]> {
    const rows = await this.models.StaffTask.find({ corpId: scope.corpId, contactIds: contactId, ...storeFilter(scope), ...beforeTimePoint('dueAt', before) })
      .sort({ dueAt: -1, _id: -1 })
      .limit(limit)
      .lean<TaskRow[]>();
    return rows.map(toStaffTaskDto);
  }
  /**
   * The vendor settled what a task asked the staff member to publish (a moment, a group send): its open task
   * closes — done when it went out, skipped with the reason when it did not. Tasks already closed stay as they are.
   */
  async closeFromVendor(corpId: string, touchId: string, outcome: { status: 'done' | 'skipped'; reason?: string }): Promise<void> {
    await this.models.StaffTask.updateMany(
      { corpId, 'source.touchId': touchId, status: 'open' },
      { $set: { status: outcome.status, skipReason: outcome.status === 'skipped' ? (outcome.reason ?? null) : null, doneAt: this.clock.now() } },
    );
  }
  /** A contact merge: tasks about the duplicate are about the kept contact now (added first, so none loses its contact). */
  async reassignContact(corpId: string, fromContactId: string, toContactId: string): Promise<void> {
    await this.models.StaffTask.updateMany({ corpId, contactIds: fromContactId }, { $addToSet: { contactIds: toContactId } });
    await this.models.StaffTask.updateMany({ corpId, contactIds: fromContactId }, { $pull: { contactIds: fromContactId } });
  }

}

function byStatusThenDue(a: TaskRow, b: TaskRow): number {
  return STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.dueAt.getTime() - b.dueAt.getTime() || String(a._id).localeCompare(String(b._id));
}
