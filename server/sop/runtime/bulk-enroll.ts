/**
 * Enrolling a whole audience at once: the rule of `enroll()` (reentry.ts: suppression, re-entry with a rotation
 * counter; one run per SOP, contact and rotation) applied to batches of contacts streamed in `_id` order, and the
 * runner's first step taken in the same pass — a send plans its touch and moves the run past it exactly as the
 * runner would, a wait makes the run due when it ends; other steps are left to the runner.
 *
 * Reads: the audience and the SOP's earlier runs are two cursors in contact order, merged batch by batch, so each
 * is read once whatever the number of batches (an `$in` of a batch's ids would cost the development server a scan
 * of the collection per batch). Where a contact's touches go comes from its denormalised relation fields
 * (`staffIds`, `storeIds`, `homeStoreId`, kept by the follow repository): with at most one staff member the
 * relation is known without reading it; a contact of several staff members has its relations read by their
 * unique key (contact, staff member). Only batches are held in memory.
 *
 * Writes per batch: the touches, then the runs, each one unordered insert command; a duplicate key means another
 * pass or trigger got there first and is counted, never an error. Touches go first: a pass killed in between
 * leaves planned touches whose run is missing (sent once, the key is unique) rather than runs past a send that
 * was never written; the next pass over the audience inserts the run and adopts its touch.
 */
import { Types } from 'mongoose';
import { END, type QuietHours } from '../definition/common.schema.ts';
import type { Sop, Step } from '../definition/sop.schema.ts';
import { waitEnd, waitRule } from '../schedule/wait.ts';
import type { OrgModule } from '../../org/index.ts';
import type { Clock } from '../../shared/clock.ts';
import type { NewDoc, SopLedger } from '../ledger/index.ts';
import { REPLY_TYPES } from '../../shared/reply-types.ts';
import { refusalOf } from './reentry.ts';
import { byAge, chooseRelation } from './routing.ts';
import type { SopRecord } from './sop-registry.ts';
import { deliverySlot, plannedTouch, type DeliverySlot } from './touch-row.ts';
import { HOLDOUT } from '../../experiments/index.ts';
import { variantSeed } from '../../shared/variant.ts';
import { gcEvery } from '../../shared/heap-relief.ts';
import type { AudienceContact, SopContacts, SopEvents, SopExperiments, SopFollows } from './sop-ports.ts';

export type BulkEnrollResult = {
  matched: number;
  enrolled: number;
  /** New runs whose first send was planned in the pass. */
  planned: number;
  /** Contacts not enrolled, by the reason `enroll()` would give. */
  skipped: Record<string, number>;
  /** Enrolled contacts without a staff member: their 1:1 touches have no one to send them. */
  noStaff: number;
};

// Touches and runs go to two collections the database can write in parallel; four batches in flight kept both
// of its cores busy (two left it waiting on one collection at a time).
const WRITES_IN_FLIGHT = 4;
/**
 * Contacts per batch: one audience page, one touch insert and one run insert each. At 250 the pass sent four times
 * the commands of a raw bulk insert of the same rows (sop-fanout's, 1,000 a command), and each command waits its
 * turn for its collection on the database. In alternated runs of 100,000 contacts, 1,000 gave ratios 0.602 / 0.566 /
 * 0.505 against 0.487 / 0.537 / 0.448 (5–24 % higher); the writes in flight stay a few megabytes.
 */
const BATCH_SIZE = 1000;
const GC_EVERY_CONTACTS = 15_000;
const RUN_FIELDS = ['_id', 'corpId', 'sopId', 'contactId', 'storeId', 'staffId', 'tz', 'rotation', 'enteredAt', 'createdAt', 'updatedAt'];

