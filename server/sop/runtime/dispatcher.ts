/**
 * Sends due touches. A touch is claimed from the ledger (scheduled → sending, with a lease) before any vendor
 * call; touches of the same step, staff member and day are claimed together and, where the channel batches them
 * (WeCom 1:1), become one mass send and a task for the staff member to confirm it. The channel's adapter builds
 * the message from the touches (`buildTouchSend`); the registry says which kind carries a step channel. Before sending: a paused SOP holds the touch, suppression skips it, quiet
 * hours and frequency caps defer it (recorded, never dropped), and a higher-priority touch for the same contact
 * and day takes the slot. After the call the row is sent or failed with the vendor's errcode. A row left in
 * `sending` by a dead worker is reconciled with the vendor (findSent) before anything is sent again, and never
 * resent on a doubt: a vendor that cannot answer yet is asked again later, one that cannot be asked (moments) leaves
 * the touch skipped (`unconfirmed_after_crash`) rather than posted twice. A group send of a staff subject goes to
 * every group the staff member owns (`no_owned_groups` when none). Sends the
 * staff member publishes themselves (moments, group mass sends: a `readBack` channel) are not sent when the vendor
 * accepts them: the rows wait (`awaiting`) under a task with the exact text and media, until the read-back
 * (read-back.ts) hears from the vendor that they were published.
 */
import { ChannelError, type Attachment, type ChannelAdapter, type ChannelKind, type SendResult, type TouchChannelSpec } from '../../../adapters/channel-adapter.ts';
import type { ChannelAccount, ChannelAccountRepository } from '../../channels/index.ts';
import type { OrgModule, StorePolicy } from '../../org/index.ts';
import type { Clock } from '../../shared/clock.ts';
import type { TaskWriter } from '../../tasks/index.ts';
import { siblingsOf, sendsTogether, type DispatcherLedger, type TouchError, type TouchOutcome, type TouchRow } from '../ledger/index.ts';
import { DEFAULT_FREQUENCY_CAP, DEFAULT_QUIET_HOURS, minuteOfDay, type QuietHours } from '../definition/common.schema.ts';
import { CONTACT_CHANNELS, type Channel } from '../definition/step.schema.ts';
import { addDays, daysInMonth, localDateOf, resolveLocal } from '../../shared/local-time.ts';
import { deliveryTime } from '../schedule/plan.ts';
import { localDate } from '../../shared/local-date.ts';
import { sendAddresses, type ContactRouter, type ContactRouting } from './routing.ts';
import type { SopGroups } from './sop-ports.ts';
import { READ_BACK_EVERY_MS } from './read-back.ts';
import type { RenderedTouch, TouchRenderer } from './touch-renderer.ts';
import { createSlots } from '../../shared/slots.ts';
import { leaseOwnerGone } from '../../shared/process-lease.ts';

/**
 * How long a claim holds its touches without a renewal. The worker extends it every third of it while the claim
 * is in hand, so only a dead (or stalled) worker lets it lapse: this is how long its touches wait to be reconciled
 * (a worker that died on the host of a live one waits about GONE_CHECK_MS instead).
 */
export const LEASE_MS = 10_000;
/** How often a worker looks for touches held by a process that died on its host (lapseGoneOwners). */
const GONE_CHECK_MS = 1_000;
/**
 * How far before a reclaimed touch's claim the vendor is searched for it (findSent): the dead worker sent, if at
 * all, after its claim; the margin covers clocks that disagree between workers and the vendor.
 */
const FIND_SENT_MARGIN_MS = 60_000;
const MAX_ATTEMPTS = 5;
/** A staff task is due at the end of the day's send window, but never sooner than this after it appears. */
const TASK_GRACE_MS = 60 * 60_000;
/** Fresh touches claimed per write: enough that the per-claim reads (routing, caps) are shared by many sends. */
const CLAIM_LIMIT = 500;
/**
 * Groups of a claim in flight at once: the vendor calls and the ledger writes of one group wait on the network,
 * so a few at a time keep the worker busy; small, because the vendor throttles per corp and API.
 */
