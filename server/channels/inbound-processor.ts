/**
 * Drains the inbox: claim a recorded payload, parse it with its account's adapter, apply each domain event,
 * append it to the event log, mark the row done. Runs in scheduler processes; `notify()` wakes it right after
 * a callback is recorded in the same process, and a poll picks up rows recorded by other processes.
 * Rows are claimed in batches (one write), oldest first (welcome-code adds before anything else), and applied as a
 * pipeline: the rows of one subject (a customer, a group, a kf account; `inbound-lanes.ts`) one at a time in
 * arrival order, so a customer's add comes before their delete, and different subjects side by side, because each
 * row mostly waits on the database and the vendor. The next batch is claimed while earlier ones are still being
 * applied, so a slow subject (a kf account's bot replies, an add waiting on WeCom) holds back only its own rows,
 * not a whole batch. Rows paced by a vendor API have a large window and lanes per API of their own (VENDOR_WINDOW,
 * VENDOR_LANES), so in a burst the rows the database alone applies are not held to the detail API's rate.
 * `stop()` takes no new row, gives back the unstarted rows, lets the ones in hand finish within a bound and
 * otherwise gives them back unspent.
 */
import type { Logger } from 'pino';
import { ChannelError, ParseError, type ChannelAdapter, type InboundEvent } from '../../adapters/channel-adapter.ts';
import type { NewEvent } from '../events/index.ts';
import type { Metrics } from '../system/metrics.ts';
import type { ChannelAccount, ChannelAccountRepository } from './channel-account.repository.ts';
import type { InboundDeps } from './inbound-context.ts';
import { dispatchInbound } from './inbound-dispatch.ts';
import { createSlots, type Slots } from '../shared/slots.ts';
import { KeyBatcher } from '../db/key-batcher.ts';
import { isPullTrigger, subjectOf, vendorWaitOf } from './inbound-lanes.ts';
import { LEASE_MS, type FailKind, type InboundInbox, type InboxRow } from './inbound-inbox.repository.ts';

export type InboundProcessorDeps = {
  channelAccounts: Pick<ChannelAccountRepository, 'get'>;
  adapterFor: (account: ChannelAccount) => ChannelAdapter;
  inbox: Pick<InboundInbox, 'claimBatch' | 'doneMany' | 'release' | 'releaseMany' | 'reject' | 'retryLater' | 'breakdown' | 'backlog' | 'renewLeases'>;
  /** What the handlers of each event use. */
  inbound: InboundDeps;
  /** How many vendor details are owed (a gauge next to the inbox's). */
  owedDetails: () => Promise<number>;
  metrics: Pick<Metrics, 'watchInbox' | 'jobs' | 'inboxFailures' | 'watchBacklog'>;
};

/** A row's events, parsed once for its subject and its application; or why they could not be read. */
type Parsed = { events: InboundEvent[] } | { error: unknown };

/** A row applied, with the event-log entries its events make (written for the whole batch at once). */
type Applied = { row: InboxRow; eventKeys: string[]; log: Array<{ corpId: string; event: NewEvent }> };

/**
 * Rows per claim, at most (a claim is two commands, three when another process took some of its candidates, then a
 * staff read, one after another): at 32, when every claim was three commands, the claims themselves held the
 * processor to about 450 rows a second while its lanes idled. A claim takes what the windows have room for, and
 * waits for at least MIN_CLAIM rows of room.
 */
const CLAIM_MAX = 128;
const MIN_CLAIM = 32;
/**
 * Rows the database alone applies, claimed and not yet finished, at most: how far the claim runs ahead of them. A
 * welcome-code add claimed now waits behind at most this many rows' work.
 */
const WINDOW = 256;
/**
 * Rows paced by a vendor's rate (and the rows of their subjects behind them), claimed and not yet finished, at
 * most. In a burst the detail API answers about 150 adds a second: a window this size lets the rows that need
 * only the database (messages, deletions of customers added earlier) be applied at the database's pace instead of
 * the vendor's, while the adds wait their turn in their own lanes. Their leases are renewed in one write.
 */
const VENDOR_WINDOW = 16_384;
/**
 * Pull triggers folded at most (beyond, they wait in the window like any row). A folded trigger costs a row in
 * memory and a place in the lease renewal; one in the window blocks a place for other subjects' rows while its kf
 * account works through its pull (bot replies go out at the kf/send_msg rate). At 1,024, the 2,000 triggers of
 * `inbound-apply` at 20,000 rows overflowed into the window and stalled every other subject for 45 s.
 */
