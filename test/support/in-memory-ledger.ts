/**
 * An in-memory SOP ledger: the slices the runner and the dispatcher declare (RunnerLedger, DispatcherLedger),
 * kept in arrays with the same conditional semantics as the repositories (claims under a lease, moves only
 * while the lease is ours, plans once per key). The runtime's unit specs run over it without a database.
 */
import { Types } from 'mongoose';
import type { ContactRouting } from '../../server/sop/runtime/routing.ts';
import type { DispatcherLedger, RunnerLedger, RunRow, SopRecordRow, TouchRow } from '../../server/sop/ledger/index.ts';
import { siblingsOf, sendsTogether } from '../../server/sop/ledger/index.ts';
import { validateSop } from '../../server/sop/definition/sop-loader.ts';
import type { Sop } from '../../server/sop/definition/sop.schema.ts';

const sameId = (a: unknown, b: unknown) => String(a) === String(b);
const copyOrNull = <T extends object>(row: T | undefined): T | null => (row ? { ...row } : null);
const matches = (row: Record<string, unknown>, where: Record<string, unknown>) => Object.entries(where).every(([k, v]) => row[k] === v);

export class InMemoryLedger implements RunnerLedger, DispatcherLedger {
  readonly touchRows: TouchRow[] = [];
  readonly runRows: RunRow[] = [];
  readonly sopRows = new Map<string, SopRecordRow>();

  /** Publishes a definition (parsed as the registry parses it) as an enabled record. */
  addSop(corpId: string, definition: unknown, extra: Partial<SopRecordRow> = {}): Sop {
    const parsed = validateSop(definition);
    if (!parsed.ok) throw new Error(parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; '));
    const sop = parsed.sop;
    this.sopRows.set(`${corpId}:${sop.id}`, {
      _id: new Types.ObjectId(),
      corpId,
      sopId: sop.id,
      name: sop.name,
      status: 'enabled',
      version: 1,
      priority: sop.priority,
      triggerType: sop.trigger.type,
      triggerEvent: null,
      definition: sop,
      contentPins: {},
      source: 'api',
      enabledAt: null,
      pausedAt: null,
      ...extra,
    } as SopRecordRow);
    return sop;
  }

  addRun(run: Partial<RunRow> & Pick<RunRow, 'corpId' | 'sopId' | 'contactId' | 'stepId' | 'dueAt' | 'cursorAt' | 'enteredAt'>): RunRow {
    const row = { _id: new Types.ObjectId(), storeId: null, staffId: null, tz: 'Asia/Shanghai', rotation: 1, status: 'active', exitReason: null, steps: 0, variants: {}, stepTimes: {}, leaseOwner: null, leaseUntil: null, endedAt: null, ...run } as RunRow;
    this.runRows.push(row);
    return row;
  }

  addTouch(t: Partial<TouchRow> & Pick<TouchRow, 'corpId' | 'key' | 'sopId' | 'stepId' | 'contactId' | 'channel' | 'dueAt' | 'localDay'>): TouchRow {
    const row = {
      _id: new Types.ObjectId(),
      sopVersion: 1,
      enrollmentId: 'run',
      storeId: null,
      staffId: null,
      templateId: 'tpl',
      templateVersion: null,
      experiment: null,
      variant: null,
      priority: 50,
      tz: 'Asia/Shanghai',
      status: 'scheduled',
      reason: null,
      deferrals: [],
      text: null,
      leaseOwner: null,
      leaseUntil: null,
      attempts: 0,
      sendStartedAt: null,
      reclaimed: false,
      vendorId: null,
      error: { errcode: null, kind: null, message: null },
      sentAt: null,
      ...t,
    } as TouchRow;
    this.touchRows.push(row);
    return row;
  }

  readonly runs: RunnerLedger['runs'] = {
    claim: async (owner, now, leaseMs) => {
      const due = this.runRows
        .filter((r) => r.status === 'active' && r.dueAt && r.dueAt <= now && (!r.leaseUntil || r.leaseUntil < now))
        .sort((a, b) => a.dueAt!.getTime() - b.dueAt!.getTime())[0];
      if (!due) return null;
      Object.assign(due, { leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs) });
      return { ...due };
    },
    move: async (run, owner, to) => {
      const row = this.ours(run, owner);
      if (!row) return false;
      Object.assign(row, { ...to, steps: row.steps + 1 });
      return true;
    },
    finish: async (run, owner, end) => {
      const row = this.ours(run, owner);
      if (row) Object.assign(row, { status: end.status, exitReason: end.reason, endedAt: end.at, leaseOwner: null, leaseUntil: null, dueAt: null });
    },
    release: async (run, owner) => {
      const row = this.ours(run, owner);
      if (row) Object.assign(row, { leaseOwner: null, leaseUntil: null });
    },
  };

