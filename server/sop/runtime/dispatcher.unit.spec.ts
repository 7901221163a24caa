import { expect } from 'chai';
import { ChannelError, type ChannelAdapter, type OutboundMessage, type SendResult, type TouchSend } from '../../../adapters/channel-adapter.ts';
import { fixedClock } from '../../shared/clock.ts';
import type { StorePolicy } from '../../org/index.ts';
import type { StaffTaskInput } from '../../tasks/index.ts';
import { InMemoryLedger, routingOf } from '../../../test/support/in-memory-ledger.ts';
import { inLanes, TouchDispatcher, type DispatcherDeps } from './dispatcher.ts';
import type { ContactRouting } from './routing.ts';
import { placeholderRenderer } from './touch-renderer.ts';

const CORP = 'corp-1';

/** The dispatcher over the in-memory ledger, fake routing, a fake WeCom adapter and a task recorder. */
function harness(now: string, opts: { routing?: Record<string, Partial<ContactRouting> | null>; reply?: (msg: OutboundMessage) => SendResult; policies?: Record<string, StorePolicy> } = {}) {
  const ledger = new InMemoryLedger();
  const clock = fixedClock(now);
  const sent: OutboundMessage[] = [];
  const tasks: Array<StaffTaskInput & { contactIds: string[] }> = [];
  const policyLookups: string[][] = [];
  const adapter = {
    kind: 'wecom',
    send: async (msg: OutboundMessage) => (sent.push(msg), opts.reply?.(msg) ?? { ok: true, vendorId: `v${sent.length}` }),
    // A 1:1 mass send from the staff member to the touches' external contacts (what the WeCom adapter builds).
    buildTouchSend: ({ clientId, text, subjects }: TouchSend) => {
      const recipientIds = subjects.map((s) => s.externalUserId);
      const sender = subjects[0]!.staffUserId;
      return sender ? { msg: { clientId, route: 'mass_send', sender, to: recipientIds.map((id) => ({ type: 'contact', id: id! })), text }, recipientIds } : null;
    },
  } as unknown as ChannelAdapter;
  const deps: DispatcherDeps = {
    ledger,
    groups: { ownedBy: async () => [] },
    clock,
    routing: {
      many: async (_corp, ids) => {
        const out = new Map<string, ContactRouting>();
        for (const id of ids) {
          const extra = opts.routing?.[id];
          if (extra !== null) out.set(id, routingOf(id, extra));
        }
        return out;
      },
    },
    tasks: { planOnce: async () => undefined, addToMassSend: async (t) => void tasks.push(t) },
    channelAccounts: { listForCorp: async () => [{ id: 'acc', corpId: CORP, kind: 'wecom', name: 'sim', isDefault: true, config: {} }] },
    adapterFor: () => adapter,
    touchChannelOf: (channel) => ({ kind: 'wecom', ...(channel === 'wecom_1to1' ? { batched: true, staffConfirms: true } : {}) }),
    org: {
      storePolicies: async (_corp, storeIds) => {
        policyLookups.push([...storeIds]);
        return new Map(storeIds.flatMap((id) => (opts.policies?.[id] ? [[id, opts.policies[id]] as const] : [])));
      },
    },
  };
  ledger.addSop(CORP, { id: 'welcome', name: '欢迎', trigger: { type: 'event', event: 'friend_added' }, steps: [{ id: 'hello', type: 'send', channel: 'wecom_1to1', template: 'tpl' }] });
  const touch = (contactId: string, extra: Parameters<InMemoryLedger['addTouch']>[0] extends infer T ? Partial<T> : never = {}) =>
    ledger.addTouch({ corpId: CORP, key: `welcome:${contactId}:1:hello`, sopId: 'welcome', stepId: 'hello', contactId, channel: 'wecom_1to1', staffId: 'staff-a', storeId: 'store-a', dueAt: clock.now(), localDay: '2026-11-23', ...extra });
  return { ledger, clock, sent, tasks, touch, policyLookups, dispatcher: new TouchDispatcher(deps, 'unit-worker', placeholderRenderer) };
}

