import { expect } from 'chai';
import { fixedClock } from '../../shared/clock.ts';
import type { StaffTaskInput } from '../../tasks/index.ts';
import { InMemoryLedger, routingOf } from '../../../test/support/in-memory-ledger.ts';
import type { RunFacts } from './run-facts.ts';
import { SopRunner, type RunnerDeps } from './runner.ts';

const CORP = 'corp-1';

/** The runner over the in-memory ledger, fake routing, tasks and run facts. */
function harness(now: string, facts: Partial<RunFacts> = {}) {
  const ledger = new InMemoryLedger();
  const clock = fixedClock(now);
  const tasks: StaffTaskInput[] = [];
  const tagged: Array<{ contactId: string; mode: string; names: readonly string[] }> = [];
  const deps: RunnerDeps = {
    ledger,
    clock,
    routing: { one: async (_corp, id) => (id === 'gone' ? null : routingOf(id)) },
    tasks: { planOnce: async (t) => void (tasks.some((x) => x.key === t.key) || tasks.push(t)), addToMassSend: async () => undefined },
    runFacts: {
      exitReason: async () => null,
      holds: async () => false,
      changeTags: async (_corp, contactId, mode, names) => void tagged.push({ contactId, mode, names }),
      experiment: async (_corp, _id, variants) => ({ variants: [...variants], holdout: () => false }),
      saveHoldouts: async () => undefined,
      ...facts,
    },
  };
  return { ledger, clock, tasks, tagged, runner: new SopRunner(deps, 'unit-runner') };
}

const enter = (ledger: InMemoryLedger, sopId: string, contactId: string, at: Date, stepId: string) => ledger.addRun({ corpId: CORP, sopId, contactId, stepId, dueAt: at, cursorAt: at, enteredAt: at });