type Relation = { _id: unknown; staffId: string; storeId: string; addedAt: Date; deletedAt?: Date | null };
type Routing = { storeId: string | null; staffId: string | null; tz: string; quietHours: QuietHours | null };
type Doc = NewDoc;
/** A contact that may enter: its rotation, where its touches go, and whether the first send may be planned now. */
type Entrant = { contactId: string; rotation: number; routing: Routing; mayPlan: boolean };
/** The documents of one new run: the run and the touch planned for it (if any). */
type NewRun = Entrant & { run: Doc; touch: Doc | null; holdout: Holdout | null };
type Holdout = { contactId: string; storeId: string | null; at: Date };

/** What bulk enrollment reads and writes: the audience, relations, exit events, zones, experiments, the ledger. */
export type BulkEnrollDeps = {
  ledger: Pick<SopLedger, 'runs' | 'touches'>;
  contacts: Pick<SopContacts, 'audienceCursor'>;
  follows: Pick<SopFollows, 'relation'>;
  events: Pick<SopEvents, 'contactsWithSince'>;
  org: Pick<OrgModule, 'timezoneOf' | 'storePolicies'>;
  experiments: SopExperiments;
  clock: Clock;
};

/**
 * Enrolls every contact matching `audience` (a contact filter) into `sop` at `at`. `dryRun` reads and decides
 * exactly as the enrollment would and writes nothing, so the dry run counts what enabling will count.
 */
export async function bulkEnroll(services: BulkEnrollDeps, sop: SopRecord, audience: Record<string, unknown>, at: Date, opts: { batchSize?: number; dryRun?: boolean } = {}): Promise<BulkEnrollResult> {
  const batchSize = opts.batchSize ?? BATCH_SIZE;
  const { corpId } = sop;
  const result: BulkEnrollResult = { matched: 0, enrolled: 0, planned: 0, skipped: {}, noStaff: 0 };
  const contacts = services.contacts.audienceCursor(audience, batchSize);
  const runs = new ByContact(services.ledger.runs.pastRuns(corpId, sop.sopId, batchSize));
  const planner = new FirstStepPlanner(services, sop, at);
  await planner.loadExperiment();
  // The next batch is read while the previous ones are written (at most WRITES_IN_FLIGHT); a batch's documents
  // are built only when its write starts, so few of them are alive at a time.
  const writing: Array<Promise<void>> = [];
  const write = async (entrants: Entrant[]) => {
    if (opts.dryRun) {
      result.enrolled += entrants.length;
      return;
    }
    while (writing.length >= WRITES_IN_FLIGHT) await writing.shift();
    // Built as whole literals, not spread together per contact (entrant + documents, relation + zone): those spreads
    // cost about a sixth of the pass's Node CPU (sop-fanout: 9.7–10.4 s against 7.8–8.8 s per 100,000 contacts).
    const p = insertBatch(entrants.map((e) => planner.newRun(e)));
    p.catch(() => undefined); // awaited below; this only keeps an early failure from counting as unhandled
    writing.push(p);
  };
  try {
    // Documents waiting on the database outlive young collections; see heap-relief.ts.
    const relieveHeap = gcEvery(GC_EVERY_CONTACTS);
    for await (const batch of readAhead(batches(contacts, batchSize))) {
      await write(await prepareBatch(batch));
      relieveHeap(batch.length);
    }
    while (writing.length) await writing.shift();
  } finally {
    await Promise.allSettled(writing);
    await Promise.all([contacts.close(), runs.close()]);
  }
  return result;

  /** The contacts of the batch that may start a new run; the others are counted by reason. */
  async function prepareBatch(batch: AudienceContact[]): Promise<Entrant[]> {
    result.matched += batch.length;
    const ids = batch.map((c) => String(c._id));
    const [runsOf, exiting, routes] = await Promise.all([runs.take(ids), planner.exitingContacts(ids), planner.routes(batch)]);
    const entrants: Entrant[] = [];
    for (const [i, contact] of batch.entries()) {
      const contactId = ids[i]!;
      const previous = runsOf.get(contactId);
      const last = previous?.[previous.length - 1];
      const refusal = refusalOf(sop, { optedOut: contact.consent?.optedOut ?? false, reachable: contact.consent?.reachable ?? true }, last, at);
      if (refusal) {
        count(refusal);
        continue;
      }
      if (!routes[i]!.staffId) result.noStaff++;
      entrants.push({ contactId, rotation: (last?.rotation ?? 0) + 1, routing: routes[i]!, mayPlan: !exiting.has(contactId) });
    }
    return entrants;
  }

  async function insertBatch(fresh: NewRun[]): Promise<void> {
    if (!fresh.length) return;
    const first = sop.definition.steps[0]!;
    const holdouts = fresh.flatMap((f) => (f.holdout ? [f.holdout] : []));
    if (holdouts.length && first.type === 'send') await services.experiments.saveHoldouts(corpId, variantSeed(sop.sopId, first), holdouts);
    const { ledger } = services;
    const touchesTaken = await ledger.touches.insertNew(fresh.flatMap((f) => (f.touch ? [f.touch] : [])));
    const runsTaken = await ledger.runs.insertNew(fresh.map((f) => f.run));
    for (const f of fresh) {
      if (runsTaken.has(f.run)) {
        count('already_enrolled');
        // Our touch names a run that was never inserted: it belongs to the run that was.
        if (f.touch && !touchesTaken.has(f.touch)) await repoint(f.touch, await ledger.runs.idOf(corpId, sop.sopId, f.contactId, f.rotation));
        continue;
      }
      result.enrolled++;
      if (!f.touch) continue;
      result.planned++;
      // The touch was there already, left by a pass that died before inserting its run: this run takes it over.
      if (touchesTaken.has(f.touch)) await repoint(f.touch, f.run._id);
    }
  }

  async function repoint(touch: Doc, runId: Types.ObjectId | null): Promise<void> {
    if (runId) await services.ledger.touches.repoint(corpId, String(touch.key), String(runId));
  }

  function count(reason: string): void {
    result.skipped[reason] = (result.skipped[reason] ?? 0) + 1;
  }
}