describe('TouchDispatcher over an in-memory ledger', () => {
  it("claims a staff member's touches of one step and day together: one mass send, one task to confirm, every row sent", async () => {
    const h = harness('2026-11-23T02:00:00Z'); // 10:00 in Shanghai
    for (const id of ['c1', 'c2', 'c3']) h.touch(id);
    expect(await h.dispatcher.drain()).to.equal(3);
    expect(h.sent).to.have.length(1);
    expect(h.sent[0]).to.deep.include({ route: 'mass_send', sender: 'a2', text: '【tpl】 客户' });
    expect(h.sent[0]!.to.map((r) => r.id).sort()).to.deep.equal(['wm-c1', 'wm-c2', 'wm-c3']);
    expect(h.ledger.touchRows.map((t) => [t.status, t.vendorId, t.leaseOwner])).to.deep.equal([
      ['sent', 'v1', null],
      ['sent', 'v1', null],
      ['sent', 'v1', null],
    ]);
    expect(h.tasks).to.have.length(1);
    expect(h.tasks[0]).to.include({ kind: 'mass_send_confirm', staffId: 'staff-a', storeId: 'store-a', localDate: '2026-11-23', text: '【tpl】 客户' });
    expect(h.tasks[0]!.contactIds.sort()).to.deep.equal(['c1', 'c2', 'c3']);
  });

  it('claims the touches that go out alone together with a mass-send group: one claim, one send each', async () => {
    const h = harness('2026-11-23T02:00:00Z');
    for (const id of ['c1', 'c2']) h.touch(id);
    for (const id of ['k1', 'k2', 'k3']) h.touch(id, { key: id, channel: 'kf', staffId: null });
    const claim = h.ledger.touches.claimBatch;
    let claims = 0;
    h.ledger.touches.claimBatch = (...args) => (claims++, claim(...args));
    expect(await h.dispatcher.drain()).to.equal(5);
    // One claim for the five touches, one more that finds nothing due.
    expect(claims).to.equal(2);
    expect(h.sent.map((m) => m.to.map((r) => r.id).sort())).to.have.deep.members([['wm-c1', 'wm-c2'], ['wm-k1'], ['wm-k2'], ['wm-k3']]);
    expect(h.tasks.map((t) => t.staffId)).to.deep.equal(['staff-a']);
  });

  it('gates the groups of one claim in turn: of two touches for one contact today, the first is sent and the second waits for tomorrow', async () => {
    const h = harness('2026-11-23T02:00:00Z');
    const first = h.touch('c1', { key: 'first', channel: 'kf', staffId: null });
    const second = h.touch('c1', { key: 'second', stepId: 'other', channel: 'kf', staffId: null });
    await h.dispatcher.drain();
    expect([first.status, second.status, second.deferrals[0]?.reason]).to.deep.equal(['sent', 'scheduled', 'cap:daily']);
    expect(h.sent).to.have.length(1);
  });

  it('defers a touch that falls in quiet hours to 09:00 store time, recording the deferral', async () => {
    const h = harness('2026-11-22T15:50:00Z'); // 23:50 in Shanghai
    const row = h.touch('c1', { localDay: '2026-11-22' });
    await h.dispatcher.drain();
    expect(h.sent).to.have.length(0);
    expect(row).to.include({ status: 'scheduled', localDay: '2026-11-23', leaseOwner: null });
    expect(row.dueAt.toISOString()).to.equal('2026-11-23T01:00:00.000Z');
    expect(row.deferrals.map((d) => [d.reason, d.to?.toISOString()])).to.deep.equal([['quiet_hours', '2026-11-23T01:00:00.000Z']]);
  });

  it("defers by the store's own quiet hours across midnight in the store's zone, looking the store up once per batch", async () => {
    const policies = { 'store-b': { quietHours: { start: '22:00', end: '08:00' }, dailyCap: 1 } };
    const berlin = { storeId: 'store-b', tz: 'Europe/Berlin' };
    const h = harness('2026-11-23T21:30:00Z', { policies, routing: { c1: berlin, c2: berlin } }); // 22:30 in Berlin
    const rows = ['c1', 'c2'].map((id) => h.touch(id, { ...berlin, localDay: '2026-11-23' }));
    await h.dispatcher.drain();
    expect(h.sent).to.have.length(0);
    // 08:00 Berlin on the 24th, not the default 09:00.
    expect(rows.map((r) => [r.status, r.localDay, r.dueAt.toISOString(), r.deferrals[0]?.reason])).to.deep.equal([
      ['scheduled', '2026-11-24', '2026-11-24T07:00:00.000Z', 'quiet_hours'],
      ['scheduled', '2026-11-24', '2026-11-24T07:00:00.000Z', 'quiet_hours'],
    ]);
    expect(h.policyLookups, 'two touches of one store, one batch: one lookup').to.deep.equal([['store-b']]);
    h.clock.set('2026-11-24T07:30:00Z'); // 08:30 in Berlin: inside the default quiet hours, outside the store's
    await h.dispatcher.drain();
    expect(rows.map((r) => r.status)).to.deep.equal(['sent', 'sent']);
    expect(h.sent).to.have.length(1);
  });

  it("lets as many touches a day through as the store's daily cap, then defers to when its quiet hours end", async () => {
    const h = harness('2026-11-23T02:00:00Z', { policies: { 'store-a': { quietHours: { start: '22:00', end: '08:00' }, dailyCap: 2 } } }); // 10:00 in Shanghai
    h.touch('c1', { key: 'earlier', status: 'sent' });
    const second = h.touch('c1', { key: 'second', stepId: 'other', staffId: null, channel: 'kf' });
    const third = h.touch('c1', { key: 'third', stepId: 'later', staffId: null, channel: 'kf', dueAt: new Date('2026-11-23T02:00:01Z') });
    h.clock.set('2026-11-23T02:00:01Z');
    await h.dispatcher.drain();
    expect(second.status).to.equal('sent');
    // 08:00 Shanghai on the 24th: the store's morning, not the default 09:00.
    expect([third.status, third.deferrals[0]?.reason, third.dueAt.toISOString()]).to.deep.equal(['scheduled', 'cap:daily', '2026-11-24T00:00:00.000Z']);
  });

  it('skips suppressed and vanished contacts without calling the vendor', async () => {
    const h = harness('2026-11-23T02:00:00Z', { routing: { out: { optedOut: true }, far: { reachable: false }, gone: null } });
    const out = h.touch('out', { channel: 'kf', staffId: null });
    const far = h.touch('far', { channel: 'kf', staffId: null });
    const gone = h.touch('gone', { channel: 'kf', staffId: null });
    await h.dispatcher.drain();
    expect(h.sent).to.have.length(0);
    expect([out, far, gone].map((t) => [t.status, t.reason])).to.deep.equal([
      ['skipped', 'suppressed:opted_out'],
      ['skipped', 'suppressed:unreachable'],
      ['skipped', 'contact_not_found'],
    ]);
  });

  it('keeps the daily cap: a contact already sent today waits for tomorrow morning, a higher-priority touch takes the slot', async () => {
    const h = harness('2026-11-23T02:00:00Z');
    h.touch('c1', { key: 'earlier', status: 'sent' });
    const capped = h.touch('c1', { key: 'capped', stepId: 'other', staffId: null, channel: 'kf' });
    const low = h.touch('c2', { key: 'low', priority: 10, channel: 'kf', staffId: null });
    h.touch('c2', { key: 'high', priority: 90, channel: 'kf', staffId: null, dueAt: new Date('2026-11-23T08:00:00Z') });
    await h.dispatcher.drain();
    expect([capped.status, capped.deferrals[0]?.reason, capped.dueAt.toISOString()]).to.deep.equal(['scheduled', 'cap:daily', '2026-11-24T01:00:00.000Z']);
    expect([low.status, low.deferrals[0]?.reason]).to.deep.equal(['scheduled', 'cap:priority']);
    expect(h.sent).to.have.length(0);
  });

  it('holds the touches of a paused SOP', async () => {
    const h = harness('2026-11-23T02:00:00Z');
    h.ledger.sopRows.get(`${CORP}:welcome`)!.status = 'paused';
    const row = h.touch('c1');
    await h.dispatcher.drain();
    expect([row.status, row.reason, row.leaseOwner]).to.deep.equal(['held', 'sop_paused', null]);
  });

  it('retries a rate-limited send later and ends one refused for good with the errcode', async () => {
    const h = harness('2026-11-23T02:00:00Z', {
      reply: (msg) => ({ ok: false, error: new ChannelError(msg.to[0]!.id === 'wm-c1' ? { errcode: 45009, kind: 'rate_limited', message: 'freq' } : { errcode: 40003, kind: 'recipient', message: 'bad user' }) }),
    });
    // Without a staff member each touch goes out alone.
    const limited = h.touch('c1', { staffId: null });
    const refused = h.touch('c2', { staffId: null });
    await h.dispatcher.drain();
    expect([limited.status, limited.deferrals[0]?.reason, limited.dueAt.toISOString()]).to.deep.equal(['scheduled', 'retry:45009', '2026-11-23T02:02:00.000Z']);
    expect([refused.status, refused.reason, refused.error?.errcode]).to.deep.equal(['failed', 'vendor:40003', 40003]);
  });

  it('sends the groups of a claim a few at a time, but the groups of one contact one after another and in order', async () => {
    const group = (...contacts: string[]) => contacts.map((contactId) => ({ contactId })) as unknown as Parameters<typeof inLanes>[0][number];
    const groups = [group('a'), group('b'), group('c', 'a'), group('d'), group('e'), group('f')];
    const log: string[] = [];
    let inFlight = 0;
    let most = 0;
    await inLanes(groups, 3, async (g) => {
      const name = g.map((r) => r.contactId).join('+');
      inFlight++;
      most = Math.max(most, inFlight);
      log.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, name === 'a' ? 30 : 5));
      log.push(`end ${name}`);
      inFlight--;
    });
    expect(most, 'several groups at once, never more than the bound').to.equal(3);
    expect(log.indexOf('start c+a'), 'a contact\'s second group waits for its first').to.be.greaterThan(log.indexOf('end a'));
    expect(log.filter((l) => l.startsWith('end'))).to.have.length(6);
  });

  it('finishes every group of a claim before reporting the first error', async () => {
    const done: string[] = [];
    const failing = inLanes([[{ contactId: 'a' }], [{ contactId: 'b' }]] as unknown as Parameters<typeof inLanes>[0], 8, async (g) => {
      if (g[0]!.contactId === 'a') throw new Error('boom');
      await new Promise((resolve) => setTimeout(resolve, 10));
      done.push(g[0]!.contactId);
    });
    await failing.then(
      () => expect.fail('the error is reported'),
      (err: Error) => expect(err.message).to.equal('boom'),
    );
    expect(done).to.deep.equal(['b']);
  });
});