const FOLD_MAX = 16_384;
/**
 * Rows the database alone applies at once. Most of a row's time is spent waiting on the database, and the contacts'
 * reads and writes of the rows in hand are batched (contacts/identity-lookup.repository.ts, contact-summary.repository.ts),
 * so more rows at once means fewer commands per row: 32 applied a 2,000-row mix 1.7 times as fast as 8; 64 was slower.
 */
const LANES = 32;
/**
 * Rows applied at once per vendor API (vendorWaitOf: a customer's detail, a group's, the tag list, a kf pull) and
 * for welcome-code adds: each API has its own rate, so the adds of a burst do not hold the lanes of group changes or
 * tag changes, and a welcome never queues behind ordinary adds.
 */
const VENDOR_LANES = 32;
/** Applied rows are logged and marked processed together once this many are done (and at the end of a drain). */
const MARK_EVERY = 32;
const MARK_AFTER_MS = 200;

/** Errors of the database driver that mean "not reachable right now". */
const UNREACHABLE = /^Mongo(ose)?(Network|NetworkTimeout|ServerSelection|NotConnected|TopologyClosed)Error$/;

/**
 * Transient: the vendor said "later" or never answered (ChannelError `retryable`: network, timeout, 5xx, -1 /
 * 45009 / 45033), or the database was unreachable. Everything else (configuration, refusals, bugs) is permanent.
 */
export function failKindOf(err: unknown): FailKind {
  if (err instanceof ChannelError) return err.retryable ? 'transient' : 'permanent';
  const name = (err as Error | undefined)?.name ?? '';
  if (UNREACHABLE.test(name) || name === 'AbortError' || name === 'TimeoutError') return 'transient';
  return 'permanent';
}

export class InboundProcessor {
  private running = false;
  private stopping = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  /** The rows being processed (one per lane), so a stop that runs out of time can give them back. */
  private readonly inHand = new Set<InboxRow>();
  /** Rows claimed and not started yet: given back untouched when stopping. */
  private readonly waiting = new Set<InboxRow>();
  /**
   * Pull triggers folded into one of their subject's not started yet (a kf account's "messages available"): done
   * when it is, outside the window, so a kf account's backlog of triggers does not fill the window.
   */
  private readonly folded = new Set<InboxRow>();
  /** The accounts of the rows in hand, read once per claim each. */
  private accounts = new Map<string, Promise<ChannelAccount>>();
  /**
   * Welcome-code adds are marked as soon as they are applied, and those applied at once are marked together: in a
   * poster's burst each would otherwise cost an event-log write and an inbox write of its own.
   */
  private readonly recordNow = new KeyBatcher<Applied, void>({
    key: (a) => String(a.row._id),
    work: async (applied) => {
      await this.record(applied);
      return applied.map(() => undefined);
    },
  });

  constructor(
    private readonly deps: InboundProcessorDeps,
    private readonly logger: Logger,
    private readonly pollMs = 500,
    /** How often the leases of the rows in hand are extended (a third of the lease: two renewals may fail in a row). */
    private readonly renewEveryMs = LEASE_MS / 3,
  ) {
    deps.metrics.watchInbox(() => deps.inbox.breakdown(), () => deps.owedDetails());
    deps.metrics.watchBacklog({ inbox: () => deps.inbox.backlog() });
  }

  /** Processes due rows until none is left (or stop() is called); returns how many were handled. */
  async drain(max = Number.POSITIVE_INFINITY): Promise<number> {
    // A row may wait behind its subject for long (a kf account's backlog of throttled bot replies): the leases of
    // the rows in hand are extended meanwhile, so no other process takes them for abandoned and applies them twice.
    const renewal = setInterval(() => {
      const rows = [...this.waiting, ...this.folded, ...this.inHand];
      if (rows.length) this.deps.inbox.renewLeases(rows).catch((err: unknown) => this.logger.warn({ err }, 'inbox lease renewal failed; the next one retries'));
    }, this.renewEveryMs);
    renewal.unref();
    try {
      return await this.pipeline(max);
    } finally {
      clearInterval(renewal);
    }
  }