/**
 * Builds the documents of new runs: where each contact's touches go (as `contactRouting` decides), the first
 * step's due time and, for a send, the touch and the run's position after it. Times depend only on the zone,
 * so they are computed once per zone.
 */
class FirstStepPlanner {
  private readonly first: Step;
  /** Zones by store id (null: the corp's), each looked up once per pass. */
  private readonly zones = new Map<string | null, string>();
  /** Each store's quiet hours (/hq/org), read with its zone; absent: the defaults. */
  private readonly quiet = new Map<string, QuietHours>();
  private readonly perZone = new Map<string, { firstDue: Date; slot: DeliverySlot | null; nextDue: Date | null }>();
  private runRest: Record<string, unknown> | undefined;
  private touchRest: Record<string, unknown> | undefined;
  private readonly exitTypes: string[];
  private experiment: { variants: Array<{ id: string; template: string; weight: number }>; holdout(contactId: string, at: Date): boolean } | undefined;

  constructor(
    private readonly services: BulkEnrollDeps,
    private readonly sop: SopRecord,
    private readonly at: Date,
  ) {
    const def: Sop = sop.definition;
    this.first = def.steps[0]!;
    this.exitTypes = def.subject !== 'contact' ? [] : [...(def.exit_on.includes('replied') ? REPLY_TYPES : []), ...(def.exit_on.includes('converted') ? ['conversion'] : [])];
  }

  /** Contacts with an exit event since entry: the runner would end their run instead of sending, so it decides. */
  async exitingContacts(ids: string[]): Promise<Set<string>> {
    if (!this.exitTypes.length || this.first.type !== 'send') return new Set();
    return this.services.events.contactsWithSince(this.sop.corpId, ids, this.exitTypes, this.at);
  }

  /** The home store's relation wins, else the oldest live one; the zone is the store's, else the corp's. */
  async routes(batch: AudienceContact[]): Promise<Routing[]> {
    const chosen = await Promise.all(batch.map((c) => this.relationOf(c)));
    await this.loadZones(chosen.map((r) => r.storeId));
    return chosen.map((r) => ({ storeId: r.storeId, staffId: r.staffId, tz: this.zones.get(r.storeId)!, quietHours: (r.storeId && this.quiet.get(r.storeId)) || null }));
  }