const SEND_CONCURRENCY = 8;

type History = Pick<TouchRow, '_id' | 'contactId' | 'status' | 'priority' | 'dueAt' | 'localDay'>;
type Row = TouchRow;
/** The channel kind that carries a step channel, and how (adapters/registry.ts `touchChannelOf`). */
type TouchChannel = TouchChannelSpec & { kind: ChannelKind };
/**
 * What one claim's touches of one corp are gated against, read once per claim: routing, the SOPs, the channel
 * accounts' adapters, and this month's cap history, which the dispatcher keeps current as it settles rows
 * (`note`), so each group sees the earlier groups' outcomes as if it had read the ledger itself.
 */
type ClaimContext = {
  corpId: string;
  routings: Map<string, ContactRouting>;
  history: Map<string, History[]>;
  /** The history rows of this claim's own touches, by id, to keep them current. */
  own: Map<string, History>;
  sops: Map<string, Promise<Awaited<ReturnType<DispatcherLedger['sops']['find']>>>>;
  adapters: Map<ChannelKind, Promise<ChannelAdapter | null>>;
  /** Each store's quiet hours and daily cap: one lookup per claim and corp gates every touch of a store alike. */
  policies: Map<string, StorePolicy>;
};

/** What the dispatcher needs: the ledger's touches, routing, the task writer, time and the channel accounts. */
export type DispatcherDeps = {
  ledger: DispatcherLedger;
  routing: Pick<ContactRouter, 'many'>;
  tasks: TaskWriter;
  clock: Clock;
  channelAccounts: Pick<ChannelAccountRepository, 'listForCorp'>;
  adapterFor(account: ChannelAccount): ChannelAdapter;
  touchChannelOf(channel: string): TouchChannel | null;
  /** Each store's quiet hours and daily cap (the store settings on /hq/org). */
  org: Pick<OrgModule, 'storePolicies'>;
  /** The groups a staff member owns: a staff-subject group send goes to them. */
  groups: Pick<SopGroups, 'ownedBy'>;
};

export class TouchDispatcher {
  private halted = false;
  /** Claimed rows of the batch in hand not yet handed to a vendor call: a stop past its bound gives these back. */
  private unsent = new Map<string, Row>();
  private context: ClaimContext | null = null;
  /** When (monotonic ms) this worker last looked for dead owners' touches. */
  private goneCheckedAt: number | null = null;

  constructor(
    private readonly services: DispatcherDeps,
    private readonly owner: string,
    private readonly render: TouchRenderer,
    /** How long a claim holds its touches before another worker may take them over. */
    private readonly leaseMs = LEASE_MS,
    /** Whether a lease owner is a process known to be dead (process-lease.ts: one of this host's, its pid gone). */
    private readonly ownerGone: (owner: string) => boolean = leaseOwnerGone,
  ) {}

  async drain(max = Number.POSITIVE_INFINITY): Promise<number> {
    let n = 0;
    while (n < max && !this.halted) {
      const batch = await this.claim();
      if (!batch.length) break;
      this.unsent = new Map(batch.map((r) => [String(r._id), r]));
      const keeping = this.keepLeases(batch);
      try {
        await this.processClaim(batch);
      } finally {
        keeping.stop();
        this.unsent.clear();
        this.context = null;
      }
      n += batch.length;
    }
    return n;
  }

  /** Shutdown: claims nothing more; the batch in hand finishes. */
  halt(): void {
    this.halted = true;
  }

  /** Shutdown past its bound: the batch in hand's touches that no vendor call has carried are given back (ledger). */
  async releaseUnsent(): Promise<number> {
    const rows = [...this.unsent.values()];
    this.unsent.clear();
    if (!rows.length) return 0;
    return this.services.ledger.touches.releaseUnsent(this.owner, this.services.clock.now(), rows);
  }