  private async pipeline(max: number): Promise<number> {
    let n = 0;
    let claimed = 0;
    /** Each subject's last row: the subject's next row starts after it (and counts in the vendor window when it did). */
    const tails = new Map<string, { task: Promise<void>; paced: boolean }>();
    /** Each subject's pull trigger not started yet, with the triggers folded into it. */
    const folds = new Map<string, Array<{ row: InboxRow; read: Parsed }>>();
    const running = new Set<Promise<void>>();
    /** Lanes per kind of wait: the database's, each vendor API's, welcome-code adds'. */
    const lanes = new Map<string, Slots>();
    const lanesOf = (kind: string) => {
      let of = lanes.get(kind);
      if (!of) lanes.set(kind, (of = createSlots(kind === 'database' || kind === 'welcome' ? LANES : VENDOR_LANES)));
      return of;
    };
    /** Rows claimed and not finished: paced by a vendor (or behind one on their subject), and the others. */
    const held = { paced: 0, plain: 0, welcome: 0 };
    // Applied rows wait here to be logged and marked together. A crash before that mark leaves them to the lease:
    // they are applied again, which every handler's upserts and the event log's keys make harmless.
    const applied: Applied[] = [];
    let marking = Promise.resolve();
    let failure: { err: unknown } | null = null;
    const fail = (err: unknown) => void (failure ??= { err });
    // Fewer than MARK_EVERY applied rows are marked after MARK_AFTER_MS: the last rows of a burst are not left
    // unmarked while a slow subject (a kf account's bot replies) keeps the drain going.
    let lateMark: NodeJS.Timeout | null = null;
    const mark = (all: boolean) => {
      if (applied.length && (all || applied.length >= MARK_EVERY)) {
        if (lateMark) clearTimeout(lateMark);
        lateMark = null;
        const rows = applied.splice(0);
        marking = marking.then(() => this.record(rows)).catch(fail);
      } else if (applied.length && !lateMark) {
        lateMark = setTimeout(() => {
          lateMark = null;
          void mark(true);
        }, MARK_AFTER_MS);
      }
      return marking;
    };
    while (claimed < max && !this.stopping && !failure) {
      // The claim's rows may all be of either kind: it takes what both windows have room for.
      const room = Math.min(WINDOW - held.plain, VENDOR_WINDOW - held.paced, CLAIM_MAX);
      // While more welcome-code adds are in hand than their lanes run at once, nothing else is claimed: in a burst
      // the rows claimed behind them would take the machine from the last welcomes (their codes die 20 s after the add).
      if (room < MIN_CLAIM || held.welcome > LANES) {
        await Promise.race(running);
        continue;
      }
      const batch = await this.deps.inbox.claimBatch(Math.min(room, max - claimed));
      if (!batch.length) break;
      claimed += batch.length;
      // Accounts and staff are read once per claim (a claim is a few seconds of work: an edit lands with the next).
      this.accounts = new Map();
      for (const row of batch) this.waiting.add(row);
      const parsed = await Promise.all(batch.map((row) => this.parse(row)));
      const inbound = await withBatchMemo(this.deps.inbound, parsed);
      batch.forEach((row, i) => {
        const read = parsed[i]!;
        const subject = 'events' in read ? subjectOf(read.events) : null;
        // A pull trigger behind one not started yet of its subject rides on it: that pull reads this row's messages too.
        const queued = subject ? folds.get(subject) : undefined;
        if (queued && 'events' in read && isPullTrigger(read.events) && this.folded.size < FOLD_MAX) {
          this.waiting.delete(row);
          this.folded.add(row);
          queued.push({ row, read });
          return;
        }
        const fold = subject && 'events' in read && isPullTrigger(read.events) ? [{ row, read }] : null;
        if (fold) folds.set(subject!, fold);
        const tail = subject ? tails.get(subject) : undefined;
        const before = tail?.task;
        const waitsOn = 'events' in read ? vendorWaitOf(read.events) : null;
        const welcome = (row.priority ?? 0) > 0;
        const laneKind = welcome ? 'welcome' : (waitsOn ?? 'database');
        // Welcome-code adds count in the small window: while a burst of them is in hand, nothing else is claimed
        // to compete with them for the machine (their detail waits at most until 4 s after the add anyway).
        const paced = !welcome && (waitsOn !== null || tail?.paced === true);
        held[paced ? 'paced' : 'plain']++;
        if (welcome) held.welcome++;
        const slots = lanesOf(laneKind);
        const task = (async () => {
          if (before) await before;
          // A row that waited for its subject's previous one goes first: it already waited its turn.
          await slots.take(before !== undefined);
          try {
            // Not started when stopping or after a failure: left waiting, given back below.
            if (this.stopping || failure) return;
            if (fold && folds.get(subject!) === fold) folds.delete(subject!);
            // The newest of the folded triggers leads (its sync token is the freshest); the others are done with it.
            const lead = fold ? fold.at(-1)! : { row, read };
            const riders = fold ? fold.slice(0, -1) : [];
            this.waiting.delete(row);
            for (const r of riders) this.folded.delete(r.row);
            if (lead.row !== row) this.folded.delete(lead.row);
            for (const r of [lead, ...riders]) this.inHand.add(r.row);
            try {
              const done = await this.process(lead.row, lead.read, inbound);
              // A welcome-code add is marked at once: its acknowledgement-to-applied time is what the 20 s code waits on.
              if (done && (lead.row.priority ?? 0) > 0) await this.recordNow.run(done);
              else if (done) applied.push(done);
              n++;
              for (const r of riders) {
                // Applied with the lead when it was; otherwise each is applied (or retried) on its own.
                const rode = done ? await this.applyRider(r.row, r.read) : await this.process(r.row, r.read, inbound);
                if (rode) applied.push(rode);
                n++;
              }
            } finally {
              for (const r of [lead, ...riders]) this.inHand.delete(r.row);
            }
            void mark(false);
          } finally {
            slots.give();
            held[paced ? 'paced' : 'plain']--;
            if (welcome) held.welcome--;
          }
        })().catch(fail);
        running.add(task);
        void task.then(() => running.delete(task));
        if (subject) {
          tails.set(subject, { task, paced });
          void task.then(() => tails.get(subject)?.task === task && tails.delete(subject));
        }
      });
    }
    await Promise.all(running);
    await mark(true);
    const left = [...this.waiting, ...this.folded];
    this.waiting.clear();
    this.folded.clear();
    await this.deps.inbox.releaseMany(left);
    if (failure) throw (failure as { err: unknown }).err;
    return n;
  }

