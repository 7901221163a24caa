/**
 * The touch ledger's one owner: every read and write of `sop_touches` goes through here. Claims span tenants (a
 * worker serves every corp, so the claim reads the `status, dueAt` index across corps); every other method
 * takes the corp and returns plain (lean) rows of the one row type, `TouchRow`.
 */
import type { Types } from 'mongoose';
import { touchChannelOf } from '../../../adapters/registry.ts';
import type { SopModels } from './sop.models.ts';
import type { CommandTarget } from '../../db/insert-unordered.ts';
import { beforeTimePoint, type TimePoint } from '../../shared/pagination.ts';
import { storeFilter, type Scope } from '../../shared/scope.ts';
import type { TouchDoc, TouchRow } from './touch.schema.ts';
import { insertNew, type NewDoc } from './insert-new.ts';
import { fnv1a as hash } from '../../shared/fnv-hash.ts';

/** Where a touch ends (or waits) after the dispatcher looked at it, with the reason and the vendor's error. */
export type TouchOutcome = { status: 'held' | 'failed' | 'skipped'; reason: string; error?: TouchError };
export type TouchError = { errcode: number | null; kind: string; message: string };
/** What caps read about a contact's other touches. */
export type CapHistory = Pick<TouchRow, '_id' | 'contactId' | 'status' | 'priority' | 'dueAt' | 'localDay'>;
/** What the nightly rollup counts per store-local day. */
export type DayTouch = Pick<TouchRow, 'staffId' | 'status' | 'reason'>;
export type ExperimentTouch = Pick<TouchRow, 'contactId' | 'variant' | 'storeId' | 'dueAt' | 'deferrals' | 'sentAt'>;
export type Exposure = Pick<TouchRow, 'experiment' | 'variant' | 'sentAt'>;

/** The touches one mass-send task carries: one step, staff member, local day and variant. */
export function siblingsOf(row: Pick<TouchRow, 'corpId' | 'sopId' | 'stepId' | 'staffId' | 'localDay' | 'variant'>) {
  return { corpId: row.corpId, sopId: row.sopId, stepId: row.stepId, staffId: row.staffId, localDay: row.localDay, variant: row.variant };
}

/** One send groups a staff member's touches where the channel batches them (WeCom 1:1); every other touch goes out alone. */
export const sendsTogether = (row: Pick<TouchRow, 'channel' | 'staffId'>): boolean => !!row.staffId && !!touchChannelOf(row.channel)?.batched;

const UNLEASED = { leaseOwner: null, leaseUntil: null };
/**
 * Mass-send groups per claim. A claim is a unit of loss and of balance: a worker that dies holding one leaves it to
 * be reconciled, and the last claims of a backlog run while other workers idle. With the dispatch bench's groups of
 * 400, 8 groups a claim gave `--kill` 0.36 of raw and 2–4 gave 0.42–0.47, at the same rate without a kill.
 */
const CLAIM_GROUPS = 4;


export class TouchRepository {
  constructor(
    private readonly Touch: SopModels['Touch'],
    private readonly db: () => CommandTarget,
  ) {}