describe('SopRunner over an in-memory ledger', () => {
  it('plans a send after quiet hours, waits in the store zone, then puts the task on the staff list of that local day', async () => {
    // 23:50 in Shanghai: the send goes out at 09:00 the next morning; the wait counts from there.
    const h = harness('2026-11-22T15:50:00Z');
    h.ledger.addSop(CORP, {
      id: 'welcome',
      name: '欢迎',
      trigger: { type: 'event', event: 'friend_added' },
      steps: [
        { id: 'hello', type: 'send', channel: 'wecom_1to1', template: 'tpl-hello' },
        { id: 'pause', type: 'wait', duration: '1d' },
        { id: 'call', type: 'task', kind: 'call' },
      ],
    });
    const run = enter(h.ledger, 'welcome', 'c1', h.clock.now(), 'hello');

    expect(await h.runner.drain()).to.equal(1);
    const [touch] = h.ledger.touchRows;
    expect(touch).to.include({ key: 'welcome:c1:1:hello', status: 'scheduled', localDay: '2026-11-23', staffId: 'staff-a', storeId: 'store-a', templateId: 'tpl-hello', enrollmentId: String(run._id) });
    expect(touch!.dueAt.toISOString()).to.equal('2026-11-23T01:00:00.000Z');
    expect(run).to.include({ stepId: 'pause', status: 'active', leaseOwner: null });
    expect(run.dueAt!.toISOString()).to.equal('2026-11-24T01:00:00.000Z');
    expect(h.tasks).to.have.length(0);

    expect(await h.runner.drain()).to.equal(0); // not due yet
    h.clock.set('2026-11-24T01:00:00Z');
    expect(await h.runner.drain()).to.equal(1);
    expect(h.tasks).to.have.length(1);
    expect(h.tasks[0]).to.include({ key: 'sop:welcome:c1:1:call', staffId: 'staff-a', storeId: 'store-a', kind: 'call', title: '电话回访', localDate: '2026-11-24' });
    expect(h.tasks[0]!.contactIds).to.deep.equal(['c1']);
    expect(run).to.include({ status: 'completed', stepId: null, dueAt: null });
  });

  it('ends a run whose exit condition holds and skips its planned touches', async () => {
    let replied = false;
    const h = harness('2026-11-23T02:00:00Z', { exitReason: async () => (replied ? 'replied' : null) });
    h.ledger.addSop(CORP, {
      id: 'nurture',
      name: '培育',
      trigger: { type: 'event', event: 'friend_added' },
      exit_on: ['replied'],
      steps: [
        { id: 'hello', type: 'send', channel: 'wecom_1to1', template: 'tpl-1' },
        { id: 'pause', type: 'wait', duration: '2h' },
        { id: 'again', type: 'send', channel: 'wecom_1to1', template: 'tpl-2' },
      ],
    });
    const run = enter(h.ledger, 'nurture', 'c2', h.clock.now(), 'hello');
    await h.runner.drain();
    expect(h.ledger.touchRows.map((t) => t.status)).to.deep.equal(['scheduled']);

    replied = true;
    h.clock.advance(3 * 3_600_000);
    await h.runner.drain();
    expect(run).to.include({ status: 'exited', exitReason: 'replied', leaseOwner: null });
    expect(h.ledger.touchRows.map((t) => [t.stepId, t.status, t.reason])).to.deep.equal([['hello', 'skipped', 'exited:replied']]);
  });

  it('follows a branch and applies tag steps; a contact that is gone exits the run', async () => {
    const h = harness('2026-11-23T02:00:00Z', { holds: async (_c, routing) => routing.contactId === 'c3' });
    h.ledger.addSop(CORP, {
      id: 'fork',
      name: '分支',
      trigger: { type: 'event', event: 'friend_added' },
      steps: [
        { id: 'check', type: 'branch', condition: { kind: 'has_tag', tag: 'VIP' }, then: 'vip', else: 'plain' },
        { id: 'vip', type: 'tag', tags: ['高意向'], next: 'end' },
        { id: 'plain', type: 'untag', tags: ['高意向'] },
      ],
    });
    enter(h.ledger, 'fork', 'c3', h.clock.now(), 'check');
    enter(h.ledger, 'fork', 'c4', h.clock.now(), 'check');
    const gone = enter(h.ledger, 'fork', 'gone', h.clock.now(), 'check');
    expect(await h.runner.drain()).to.equal(3);
    expect(h.tagged).to.deep.equal([
      { contactId: 'c3', mode: 'tag', names: ['高意向'] },
      { contactId: 'c4', mode: 'untag', names: ['高意向'] },
    ]);
    expect(gone).to.include({ status: 'exited', exitReason: 'contact_not_found' });
  });

  it('leaves runs of a paused SOP where they are, lease released', async () => {
    const h = harness('2026-11-23T02:00:00Z');
    h.ledger.addSop(CORP, { id: 'held', name: '暂停', trigger: { type: 'event', event: 'friend_added' }, steps: [{ id: 'hello', type: 'send', channel: 'wecom_1to1', template: 'tpl' }] }, { status: 'paused' });
    const run = enter(h.ledger, 'held', 'c5', h.clock.now(), 'hello');
    await h.runner.drain(1);
    expect(run).to.include({ stepId: 'hello', status: 'active', leaseOwner: null, steps: 0 });
    expect(h.ledger.touchRows).to.have.length(0);
  });

  it('stops advancing a run another runner took over, without planning twice', async () => {
    const h = harness('2026-11-23T02:00:00Z');
    h.ledger.addSop(CORP, {
      id: 'race',
      name: '抢占',
      trigger: { type: 'event', event: 'friend_added' },
      steps: [
        { id: 'one', type: 'send', channel: 'wecom_1to1', template: 'tpl-1' },
        { id: 'two', type: 'send', channel: 'wecom_1to1', template: 'tpl-2' },
      ],
    });
    const run = enter(h.ledger, 'race', 'c6', h.clock.now(), 'one');
    // The lease lapses during the first step: another worker owns the run when this one tries to move it.
    const plan = h.ledger.touches.plan;
    h.ledger.touches.plan = async (...args) => {
      await plan(...args);
      run.leaseOwner = 'other-runner';
    };
    await h.runner.drain(1);
    expect(run).to.include({ stepId: 'one', leaseOwner: 'other-runner', steps: 0 });
    expect(h.ledger.touchRows.map((t) => t.stepId)).to.deep.equal(['one']);
  });
});