  readonly sops: RunnerLedger['sops'] & DispatcherLedger['sops'] = {
    find: async (corpId, sopId) => copyOrNull(this.sopRows.get(`${corpId}:${sopId}`)),
    contentPins: async (corpId, sopId) => (this.sopRows.get(`${corpId}:${sopId}`)?.contentPins ?? {}) as Record<string, number | null>,
  };

  readonly touches: RunnerLedger['touches'] & DispatcherLedger['touches'] = {
    plan: async (corpId, key, fields) => {
      if (this.touchRows.some((t) => t.corpId === corpId && t.key === key)) return;
      this.addTouch({ ...(fields as TouchRow), corpId, key });
    },
    skipPlannedOfRun: async (corpId, enrollmentId, reason) => {
      for (const t of this.touchRows) if (t.corpId === corpId && t.enrollmentId === enrollmentId && (t.status === 'scheduled' || t.status === 'held')) Object.assign(t, { status: 'skipped', reason });
    },
    claimBatch: async (owner, now, leaseMs, limit) => {
      const lease = { leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs) };
      const stuck = this.touchRows.find((t) => t.status === 'sending' && t.leaseUntil && t.leaseUntil < now);
      const take = (t: TouchRow, set: Partial<TouchRow>) => Object.assign(t, { ...set, ...lease, attempts: t.attempts + 1 });
      if (stuck) {
        const batch = sendsTogether(stuck) ? this.touchRows.filter((t) => t.status === 'sending' && matches(t, siblingsOf(stuck)) && t.leaseOwner === stuck.leaseOwner && t.leaseUntil! < now) : [stuck];
        return batch.map((t) => ({ ...take(t, { reclaimed: true }) }));
      }
      const due = this.touchRows.filter((t) => t.status === 'scheduled' && t.dueAt <= now).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
      // With a limit, of the oldest due up to it: those that go out alone, and the whole group of the oldest that goes out with others (TouchRepository.claimDue).
      if (limit) {
        const head = due.slice(0, limit).find(sendsTogether);
        const picked = due.filter((t, i) => (i < limit && !sendsTogether(t)) || (head && sendsTogether(t) && matches(t, siblingsOf(head))));
        return picked.map((t) => ({ ...take(t, { status: 'sending', sendStartedAt: now }) }));
      }
      const first = due[0];
      if (!first) return [];
      const batch = sendsTogether(first) ? this.touchRows.filter((t) => t.status === 'scheduled' && t.dueAt <= now && matches(t, siblingsOf(first))) : [first];
      return batch.map((t) => ({ ...take(t, { status: 'sending', sendStartedAt: now }) }));
    },
    renewLeases: async (corpId, ids, owner, leaseUntil) => {
      const ours = this.touchRows.filter((t) => t.corpId === corpId && ids.some((id) => sameId(id, t._id)) && t.status === 'sending' && t.leaseOwner === owner);
      for (const t of ours) t.leaseUntil = leaseUntil;
      return new Set(ours.map((t) => String(t._id)));
    },
    sendingOwners: async () => [...new Set(this.touchRows.filter((t) => t.status === 'sending' && t.leaseOwner).map((t) => t.leaseOwner!))],
    lapseLeasesOf: async (owner) => {
      const held = this.touchRows.filter((t) => t.status === 'sending' && t.leaseOwner === owner);
      for (const t of held) t.leaseUntil = new Date(0);
      return held.length;
    },
    extendLeases: async (corpId, ids, owner, leaseUntil) => {
      for (const t of this.touchRows) {
        if (t.corpId === corpId && ids.some((id) => sameId(id, t._id)) && t.status === 'sending' && t.leaseOwner === owner && (!t.leaseUntil || t.leaseUntil < leaseUntil)) t.leaseUntil = leaseUntil;
      }
    },
    capHistory: async (corpId, contactIds, fromDay, toDay, channels) =>
      this.touchRows.filter((t) => t.corpId === corpId && contactIds.includes(t.contactId) && t.localDay >= fromDay && t.localDay <= toDay && channels.includes(t.channel)).map((t) => ({ ...t })),
    markSent: async (corpId, ids, sent) => {
      for (const t of this.byIds(corpId, ids)) Object.assign(t, { status: 'sent', vendorId: sent.vendorId, text: sent.text, sentAt: sent.at, leaseOwner: null, leaseUntil: null, reclaimed: false });
    },
    markAwaiting: async (corpId, ids, sent) => {
      for (const t of this.byIds(corpId, ids)) Object.assign(t, { status: 'awaiting', reason: 'staff_publishes', vendorId: sent.vendorId, text: sent.text, checkAt: sent.checkAt, leaseOwner: null, leaseUntil: null, reclaimed: false });
    },
    settle: async (corpId, ids, outcome) => {
      for (const t of this.byIds(corpId, ids)) Object.assign(t, { status: outcome.status, reason: outcome.reason, ...(outcome.error ? { error: outcome.error } : {}), leaseOwner: null, leaseUntil: null });
    },
    defer: async (corpId, row, d) => {
      for (const t of this.byIds(corpId, [row._id])) {
        Object.assign(t, { status: 'scheduled', dueAt: d.to, localDay: d.localDay, leaseOwner: null, leaseUntil: null, ...(d.error ? { error: d.error } : {}) });
        t.deferrals.push({ reason: d.reason, from: row.dueAt, to: d.to } as TouchRow['deferrals'][number]);
      }
    },
    releaseUnsent: async (owner, now, rows) => {
      let n = 0;
      for (const r of rows) {
        const t = this.touchRows.find((x) => sameId(x._id, r._id) && x.status === 'sending' && x.leaseOwner === owner);
        if (!t) continue;
        Object.assign(t, r.reclaimed ? { leaseOwner: null, leaseUntil: now } : { status: 'scheduled', sendStartedAt: null, leaseOwner: null, leaseUntil: null }, { attempts: t.attempts - 1 });
        n++;
      }
      return n;
    },
  };

  private ours(run: Pick<RunRow, '_id' | 'corpId'>, owner: string): RunRow | undefined {
    return this.runRows.find((r) => sameId(r._id, run._id) && r.corpId === run.corpId && r.leaseOwner === owner);
  }

  private byIds(corpId: string, ids: readonly unknown[]): TouchRow[] {
    return this.touchRows.filter((t) => t.corpId === corpId && ids.some((id) => sameId(id, t._id)));
  }
}

/** A contact's routing as the runtime's unit specs fake it: store A, staff A, reachable, in Shanghai. */
export const routingOf = (contactId: string, extra: Partial<ContactRouting> = {}): ContactRouting => ({
  contactId,
  name: '客户',
  storeId: 'store-a',
  tz: 'Asia/Shanghai',
  quietHours: null,
  staffId: 'staff-a',
  staffUserId: 'a2',
  externalUserId: `wm-${contactId}`,
  kfId: null,
  openKfId: null,
  openid: null,
  optedOut: false,
  reachable: true,
  tagIds: [],
  chatId: null,
  ...extra,
});