  /**
   * The event-log entries of applied rows in one write, then the rows marked processed in one more. When the log
   * write fails the rows stay unmarked under their lease and are applied again later, which their keys make harmless.
   */
  private async record(applied: Applied[]): Promise<void> {
    if (!applied.length) return;
    await this.deps.inbound.events.appendMany(applied.flatMap((a) => a.log));
    await this.deps.inbox.doneMany(applied);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.loop = (async () => {
      while (this.running) {
        try {
          await this.drain();
        } catch (err) {
          this.logger.error({ err }, 'inbound processing failed');
        }
        if (!this.running) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.pollMs);
          this.wake = () => (clearTimeout(timer), resolve());
        });
        this.wake = null;
      }
    })();
  }

  notify(): void {
    this.wake?.();
  }

  /**
   * Takes no new row at once; waits up to `timeoutMs` for the row in hand, then releases it (pending again, its
   * attempt not counted) so the next process takes it. Resolves `true` when the work finished in time.
   */
  async stop(timeoutMs = 10_000): Promise<boolean> {
    this.running = false;
    this.stopping = true;
    this.wake?.();
    const loop = this.loop ?? Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([loop.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))]).finally(() => clearTimeout(timer));
    if (!finished) {
      const rows = [...this.inHand, ...this.waiting, ...this.folded];
      const released = await this.deps.inbox.releaseMany(rows).catch(() => 0);
      this.logger.warn({ rows: rows.length, released }, 'inbound rows still in hand at shutdown; released for the next start');
    }
    return finished;
  }

  /** A row's events, read once: they give its subject, then are applied (an unreadable row is settled by process()). */
  private async parse(row: InboxRow): Promise<Parsed> {
    try {
      return { events: this.deps.adapterFor(await this.account(row)).parseInbound(row.plaintext) };
    } catch (error) {
      return { error };
    }
  }

  /** One account read per batch, not per row (a batch is a few seconds at most: a config edit lands with the next). */
  private account(row: InboxRow): Promise<ChannelAccount> {
    const known = this.accounts.get(row.accountId);
    if (known) return known;
    const read = this.deps.channelAccounts.get(row.accountId);
    this.accounts.set(row.accountId, read);
    // A failed read is not kept for the batch's next rows.
    read.catch(() => this.accounts.delete(row.accountId));
    return read;
  }

  /**
   * A pull trigger folded into a lead that was applied: only its own callback's event-log entry (a pull trigger's
   * handling reads from the account's cursor, and the lead's pull started after this trigger was recorded).
   */
  private async applyRider(row: InboxRow, parsed: Parsed): Promise<Applied | null> {
    if (!('events' in parsed)) return null;
    const account = await this.account(row);
    this.deps.metrics.jobs.inc({ job: 'inbound.process', outcome: 'ok' });
    return { row, eventKeys: parsed.events.map((e) => e.idempotencyKey), log: parsed.events.map((event) => logEntry(event, account, { contactId: null })) };
  }

  /**
   * Applies one row; answers its event keys and event-log entries when applied (the batch logs and marks it), null
   * when already settled.
   */
  private async process(row: InboxRow, parsed: Parsed, inbound: InboundDeps): Promise<Applied | null> {
    const { deps } = this;
    try {
      // An unreadable payload (or its account unreadable) fails here, as the handlers' errors do.
      if ('error' in parsed) throw parsed.error;
      const { events } = parsed;
      const account = await this.account(row);
      const adapter = deps.adapterFor(account);
      const log: Applied['log'] = [];
      for (const event of events) {
        const handled = await dispatchInbound(event, { account, adapter, deps: inbound });
        log.push(logEntry(event, account, handled));
      }
      deps.metrics.jobs.inc({ job: 'inbound.process', outcome: 'ok' });
      return { row, eventKeys: events.map((e) => e.idempotencyKey), log };
    } catch (err) {
      if (err instanceof ParseError) {
        await deps.inbox.reject(row, err.message);
        deps.metrics.jobs.inc({ job: 'inbound.process', outcome: 'rejected' });
        return null;
      }
      if (this.stopping) {
        // A failure while shutting down says nothing about the row: give it back without spending an attempt.
        await deps.inbox.release(row);
        deps.metrics.jobs.inc({ job: 'inbound.process', outcome: 'released' });
        return null;
      }
      const kind = failKindOf(err);
      const reason = err instanceof ChannelError ? `${err.kind} errcode=${err.errcode}: ${err.message}` : (err as Error).message;
      this.logger.warn({ err, rowId: String(row._id), kind }, 'inbound row failed; will retry');
      const gaveUp = await deps.inbox.retryLater(row, reason, kind);
      deps.metrics.jobs.inc({ job: 'inbound.process', outcome: gaveUp ? 'failed' : 'retry' });
      if (gaveUp) deps.metrics.inboxFailures.inc({ reason: kind });
      return null;
    }
  }
}

