import { expect } from 'chai';
import { fixedClock } from '../../server/shared/clock.ts';
import { ledgerTouch } from '../../bench/support.ts';
import { createMetrics } from '../../server/system/metrics.ts';
import { InboundInbox } from '../../server/channels/inbound-inbox.repository.ts';
import { createSopLedger } from '../../server/sop/ledger/index.ts';
import { useTestDatabase } from '../support/database.ts';

describe('/metrics backlog: inbox pending by priority and due touches, with the oldest ages', () => {
  const t = useTestDatabase('backlog_metrics');
  const clock = fixedClock('2026-11-23T02:00:00Z');
  const ago = (s: number) => new Date(clock.now().getTime() - s * 1000);

  it('counts pending callbacks per priority and due touches, and says how long the oldest of each has waited', async () => {
    const m = t.db.models;
    const row = (i: number, priority: number, receivedAt: Date, status = 'pending') => ({ accountId: 'acc', corpId: 'ww1', channel: 'wecom', digest: `d${i}`, plaintext: '<xml/>', receivedAt, nextAttemptAt: receivedAt, status, priority });
    await m.InboundRaw.insertMany([row(1, 0, ago(90)), row(2, 0, ago(10)), row(3, 1, ago(4)), row(4, 0, ago(500), 'processed')]);
    const touch = (i: number, dueAt: Date, status = 'scheduled') => ({ ...ledgerTouch({ corpId: 'ww1', sopId: 's', contactId: `c${i}`, storeId: 'st', staffId: 'sf', templateId: 'tpl', dueAt, localDay: '2026-11-23', now: dueAt }), status });
    await m.Touch.collection.insertMany([touch(1, ago(600)), touch(2, ago(60)), touch(3, ago(-3600)), touch(4, ago(7200), 'sent')]);

    const metrics = createMetrics();
    metrics.watchBacklog({ inbox: () => new InboundInbox(m, clock).backlog(), touches: () => createSopLedger(t.db).touches.dueBacklog(clock.now()) });
    const text = await metrics.text();
    expect(text).to.match(/siyu_inbox_pending\{priority="0"\} 2\n/);
    expect(text).to.match(/siyu_inbox_pending\{priority="1"\} 1\n/);
    expect(text).to.match(/siyu_inbox_oldest_pending_seconds\{priority="0"\} 90\n/);
    expect(text).to.match(/siyu_inbox_oldest_pending_seconds\{priority="1"\} 4\n/);
    expect(text).to.match(/siyu_touches_due 2\n/);
    expect(text).to.match(/siyu_touches_oldest_due_seconds 600\n/);
    expect(await metrics.backlog()).to.deep.equal({ inbox: [{ priority: 1, n: 1, oldestAgeS: 4 }, { priority: 0, n: 2, oldestAgeS: 90 }], touches: { n: 2, oldestAgeS: 600 } });
  });
});