  /** A first send step with variants: what its new assignments draw from (read once per pass). */
  async loadExperiment(): Promise<void> {
    const { first } = this;
    if (first.type !== 'send' || !first.variants) return;
    this.experiment = await this.services.experiments.stepExperiment(this.sop.corpId, variantSeed(this.sop.sopId, first), first.variants);
  }

  /** The relation `contactRouting` would choose, from the contact's own fields when they settle it. */
  private async relationOf(c: AudienceContact): Promise<{ storeId: string | null; staffId: string | null }> {
    const home = c.homeStoreId ?? null;
    const staffIds = c.staffIds ?? [];
    const storeIds = c.storeIds ?? [];
    if (!staffIds.length) return { storeId: home, staffId: null };
    // One relation: `storeIds` holds its store and the home store, so the store that is not home is its store.
    const away = storeIds.filter((s) => s !== home);
    if (staffIds.length === 1 && storeIds.length >= 1 && storeIds.length <= 2 && away.length <= 1) return { storeId: away[0] ?? home, staffId: staffIds[0]! };
    const found = await Promise.all(
      staffIds.map((staffId) => this.services.follows.relation(this.sop.corpId, String(c._id), staffId)),
    );
    const follow = chooseRelation(found.filter((f): f is Relation => !!f && !f.deletedAt).sort(byAge), home);
    return { storeId: follow?.storeId ?? home, staffId: follow?.staffId ?? null };
  }

  newRun(entrant: Entrant): NewRun {
    const { contactId, rotation, routing, mayPlan } = entrant;
    const { sop, at, first } = this;
    const { ledger } = this.services;
    const zone = this.zone(routing.tz, routing.quietHours);
    const _id = new Types.ObjectId();
    const now = this.services.clock.now();
    let touch: Doc | null = null;
    let holdout: Holdout | null = null;
    let position: Record<string, unknown> = { status: sop.status === 'paused' ? 'paused' : 'active', stepId: first.id, dueAt: zone.firstDue, cursorAt: at, steps: 0, stepTimes: {}, variants: {}, endedAt: null };
    if (mayPlan && first.type === 'send' && sop.status === 'enabled' && zone.slot) {
      let variant: string | null;
      if (this.experiment?.holdout(contactId, zone.slot.at)) {
        // The holdout gets no touch; its assignment is recorded with the batch, as the runner would.
        holdout = { contactId, storeId: routing.storeId, at: zone.slot.at };
        variant = HOLDOUT;
      } else {
        const step = this.experiment ? { ...first, variants: this.experiment.variants } : first;
        const planned = plannedTouch({ sop: sop.definition, version: sop.version, priority: sop.priority, pins: sop.contentPins, step, run: { enrollmentId: String(_id), contactId, rotation, variants: {} }, routing, slot: zone.slot });
        // Literals with the defaults spread last: spreading them first makes V8 build each document ~100 times slower.
        this.touchRest ??= ledger.touches.defaultsBesides(['_id', 'corpId', 'key', 'createdAt', 'updatedAt', ...Object.keys(planned.fields)]);
        touch = { _id: new Types.ObjectId(), corpId: sop.corpId, key: planned.key, ...planned.fields, createdAt: now, updatedAt: now, ...this.touchRest };
        variant = planned.variant;
      }
      const next = this.nextStepId();
      const end = next === END;
      position = { status: end ? 'completed' : 'active', stepId: end ? null : next, dueAt: zone.nextDue, cursorAt: zone.slot.at, steps: 1, stepTimes: { [first.id]: zone.slot.at }, variants: variant ? { [first.id]: variant } : {}, endedAt: end ? now : null };
    }
    this.runRest ??= ledger.runs.defaultsBesides([...RUN_FIELDS, ...Object.keys(position)]);
    const run: Doc = { _id, corpId: sop.corpId, sopId: sop.sopId, contactId, storeId: routing.storeId, staffId: routing.staffId, tz: routing.tz, rotation, enteredAt: at, createdAt: now, updatedAt: now, ...position, ...this.runRest };
    return { contactId, rotation, routing, mayPlan, run, touch, holdout };
  }