  /**
   * Claims one due touch (or one left `sending` by a worker whose lease lapsed) with its mass-send siblings:
   * scheduled → sending under `owner`'s lease. A stuck batch is taken over whole, so the vendor is asked once.
   * With `limit`, fresh touches are claimed up to `limit` at a time across groups (`claimDue`), one write per claim.
   */
  async claimBatch(owner: string, now: Date, leaseMs: number, limit?: number): Promise<TouchRow[]> {
    const Touch = this.Touch;
    const lease = { leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs) };
    const stuck = await Touch.findOneAndUpdate({ status: 'sending', leaseUntil: { $lt: now } }, { $set: { ...lease, reclaimed: true }, $inc: { attempts: 1 } }, { returnDocument: 'before' }).lean<TouchRow>();
    if (stuck) {
      const taken: TouchRow = { ...stuck, ...lease, reclaimed: true, attempts: stuck.attempts + 1 };
      if (!sendsTogether(stuck)) return [taken];
      // The dead worker's whole batch went out as one mass send, or not at all: take it over whole, so the vendor
      // is asked once for the batch (findSent) instead of once per touch.
      const batch = { ...siblingsOf(stuck), status: 'sending' as const };
      await Touch.updateMany({ ...batch, leaseOwner: stuck.leaseOwner, leaseUntil: { $lt: now } }, { $set: { ...lease, reclaimed: true }, $inc: { attempts: 1 } });
      const rest = await Touch.find({ ...batch, leaseOwner: owner, _id: { $ne: stuck._id } }).limit(10_000).lean<TouchRow[]>();
      return [taken, ...rest];
    }
    if (limit) return this.claimDue(owner, now, lease, limit);
    const first = await Touch.findOneAndUpdate(
      { status: 'scheduled', dueAt: { $lte: now } },
      { $set: { status: 'sending', sendStartedAt: now, ...lease }, $inc: { attempts: 1 } },
      { returnDocument: 'after', sort: { dueAt: 1 } },
    ).lean<TouchRow>();
    if (!first) return [];
    if (!sendsTogether(first)) return [first];
    const siblings = siblingsOf(first);
    await Touch.updateMany({ ...siblings, status: 'scheduled', dueAt: { $lte: now } }, { $set: { status: 'sending', sendStartedAt: now, ...lease }, $inc: { attempts: 1 } });
    const rest = await Touch.find({ ...siblings, status: 'sending', leaseOwner: owner, _id: { $ne: first._id } }).limit(10_000).lean<TouchRow[]>();
    return [first, ...rest];
  }

  /**
   * Due touches claimed with one write: of the `limit` oldest due, every touch that goes out alone, plus the whole
   * mass-send group of each that goes out with others (a group split across claims would become several
   * mass sends for the staff member to confirm). They are flipped to `sending` where still `scheduled`, under a
   * lease whose owner and expiry together are this claim's token, and the rows carrying the token are read back
   * (a row another worker took between the read and the write is not). Losing every candidate to other workers
   * is retried, so an empty answer means nothing is due.
   */
  private async claimDue(owner: string, now: Date, lease: { leaseOwner: string; leaseUntil: Date }, limit: number): Promise<TouchRow[]> {
    const Touch = this.Touch;
    const due = { status: 'scheduled' as const, dueAt: { $lte: now } };
    for (let round = 0; round < 8; round++) {
      const candidates = await Touch.find(due).sort({ dueAt: 1 }).limit(limit).select('_id corpId sopId stepId staffId localDay variant channel').lean<TouchRow[]>();
      if (!candidates.length) return [];
      // Several mass-send groups among the candidates, whole: a claim of one group leaves a worker one vendor call
      // per claim. Each worker takes them in its own order (by owner), so workers reading the same candidates at
      // once mostly claim different groups instead of racing for the oldest.
      const all = new Map<string, ReturnType<typeof siblingsOf>>();
      for (const c of candidates) if (sendsTogether(c)) all.set(JSON.stringify(siblingsOf(c)), siblingsOf(c));
      const order = (key: string) => hash(`${owner}\u0000${key}`);
      const groups = new Map([...all].sort(([a], [b]) => order(a) - order(b)).slice(0, CLAIM_GROUPS));
      const alone = candidates.filter((c) => !sendsTogether(c)).map((c) => c._id);
      const which = [...(alone.length ? [{ _id: { $in: alone } }] : []), ...groups.values()];
      const claimed = await Touch.updateMany({ ...due, $or: which }, { $set: { status: 'sending', sendStartedAt: now, ...lease }, $inc: { attempts: 1 } });
      if (claimed.modifiedCount) return Touch.find({ status: 'sending', ...lease, $or: which }).lean<TouchRow[]>();
    }
    return [];
  }

  /**
   * Renews the lease on claimed touches still `sending` under `owner`; returns the ids still ours (all of them
   * without a second read when every lease was renewed).
   */
  async renewLeases(corpId: string, ids: readonly Types.ObjectId[], owner: string, leaseUntil: Date): Promise<Set<string>> {
    const renewed = await this.Touch.updateMany({ _id: { $in: ids }, corpId, status: 'sending', leaseOwner: owner }, { $set: { leaseUntil } });
    if (renewed.matchedCount === ids.length) return new Set(ids.map(String));
    const ours = await this.Touch.find({ _id: { $in: ids }, corpId, status: 'sending', leaseOwner: owner }).select('_id').lean();
    return new Set(ours.map((r) => String(r._id)));
  }

  /** Who holds touches in `sending` now: the owners a dispatcher looks for among the dead processes of its host. */
  async sendingOwners(): Promise<string[]> {
    const owners: unknown[] = await this.Touch.distinct('leaseOwner', { status: 'sending' });
    return owners.filter((o): o is string => typeof o === 'string');
  }

  /**
   * Ends now the leases of touches `owner` holds in `sending`: its process is known to be dead, so they need not
   * wait out the lease. They are then taken over (`claimBatch`) as any lapsed lease is: marked reclaimed and
   * reconciled with the vendor before anything is sent again. The lapse is set to the epoch, not to our clock, so
   * a worker whose clock runs a little behind ours sees it lapsed too.
   */
  async lapseLeasesOf(owner: string): Promise<number> {
    return (await this.Touch.updateMany({ status: 'sending', leaseOwner: owner }, { $set: { leaseUntil: new Date(0) } })).modifiedCount;
  }

  /**
   * Extends the lease of claimed touches still `sending` under `owner` to `leaseUntil`, never shortening one (a
   * touch parked to ask its vendor again later keeps its longer lease). Heartbeat of a claim in hand.
   */
  async extendLeases(corpId: string, ids: readonly Types.ObjectId[], owner: string, leaseUntil: Date): Promise<void> {
    if (!ids.length) return;
    await this.Touch.updateMany({ _id: { $in: ids }, corpId, status: 'sending', leaseOwner: owner, leaseUntil: { $lt: leaseUntil } }, { $set: { leaseUntil } });
  }

  /** Contact-channel touches of these contacts on store-local days in [fromDay, toDay]: what caps are decided from. */
  async capHistory(corpId: string, contactIds: readonly string[], fromDay: string, toDay: string, channels: readonly string[]): Promise<CapHistory[]> {
    return this.Touch.find({ corpId, contactId: { $in: [...new Set(contactIds)] }, localDay: { $gte: fromDay, $lte: toDay }, channel: { $in: channels } })
      .select('contactId status priority dueAt localDay')
      .lean<CapHistory[]>();
  }

  async markSent(corpId: string, ids: readonly Types.ObjectId[], sent: { vendorId: string | null; text: string; at: Date }): Promise<void> {
    if (!ids.length) return;
    await this.Touch.updateMany({ _id: { $in: ids }, corpId }, { $set: { status: 'sent', reason: null, vendorId: sent.vendorId, text: sent.text, sentAt: sent.at, ...UNLEASED, reclaimed: false }, $unset: { checkAt: 1 } });
  }

  /**
   * Accepted by the vendor, but the staff member still has to publish it: `awaiting`, with what was sent and
   * when to read its outcome back (claimAwaiting).
   */
  async markAwaiting(corpId: string, ids: readonly Types.ObjectId[], sent: { vendorId: string | null; text: string; checkAt: Date }): Promise<void> {
    if (!ids.length) return;
    await this.Touch.updateMany({ _id: { $in: ids }, corpId }, { $set: { status: 'awaiting', reason: 'staff_publishes', vendorId: sent.vendorId, text: sent.text, checkAt: sent.checkAt, ...UNLEASED, reclaimed: false } });
  }

  /**
   * One awaiting send whose check is due, with every touch it carries (same corp and vendor id); the check moves
   * to `nextCheck` at once, so a second worker does not ask the vendor about it meanwhile.
   */
  async claimAwaiting(now: Date, nextCheck: Date): Promise<TouchRow[]> {
    const head = await this.Touch.findOneAndUpdate({ status: 'awaiting', checkAt: { $lte: now } }, { $set: { checkAt: nextCheck } }, { returnDocument: 'after', sort: { checkAt: 1 } }).lean<TouchRow>();
    if (!head) return [];
    if (!head.vendorId) return [head];
    await this.Touch.updateMany({ corpId: head.corpId, vendorId: head.vendorId, status: 'awaiting' }, { $set: { checkAt: nextCheck } });
    return this.Touch.find({ corpId: head.corpId, vendorId: head.vendorId, status: 'awaiting' }).limit(10_000).lean<TouchRow[]>();
  }

  /** Still awaiting: ask again at `checkAt`, by the vendor id the vendor now gives (a moment's id once its job ended). */
  async recheckAwaiting(corpId: string, ids: readonly Types.ObjectId[], next: { checkAt: Date; vendorId?: string }): Promise<void> {
    if (!ids.length) return;
    await this.Touch.updateMany({ _id: { $in: ids }, corpId, status: 'awaiting' }, { $set: { checkAt: next.checkAt, ...(next.vendorId ? { vendorId: next.vendorId } : {}) } });
  }

  /** Ends (or holds) touches with a reason; the lease goes with it. */
  async settle(corpId: string, ids: readonly Types.ObjectId[], outcome: TouchOutcome): Promise<void> {
    if (!ids.length) return;
    const set = { status: outcome.status, reason: outcome.reason, ...(outcome.error ? { error: outcome.error } : {}), ...UNLEASED };
    if (ids.length === 1) await this.Touch.updateOne({ _id: ids[0], corpId }, { $set: set });
    else await this.Touch.updateMany({ _id: { $in: ids }, corpId }, { $set: set });
  }

  /** Back to scheduled at `to` (a new local day), the deferral recorded, never dropped. */
  async defer(corpId: string, row: Pick<TouchRow, '_id' | 'dueAt'>, d: { to: Date; localDay: string; reason: string; error?: TouchError }): Promise<void> {
    await this.Touch.updateOne(
      { _id: row._id, corpId },
      { $set: { status: 'scheduled', dueAt: d.to, localDay: d.localDay, ...UNLEASED, ...(d.error ? { error: d.error } : {}) }, $push: { deferrals: { reason: d.reason, from: row.dueAt, to: d.to } } },
    );
  }

  /** Plans a touch under its unique key; a touch already planned under the key stays as it is. */
  async plan(corpId: string, key: string, fields: Omit<Partial<TouchDoc>, 'corpId' | 'key'>): Promise<void> {
    await this.Touch.updateOne({ corpId, key }, { $setOnInsert: fields }, { upsert: true });
  }

  /** Planned touches of a run that ended are not sent. */
  async skipPlannedOfRun(corpId: string, enrollmentId: string, reason: string): Promise<void> {
    await this.Touch.updateMany({ corpId, enrollmentId, status: { $in: ['scheduled', 'held'] } }, { $set: { status: 'skipped', reason } });
  }

  /** Pausing an SOP holds its scheduled touches; resuming schedules them again. */
  async holdForSop(corpId: string, sopId: string): Promise<void> {
    await this.Touch.updateMany({ corpId, sopId, status: 'scheduled' }, { $set: { status: 'held', reason: 'sop_paused' } });
  }

  async resumeForSop(corpId: string, sopId: string): Promise<void> {
    await this.Touch.updateMany({ corpId, sopId, status: 'held' }, { $set: { status: 'scheduled', reason: null } });
  }

  /** Handover: the contact's planned touches follow the customer to the new staff member. */
  async reassignStaff(corpId: string, contactId: string, fromStaffId: string, to: { staffId: string; storeId: string }): Promise<number> {
    const res = await this.Touch.updateMany({ corpId, contactId, staffId: fromStaffId, status: { $in: ['scheduled', 'held'] } }, { $set: { staffId: to.staffId, storeId: to.storeId } });
    return res.modifiedCount;
  }

  /** The contact's latest touches, newest first (sidebar). */
  async recentForContact(corpId: string, contactId: string, limit: number): Promise<TouchRow[]> {
    return this.Touch.find({ corpId, contactId }).sort({ dueAt: -1 }).limit(limit).lean<TouchRow[]>();
  }

  /** A contact's touches by due time, newest first, after a point of a merged activity list (customer detail). */
  async activityBefore(corpId: string, contactId: string, before: TimePoint | null, limit: number): Promise<TouchRow[]> {
    return this.Touch.find({ corpId, contactId, ...beforeTimePoint('dueAt', before) }).sort({ dueAt: -1, _id: -1 }).limit(limit).lean<TouchRow[]>();
  }

  /** The experiment arms the contact was sent, oldest first (sidebar). */
  async exposuresOfContact(corpId: string, contactId: string): Promise<Exposure[]> {
    return this.Touch.find({ corpId, contactId, experiment: { $ne: null }, status: 'sent' }).select('experiment variant sentAt').sort({ sentAt: 1 }).lean<Exposure[]>();
  }

  async findByKey(corpId: string, key: string): Promise<TouchRow | null> {
    return this.Touch.findOne({ corpId, key }).lean<TouchRow>();
  }

  /** The touches of one store-local day in one store (nightly rollup). */
  async ofStoreDay(corpId: string, storeId: string, localDay: string): Promise<DayTouch[]> {
    return this.Touch.find({ corpId, storeId, localDay }).select('staffId status reason').lean<DayTouch[]>();
  }

  /** Touches of store-local days [from, to] by store, status and reason; and their deferrals by store and reason. */
  async countsByDay(scope: Scope, from: string, to: string) {
    const match = { corpId: scope.corpId, ...storeFilter(scope), localDay: { $gte: from, $lte: to } };
    const [touches, deferrals] = await Promise.all([
      this.Touch.aggregate<{ _id: { storeId: string | null; status: string; reason: string | null }; n: number }>([
        { $match: match },
        { $group: { _id: { storeId: '$storeId', status: '$status', reason: '$reason' }, n: { $sum: 1 } } },
      ]),
      this.Touch.aggregate<{ _id: { storeId: string | null; reason: string }; n: number }>([
        { $match: { ...match, 'deferrals.0': { $exists: true } } },
        { $unwind: '$deferrals' },
        { $group: { _id: { storeId: '$storeId', reason: '$deferrals.reason' }, n: { $sum: 1 } } },
      ]),
    ]);
    return { touches, deferrals };
  }

  /** One SOP's touches by status and reason, by store and by staff member. */
  async countsForSop(scope: Scope, sopId: string) {
    const match = { corpId: scope.corpId, sopId, ...storeFilter(scope) };
    const [byStatus, byStore, byStaff] = await Promise.all([
      this.Touch.aggregate<{ _id: { status: string; reason: string | null }; n: number }>([{ $match: match }, { $group: { _id: { status: '$status', reason: '$reason' }, n: { $sum: 1 } } }]),
      this.Touch.aggregate<{ _id: { storeId: string | null; status: string }; n: number }>([{ $match: match }, { $group: { _id: { storeId: '$storeId', status: '$status' }, n: { $sum: 1 } } }]),
      this.Touch.aggregate<{ _id: { staffId: string | null; status: string }; n: number }>([{ $match: match }, { $group: { _id: { staffId: '$staffId', status: '$status' }, n: { $sum: 1 } } }]),
    ]);
    return { byStatus, byStore, byStaff };
  }

  /** The units of an experiment as the ledger holds them. */
  async ofExperiment(scope: Scope, experimentId: string): Promise<ExperimentTouch[]> {
    return this.Touch.find({ corpId: scope.corpId, experiment: experimentId, ...storeFilter(scope) }).select('contactId variant storeId dueAt deferrals sentAt').lean<ExperimentTouch[]>();
  }

  async plannedTimesOfExperiment(corpId: string, experimentId: string): Promise<Array<Pick<TouchRow, 'dueAt' | 'deferrals'>>> {
    return this.Touch.find({ corpId, experiment: experimentId }).select('dueAt deferrals').lean<Array<Pick<TouchRow, 'dueAt' | 'deferrals'>>>();
  }

  /**
   * Bulk enrollment's path: one unordered `insert` command (see insert-unordered.ts); returns the documents
   * refused as duplicates (someone else holds their key).
   */
  async insertNew(docs: NewDoc[]): Promise<Set<NewDoc>> {
    return insertNew(this.db(), this.Touch.collection.collectionName, docs);
  }

  /**
   * Shutdown past its bound: touches `owner` claimed but handed to no vendor call go back with their attempt
   * uncounted: fresh ones to `scheduled`, reclaimed ones (a dead worker's, maybe sent) stay `sending` with a
   * lapsed lease, so the next worker still asks the vendor first. Returns how many.
   */
  async releaseUnsent(owner: string, now: Date, rows: ReadonlyArray<{ _id: Types.ObjectId; reclaimed?: boolean }>): Promise<number> {
    const ours = { status: 'sending' as const, leaseOwner: owner };
    const fresh = rows.filter((r) => !r.reclaimed).map((r) => r._id);
    const reclaimed = rows.filter((r) => r.reclaimed).map((r) => r._id);
    let n = 0;
    if (fresh.length) n += (await this.Touch.updateMany({ _id: { $in: fresh }, ...ours }, { $set: { status: 'scheduled', sendStartedAt: null, ...UNLEASED }, $inc: { attempts: -1 } })).modifiedCount;
    if (reclaimed.length) n += (await this.Touch.updateMany({ _id: { $in: reclaimed }, ...ours }, { $set: { leaseOwner: null, leaseUntil: now }, $inc: { attempts: -1 } })).modifiedCount;
    return n;
  }

  /** A touch planned by a pass that died before inserting its run belongs to the run that now exists. */
  async repoint(corpId: string, key: string, enrollmentId: string): Promise<void> {
    await this.Touch.updateOne({ corpId, key }, { $set: { enrollmentId } });
  }

  /** Due touches not sent yet (every tenant, like the claim) and how late the oldest of them is (metrics). */
  /** Touches due and not sent: every tenant's (the gauge), or one scope's (the console's execution page). */
  async dueBacklog(now: Date, scope?: Scope): Promise<{ n: number; oldestAgeS: number }> {
    const due = { status: 'scheduled' as const, dueAt: { $lte: now }, ...(scope ? { corpId: scope.corpId, ...storeFilter(scope, 'storeId') } : {}) };
    const [n, oldest] = await Promise.all([this.Touch.countDocuments(due), this.Touch.findOne(due).sort({ dueAt: 1 }).select('dueAt').lean()]);
    return { n, oldestAgeS: oldest ? Math.max(0, (now.getTime() - oldest.dueAt.getTime()) / 1000) : 0 };
  }

  /** The fields a new touch gets by default, except `given` (bulk enrollment builds raw documents). */
  defaultsBesides(given: string[]): Record<string, unknown> {
    return defaultsBesides(this.Touch, given);
  }

  /** A contact merge: the duplicate's touches become the kept contact's (history, caps and experiment exposure). */
  async reassignContact(corpId: string, fromContactId: string, toContactId: string): Promise<void> {
    await this.Touch.updateMany({ corpId, contactId: fromContactId }, { $set: { contactId: toContactId } });
  }
}

/** The fields a new document of the model gets by default (as `create` and upserts write them), except `given`. */
export function defaultsBesides(model: { new (): { toObject(): Record<string, unknown> }; schema: { get(key: string): unknown } }, given: string[]): Record<string, unknown> {
  const versionKey = model.schema.get('versionKey');
  const skip = new Set(given);
  // Built up rather than deleted from: a deleted property turns an object into a hash map, and spreading that into
  // every new document took ten times as long (about 10 against 1 µs a document; a tenth of sop-fanout's Node CPU).
  const defaults: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(new model().toObject())) if (!skip.has(key)) defaults[key] = value;
  if (typeof versionKey === 'string' && !skip.has(versionKey)) defaults[versionKey] = 0;
  return defaults;
}