  /**
   * Extends the lease of the claim's touches every third of it while the claim is in hand: a claim may outlast
   * its lease (a slow vendor, a large claim), and only a worker that died may have its touches taken over. Only
   * touches still `sending` under this worker are extended, and never shortened (a touch whose vendor is to be
   * asked again later holds a longer lease). A failed renewal is retried at the next tick; if the lease lapses
   * meanwhile, the check before each vendor call (`stillOurs`) keeps this worker from sending what another took.
   */
  private keepLeases(batch: Row[]): { stop(): void } {
    const byCorp = new Map<string, Row['_id'][]>();
    for (const r of batch) {
      const ids = byCorp.get(r.corpId);
      if (ids) ids.push(r._id);
      else byCorp.set(r.corpId, [r._id]);
    }
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      const until = new Date(this.services.clock.now().getTime() + this.leaseMs);
      Promise.all([...byCorp].map(([corpId, ids]) => this.services.ledger.touches.extendLeases(corpId, ids, this.owner, until)))
        .catch(() => undefined)
        .finally(() => (busy = false));
    }, this.leaseMs / 3);
    timer.unref();
    return { stop: () => clearInterval(timer) };
  }

  /** Claims due touches up to CLAIM_LIMIT (or a stuck `sending` batch, whole). */
  private async claim(): Promise<Row[]> {
    await this.lapseGoneOwners();
    return this.services.ledger.touches.claimBatch(this.owner, this.services.clock.now(), this.leaseMs, CLAIM_LIMIT);
  }

  /**
   * At most once per GONE_CHECK_MS: the touches of a worker that died on this host (its pid is gone) are taken
   * over now rather than when their lease lapses, so a crash and restart cost a second, not a lease. They go
   * through the lapsed-lease path (marked reclaimed, the vendor asked before anything is sent again). A dead
   * worker on another host is not recognised and waits out its lease as before. Failures wait for the next check.
   */
  private async lapseGoneOwners(): Promise<void> {
    // A rate limit on a query, not a schedule: the monotonic clock, so an injected clock that stands still or
    // jumps neither stops it nor makes it spin.
    const now = performance.now();
    if (this.goneCheckedAt !== null && now - this.goneCheckedAt < GONE_CHECK_MS) return;
    this.goneCheckedAt = now;
    try {
      const { touches } = this.services.ledger;
      const gone = (await touches.sendingOwners()).filter((o) => o !== this.owner && this.ownerGone(o));
      for (const owner of gone) await touches.lapseLeasesOf(owner);
    } catch {
      // The claim that follows reports a database that is down; a dead owner's touches still lapse with its lease.
    }
  }

  /**
   * A claim holds touches of several corps and mass-send groups: the reads are made once per corp, then each
   * group (one step, staff member, day and variant where the channel batches; else one touch) goes its own way.
   */
  private async processClaim(batch: Row[]): Promise<void> {
    const corps = new Map<string, Row[]>();
    for (const row of batch) corps.set(row.corpId, [...(corps.get(row.corpId) ?? []), row]);
    for (const [corpId, rows] of corps) {
      const [routings, history] = await Promise.all([this.services.routing.many(corpId, rows.map((r) => r.contactId)), this.monthHistory(corpId, rows)]);
      const own = new Map<string, History>();
      for (const list of history.values()) for (const h of list) own.set(String(h._id), h);
      // Until its group's turn, a claimed touch counts for caps as it did before the claim: scheduled.
      for (const row of rows) {
        const h = own.get(String(row._id));
        if (h) h.status = 'scheduled';
      }
      const stores = new Set(rows.map((r) => r.storeId ?? routings.get(r.contactId)?.storeId ?? null).filter((id) => id !== null));
      const policies = await this.services.org.storePolicies(corpId, [...stores]);
      this.context = { corpId, routings, history, own, sops: new Map(), adapters: new Map(), policies };
      const groups = new Map<string, Row[]>();
      for (const row of rows) {
        const key = sendsTogether(row) ? JSON.stringify(siblingsOf(row)) : String(row._id);
        groups.set(key, [...(groups.get(key) ?? []), row]);
      }
      const ctx = this.context;
      await inLanes([...groups.values()], SEND_CONCURRENCY, (group) => this.process(group, ctx));
    }
  }

  private async process(batch: Row[], ctx: ClaimContext): Promise<void> {
    const head = batch[0]!;
    this.note(batch, { status: 'sending' });
    const sop = await this.cached(ctx.sops, head.sopId, () => this.services.ledger.sops.find(head.corpId, head.sopId));
    if (!sop || sop.status !== 'enabled') return this.setAll(batch, { status: 'held', reason: 'sop_paused' });
    const ready: Array<{ row: Row; routing: ContactRouting }> = [];
    const storeOf = (row: Row) => row.storeId ?? ctx.routings.get(row.contactId)?.storeId ?? null;
    // Skips are written once per reason and deferrals together, not one write awaited per touch.
    const skips = new Map<string, Row[]>();
    const deferrals: Array<Promise<void>> = [];
    for (const row of batch) {
      const routing = ctx.routings.get(row.contactId);
      const policy = ctx.policies.get(storeOf(row) ?? '') ?? null;
      const verdict = routing ? this.gate(row, routing, ctx.history.get(row.contactId) ?? [], policy) : { skip: 'contact_not_found' as const };
      if ('skip' in verdict) {
        this.note([row], { status: 'skipped' });
        skips.set(verdict.skip, [...(skips.get(verdict.skip) ?? []), row]);
      } else if ('deferTo' in verdict) deferrals.push(this.defer(row, verdict.deferTo, verdict.reason));
      else ready.push({ row, routing: routing! });
    }
    await Promise.all([...[...skips].map(([reason, rows]) => this.setAll(rows, { status: 'skipped', reason })), ...deferrals]);
    if (!ready.length) return;
    const channel = this.services.touchChannelOf(head.channel);
    const adapter = channel && (await this.cached(ctx.adapters, channel.kind, () => this.adapterFor(head.corpId, channel.kind)));
    if (!channel || !adapter) return this.setAll(ready.map((r) => r.row), { status: 'failed', reason: 'no_channel_account' });
    // One mass-send task carries one text: touches whose rendered text differs (personalised templates) go
    // out as separate tasks.
    const byText = new Map<string, { rendered: RenderedTouch; group: Array<{ row: Row; routing: ContactRouting }> }>();
    for (const r of ready) {
      const rendered = await this.render(r.row, r.routing);
      const key = channel.batched ? `${rendered.text}\u0000${JSON.stringify(rendered.attachments ?? [])}` : String(r.row._id);
      const entry = byText.get(key) ?? { rendered, group: [] };
      entry.group.push(r);
      byText.set(key, entry);
    }
    for (const { rendered, group } of byText.values()) await this.send(adapter, channel, group, rendered);
  }

  /**
   * This month's contact-channel touches of the batch's contacts, read once per batch: the caps of every touch
   * in it are decided from this snapshot (the batch's own claimed rows included, as `sending`).
   */
  private async monthHistory(corpId: string, batch: Row[]): Promise<Map<string, History[]>> {
    // Rows may sit in different zones, so near a month's end their "this month" differs: read every one of them.
    const months = [...new Set(batch.map((r) => localDate(this.services.clock.now(), r.tz).slice(0, 7)))].sort();
    const rows = await this.services.ledger.touches.capHistory(corpId, batch.map((r) => r.contactId), `${months[0]}-01`, `${months.at(-1)}-31`, CONTACT_CHANNELS);
    const out = new Map<string, History[]>();
    for (const r of rows) out.set(r.contactId, [...(out.get(r.contactId) ?? []), r]);
    return out;
  }

  /** Suppression, quiet hours, caps and priority for one touch, checked at the moment of sending. */
  private gate(row: Row, routing: ContactRouting, month: History[], policy: StorePolicy | null): { ok: true } | { skip: string } | { deferTo: Date; reason: string } {
    if (routing.optedOut) return { skip: 'suppressed:opted_out' };
    if (!routing.reachable) return { skip: 'suppressed:unreachable' };
    const now = this.services.clock.now();
    const quietHours = policy?.quietHours ?? DEFAULT_QUIET_HOURS;
    const allowed = deliveryTime(now, row.tz, { quietHours });
    if (allowed.getTime() > now.getTime()) return { deferTo: allowed, reason: 'quiet_hours' };
    if (!CONTACT_CHANNELS.includes(row.channel as Channel)) return { ok: true };
    const today = localDate(now, row.tz);
    const cap = policy ? { ...DEFAULT_FREQUENCY_CAP, per_day: policy.dailyCap } : DEFAULT_FREQUENCY_CAP;
    const others = month.filter((t) => t.localDay === today && String(t._id) !== String(row._id));
    const sentToday = others.filter((t) => t.status === 'sent' || (t.status === 'sending' && t.priority >= row.priority)).length;
    const outranked = others.some((t) => t.status === 'scheduled' && t.priority > row.priority && t.dueAt.getTime() <= endOfLocalDay(now, row.tz).getTime());
    const d = localDateOf(now, row.tz);
    const perMonth = cap.per_month ?? daysInMonth(d.year, d.month);
    const sentMonth = month.filter((t) => t.status === 'sent' && t.localDay.startsWith(today.slice(0, 7))).length;
    if (sentToday >= cap.per_day || outranked) return { deferTo: nextLocalMorning(now, row.tz, quietHours), reason: outranked ? 'cap:priority' : 'cap:daily' };
    if (sentMonth >= perMonth) return { deferTo: firstOfNextMonth(now, row.tz), reason: 'cap:monthly' };
    return { ok: true };
  }

  private async send(adapter: ChannelAdapter, channel: TouchChannel, claimed: Array<{ row: Row; routing: ContactRouting }>, rendered: RenderedTouch): Promise<void> {
    // From here on these rows may reach the vendor: a shutdown must not give them back (synchronous, before any await).
    for (const c of claimed) this.unsent.delete(String(c.row._id));
    // Gating and rendering a large batch take time: renew the lease right before the vendor call and send only
    // the rows still ours, so a worker that was too slow never sends what another worker has taken over.
    const all = await this.stillOurs(claimed);
    if (!all.length) return;
    const head = all[0]!;
    const attachments = (rendered.attachments ?? []).flatMap(toSendAttachment);
    const { addresses, subjectOf } = await sendAddresses(this.services.groups, head.row.corpId, head.row.channel, all.map((g) => g.routing));
    const covered = new Set(subjectOf);
    await this.setAll(all.filter((_, i) => !covered.has(i)).map((g) => g.row), { status: 'skipped', reason: 'no_owned_groups' });
    const group = all.filter((_, i) => covered.has(i));
    if (!group.length) return;
    const built = adapter.buildTouchSend?.({ channel: head.row.channel, clientId: head.row.key, text: rendered.text, subjects: addresses, ...(attachments.length ? { attachments } : {}) });
    if (!built) return this.setAll(group.map((g) => g.row), { status: 'skipped', reason: 'no_channel_identity' });
    const groupNames = head.row.channel === 'wecom_group' ? addresses.map((a) => a.name).filter(Boolean) : [];
    if (head.row.reclaimed && head.row.sendStartedAt) {
      // A previous worker may have sent this before dying: ask the vendor first, and never send again on a
      // doubt. A vendor that cannot be asked (moments) or cannot answer yet leaves the touch unsent.
      const found = adapter.findSent
        ? await adapter.findSent(built.msg, new Date(head.row.sendStartedAt.getTime() - FIND_SENT_MARGIN_MS)).then(
            (r) => r,
            (err: unknown) => (err instanceof ChannelError ? err : new ChannelError({ errcode: null, message: String(err), kind: 'unavailable', retryable: true })),
          )
        : channel.readBack
          ? new ChannelError({ errcode: null, message: 'no lookup for this channel', kind: 'invalid', retryable: false })
          : null;
      if (found instanceof ChannelError) {
        if (found.retryable && head.row.attempts < MAX_ATTEMPTS) {
          // Still `sending` and reclaimed: when this longer lease lapses, the vendor is asked again (never resent).
          const askAgainAt = new Date(this.services.clock.now().getTime() + 60_000 * 2 ** head.row.attempts);
          await this.services.ledger.touches.renewLeases(head.row.corpId, group.map((g) => g.row._id), this.owner, askAgainAt);
          return;
        }
        return this.setAll(group.map((g) => g.row), { status: 'skipped', reason: 'unconfirmed_after_crash', error: { errcode: found.errcode, kind: found.kind, message: found.message } });
      }
      if (found) return channel.readBack ? this.awaitPublish(group, rendered, found.vendorId, groupNames) : this.markSent(group.map((g) => g.row), found.vendorId, rendered.text);
    }
    const result: SendResult = await adapter.send(built.msg);
    if (result.ok) {
      const failed = new Set(result.failedRecipientIds ?? []);
      // A subject is refused when every address it was sent to was refused.
      const refusedAt = (i: number) => built.recipientIds.every((id, j) => subjectOf[j] !== i || failed.has(id ?? ''));
      const sent = all.filter((_, i) => covered.has(i) && !refusedAt(i));
      const refused = all.filter((_, i) => covered.has(i) && refusedAt(i));
      await this.setAll(refused.map((g) => g.row), { status: 'failed', reason: 'vendor_refused_recipient' });
      if (channel.readBack) return this.awaitPublish(sent, rendered, result.vendorId ?? null, groupNames);
      await this.markSent(sent.map((g) => g.row), result.vendorId ?? null, rendered.text);
      if (channel.staffConfirms && sent.length) await this.massSendTask(sent, rendered.text, result.vendorId ?? null);
      return;
    }
    const e = result.error;
    const error: TouchError = { errcode: e.errcode ?? null, kind: e.kind, message: e.message };
    for (const { row } of group) {
      if (e.kind === 'window_closed') await this.setOne(row, { status: 'skipped', reason: 'window_closed', error });
      else if (e.retryable && row.attempts < MAX_ATTEMPTS) await this.defer(row, new Date(this.services.clock.now().getTime() + 60_000 * 2 ** row.attempts), `retry:${e.errcode ?? e.kind}`, error);
      else await this.setOne(row, { status: 'failed', reason: `vendor:${e.errcode ?? e.kind}`, error });
    }
  }

  private async stillOurs<T extends { row: Row }>(claimed: T[]): Promise<T[]> {
    if (!claimed.length) return claimed;
    // No worker takes a touch over before its lease lapses: with half the lease still ahead, they are ours as claimed.
    const margin = this.services.clock.now().getTime() + this.leaseMs / 2;
    if (claimed.every((c) => c.row.leaseUntil && c.row.leaseUntil.getTime() >= margin)) return claimed;
    const leaseUntil = new Date(this.services.clock.now().getTime() + this.leaseMs);
    const ours = await this.services.ledger.touches.renewLeases(claimed[0]!.row.corpId, claimed.map((c) => c.row._id), this.owner, leaseUntil);
    return ours.size === claimed.length ? claimed : claimed.filter((c) => ours.has(String(c.row._id)));
  }

  private async massSendTask(group: Array<{ row: Row; routing: ContactRouting }>, text: string, vendorId: string | null): Promise<void> {
    const head = group[0]!.row;
    const storeId = head.storeId ?? group[0]!.routing.storeId;
    // A task belongs to a store's list; without a store the touch is still sent, but no one would see the task.
    if (!storeId || !head.staffId) return;
    const now = this.services.clock.now();
    await this.services.tasks.addToMassSend({
      corpId: head.corpId,
      key: `mass:${head.sopId}:${head.stepId}:${head.staffId}:${head.localDay}:${vendorId ?? head.key}`,
      storeId,
      staffId: head.staffId,
      kind: 'mass_send_confirm',
      // WeCom carries it as a mass-send task, but to the staff member (and the customer) it is a 1:1 message.
      title: '发送给客户 Send to the customer',
      text,
      source: { sopId: head.sopId, stepId: head.stepId, touchId: String(head._id), vendorId },
      localDate: localDate(now, head.tz),
      dueAt: taskDueAt(now, head.tz),
      contactIds: group.map((g) => g.row.contactId),
    });
  }

  /**
   * A moment or a group send the vendor accepted: nothing is out until the staff member publishes it, so the
   * rows wait for the read-back and the staff member gets a task with exactly what to post.
   */
  private async awaitPublish(group: Array<{ row: Row; routing: ContactRouting }>, rendered: RenderedTouch, vendorId: string | null, groupNames: string[]): Promise<void> {
    if (!group.length) return;
    const head = group[0]!.row;
    const now = this.services.clock.now();
    await this.services.ledger.touches.markAwaiting(head.corpId, group.map((g) => g.row._id), { vendorId, text: rendered.text, checkAt: new Date(now.getTime() + READ_BACK_EVERY_MS) });
    const storeId = head.storeId ?? group[0]!.routing.storeId;
    if (!storeId || !head.staffId) return;
    const moments = head.channel === 'wecom_moments';
    const groups = groupNames;
    await this.services.tasks.planOnce({
      corpId: head.corpId,
      key: `publish:${head.sopId}:${head.stepId}:${head.staffId}:${vendorId ?? head.key}`,
      storeId,
      staffId: head.staffId,
      kind: moments ? 'moments' : 'group_send',
      title: moments ? '发朋友圈 Post to Moments' : `群发到客户群${groups.length ? `「${groups.join('、')}」` : ''} Send to customer groups`,
      text: rendered.text,
      media: rendered.attachments ?? [],
      source: { sopId: head.sopId, stepId: head.stepId, touchId: String(head._id), vendorId },
      localDate: localDate(now, head.tz),
      dueAt: taskDueAt(now, head.tz),
    });
  }

  /** Keeps the claim's cap history current with what this worker just wrote to the ledger. */
  private note(rows: ReadonlyArray<Pick<Row, '_id'>>, patch: Partial<History>): void {
    if (!this.context) return;
    for (const row of rows) {
      const h = this.context.own.get(String(row._id));
      if (h) Object.assign(h, patch);
    }
  }

  private cached<K, V>(cache: Map<K, Promise<V>>, key: K, read: () => Promise<V>): Promise<V> {
    let hit = cache.get(key);
    if (!hit) cache.set(key, (hit = read()));
    return hit;
  }

  private async markSent(rows: Row[], vendorId: string | null, text: string): Promise<void> {
    if (!rows.length) return;
    this.note(rows, { status: 'sent' });
    await this.services.ledger.touches.markSent(rows[0]!.corpId, rows.map((r) => r._id), { vendorId, text, at: this.services.clock.now() });
  }

  private async defer(row: Row, to: Date, reason: string, error?: TouchError): Promise<void> {
    this.note([row], { status: 'scheduled', dueAt: to, localDay: localDate(to, row.tz) });
    await this.services.ledger.touches.defer(row.corpId, row, { to, localDay: localDate(to, row.tz), reason, ...(error ? { error } : {}) });
  }

  private async setOne(row: Row, outcome: TouchOutcome): Promise<void> {
    this.note([row], { status: outcome.status });
    await this.services.ledger.touches.settle(row.corpId, [row._id], outcome);
  }

  private async setAll(rows: Row[], outcome: TouchOutcome): Promise<void> {
    this.note(rows, { status: outcome.status });
    if (rows.length) await this.services.ledger.touches.settle(rows[0]!.corpId, rows.map((r) => r._id), outcome);
  }

  private async adapterFor(corpId: string, kind: ChannelKind): Promise<ChannelAdapter | null> {
    const accounts = await this.services.channelAccounts.listForCorp(corpId);
    const account = accounts.find((a) => a.kind === kind && a.isDefault) ?? accounts.find((a) => a.kind === kind);
    return account ? this.services.adapterFor(account) : null;
  }
}