/** The event-log entry of an applied inbound event. */
function logEntry(event: InboundEvent, account: ChannelAccount, handled: { contactId: string | null; storeId?: string | null }): Applied['log'][number] {
  const { kind, channel, corpId, idempotencyKey, occurredAt, ...fields } = event;
  return {
    corpId,
    event: { key: idempotencyKey, direction: 'inbound', channel, type: kind, contactId: handled.contactId, storeId: handled.storeId ?? null, occurredAt, payload: { ...fields, accountId: account.id } },
  };
}

/**
 * The handlers' dependencies for one batch: the staff members the batch's events name are read in one query, and
 * any other one once (a batch is a few seconds at most, so a staff edit lands with the next one, as account edits do).
 */
async function withBatchMemo(deps: InboundDeps, parsed: readonly Parsed[]): Promise<InboundDeps> {
  const staff = new Map<string, ReturnType<InboundDeps['org']['findStaffByUserId']>>();
  const named = new Map<string, Set<string>>();
  for (const p of parsed) {
    if (!('events' in p)) continue;
    for (const e of p.events) {
      if ('staffUserId' in e && typeof e.staffUserId === 'string' && e.staffUserId) named.set(e.corpId, (named.get(e.corpId) ?? new Set()).add(e.staffUserId));
    }
  }
  // A failed prefetch only costs the single reads below.
  for (const [corpId, userIds] of named) {
    const found = await deps.org.staffByUserIds(corpId, [...userIds]).catch(() => null);
    if (!found) continue;
    const byUserId = new Map(found.map((s) => [s.userId, s]));
    for (const userId of userIds) staff.set(`${corpId}\u0000${userId}`, Promise.resolve(byUserId.get(userId) ?? null));
  }
  const findStaffByUserId: InboundDeps['org']['findStaffByUserId'] = (corpId, userId) => {
    const key = `${corpId}\u0000${userId}`;
    let read = staff.get(key);
    if (!read) {
      read = deps.org.findStaffByUserId(corpId, userId);
      staff.set(key, read);
      // A failed read is not kept for the batch's next rows.
      read.catch(() => staff.delete(key));
    }
    return read;
  };
  return { ...deps, org: { ...deps.org, findStaffByUserId } };
}