  private nextStepId(): string {
    const steps = this.sop.definition.steps;
    return 'next' in this.first && this.first.next ? this.first.next : (steps[1]?.id ?? END);
  }

  /** Times depend only on the zone and the store's quiet hours: computed once per pair. */
  private zone(tz: string, quietHours: QuietHours | null) {
    const key = quietHours ? `${tz}|${quietHours.start}-${quietHours.end}` : tz;
    let z = this.perZone.get(key);
    if (z) return z;
    const { first, at } = this;
    const slot = first.type === 'send' ? deliverySlot(at, tz, quietHours) : null;
    const next = this.nextStepId();
    const nextStep = this.sop.definition.steps.find((s) => s.id === next);
    const nextDue = !slot || next === END ? null : nextStep?.type === 'wait' ? waitEnd(waitRule(nextStep), tz, slot.at, at) : slot.at;
    z = { firstDue: first.type === 'wait' ? waitEnd(waitRule(first), tz, at, at) : at, slot, nextDue };
    this.perZone.set(key, z);
    return z;
  }

  /** Zones of stores not seen before, by the one fallback (org.timezoneOf: the store's, else the corp's). */
  private async loadZones(storeIds: Array<string | null>): Promise<void> {
    const missing = [...new Set(storeIds.filter((id) => !this.zones.has(id)))];
    const stores = missing.filter((id): id is string => id !== null);
    const [found, policies] = await Promise.all([Promise.all(missing.map((id) => this.services.org.timezoneOf(this.sop.corpId, id))), stores.length ? this.services.org.storePolicies(this.sop.corpId, stores) : new Map()]);
    missing.forEach((id, i) => this.zones.set(id, found[i]!));
    for (const [id, policy] of policies) this.quiet.set(id, policy.quietHours);
  }
}

/** A cursor's documents in arrays of `size` (the last one shorter). */
async function* batches<T>(cursor: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const doc of cursor) {
    batch.push(doc);
    if (batch.length < size) continue;
    yield batch;
    batch = [];
  }
  if (batch.length) yield batch;
}

/**
 * Starts reading the next item as soon as one is handed out. The driver fetches a cursor's next page only when
 * asked, so without this every page's round trip waited behind the writes and stalled the whole pass.
 */
async function* readAhead<T>(source: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = source.next();
  try {
    for (;;) {
      const item = await next;
      if (item.done) return;
      next = source.next();
      // A failed read-ahead surfaces when it is awaited above; until then it must not count as unhandled.
      next.catch(() => undefined);
      yield item.value;
    }
  } finally {
    await source.return(undefined);
  }
}

/** Rows of a cursor sorted by `contactId`, handed out for successive batches of ascending contact ids. */
class ByContact<T extends { contactId: string }> {
  private ahead: T | null = null;
  private done = false;

  constructor(private readonly cursor: { next(): Promise<T | null>; close(): Promise<unknown> }) {}

  async take(ids: readonly string[]): Promise<Map<string, T[]>> {
    const out = new Map<string, T[]>();
    const last = ids[ids.length - 1];
    if (last === undefined) return out;
    const wanted = new Set(ids);
    for (;;) {
      const row = this.ahead ?? (this.done ? null : await this.cursor.next());
      this.ahead = null;
      if (!row) {
        this.done = true;
        return out;
      }
      if (row.contactId > last) {
        this.ahead = row;
        return out;
      }
      if (!wanted.has(row.contactId)) continue;
      const list = out.get(row.contactId);
      if (list) list.push(row);
      else out.set(row.contactId, [row]);
    }
  }

  async close(): Promise<void> {
    await this.cursor.close();
  }
}