/**
 * Runs `work` over the groups, up to `bound` at once, but a group waits for every earlier group that shares a
 * contact with it: caps and priority are decided per contact from the claim's history, which each group keeps
 * current as it settles, so a contact's touches are gated one after another and in claim order.
 */
export async function inLanes(groups: Row[][], bound: number, work: (group: Row[]) => Promise<void>): Promise<void> {
  const last = new Map<string, Promise<unknown>>();
  // A slot is taken only once a group's earlier groups are done: a waiting group must not keep a free one idle.
  const slots = createSlots(bound);
  const tasks = groups.map((group) => {
    const before = [...new Set(group.map((r) => last.get(r.contactId)).filter((p) => p !== undefined))];
    const done = Promise.allSettled(before)
      .then(() => slots.take())
      .then(() => work(group).finally(() => slots.give()));
    for (const r of group) last.set(r.contactId, done.catch(() => undefined));
    return done;
  });
  // Every group finishes before the claim does (the caller then clears the claim's state); the first error wins.
  const failed = (await Promise.allSettled(tasks)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * When a send task is due: the end of today's send window (where quiet hours start, store time), but at least
 * TASK_GRACE_MS after it appears — a task is never overdue the moment it is shown.
 */
export function taskDueAt(now: Date, tz: string): Date {
  const today = localDateOf(now, tz);
  let end = resolveLocal(today, minuteOfDay(DEFAULT_QUIET_HOURS.start), tz);
  if (end.getTime() <= now.getTime()) end = resolveLocal(addDays(today, 1), 0, tz);
  return new Date(Math.max(end.getTime(), now.getTime() + TASK_GRACE_MS));
}

/** The content library's media as a channel send carries them; videos by URL have no send form yet and stay on the task. */
function toSendAttachment(a: NonNullable<RenderedTouch['attachments']>[number]): Attachment[] {
  switch (a.type) {
    case 'image':
      return [{ type: 'image', url: a.url }];
    case 'link':
      return [{ type: 'link', title: a.title, url: a.url, ...(a.desc ? { description: a.desc } : {}), ...(a.picUrl ? { picUrl: a.picUrl } : {}) }];
    case 'miniprogram':
      return [{ type: 'miniprogram', appId: a.appId, title: a.title, page: a.page, picUrl: a.picUrl }];
    default:
      return [];
  }
}

function endOfLocalDay(at: Date, tz: string): Date {
  return deliveryTime(nextLocalMorning(at, tz), tz, { quietHours: false });
}

/**
 * Where a capped touch goes: the next local day's 00:00 moved out of the store's quiet hours (09:00 with the
 * defaults), as docs/sop-format.md and the planner's cap say.
 */
function nextLocalMorning(at: Date, tz: string, quietHours: QuietHours = DEFAULT_QUIET_HOURS): Date {
  return deliveryTime(resolveLocal(addDays(localDateOf(at, tz), 1), 0, tz), tz, { quietHours });
}

function firstOfNextMonth(at: Date, tz: string): Date {
  const d = localDateOf(at, tz);
  return resolveLocal(d.month === 12 ? { year: d.year + 1, month: 1, day: 1 } : { year: d.year, month: d.month + 1, day: 1 }, 9 * 60, tz);
}
