/**
 * The execution page's backlog (GET /api/sop-execution/backlog): the same two queues /metrics shows, for the
 * caller's corp and stores only, with the age of the oldest item on the injected clock.
 */
import { expect } from 'chai';
import { useTestDatabase } from '../support/database.ts';
import { http, seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';

describe('GET /api/sop-execution/backlog', () => {
  const t = useTestDatabase('execution_backlog');
  let services: ReturnType<typeof testServices>;
  let org: TestOrg;
  let api: ReturnType<typeof http>;
  const now = new Date('2026-12-07T02:00:00Z');
  const ago = (s: number) => new Date(now.getTime() - s * 1000);

  before(async () => {
    services = testServices(t.db, { now: now.toISOString() });
    org = await seedTestOrg(services);
    api = http(services);
    const raw = (corpId: string, receivedAt: Date, priority: number, status = 'pending', i = 0) => ({
      corpId, accountId: 'acc', channel: 'wecom', plaintext: `<xml><i>${i}</i></xml>`, digest: `d${i}`, receivedAt, priority, status, attempts: 0, nextAttemptAt: receivedAt,
    });
    await t.db.models.InboundRaw.collection.insertMany([
      raw(org.corpId, ago(90), 1, 'pending', 1),
      raw(org.corpId, ago(30), 0, 'pending', 2),
      raw(org.corpId, ago(30), 0, 'pending', 3),
      raw(org.corpId, ago(3600), 0, 'processed', 4), // applied: not waiting
      raw('wwothercorp', ago(7200), 0, 'pending', 5), // another tenant's
    ]);
    const touch = (storeId: string, dueAt: Date, status: string, i: number) => ({
      corpId: org.corpId, key: `k${i}`, sopId: 's', sopVersion: 1, enrollmentId: `e${i}`, contactId: `c${i}`, storeId, staffId: null, stepId: 'st', channel: 'wecom_1v1', templateId: 'tpl', priority: 0, tz: 'Asia/Shanghai', dueAt, localDay: '2026-12-07', status, attempts: 0,
    });
    await t.db.models.Touch.collection.insertMany([
      touch(org.stores.a, ago(600), 'scheduled', 1),
      touch(org.stores.b, ago(1200), 'scheduled', 2),
      touch(org.stores.a, new Date(now.getTime() + 60_000), 'scheduled', 3), // not due yet
      touch(org.stores.a, ago(5000), 'sent', 4),
    ]);
  });

  it('shows HQ the corp’s waiting callbacks and due touches with the oldest age', async () => {
    const res = await api.get('/api/sop-execution/backlog', org.tokens.hq).expect(200);
    expect(res.body.inbox).to.deep.include({ pending: 3, oldestAgeS: 90 });
    expect(res.body.inbox.byPriority).to.deep.equal([
      { priority: 1, n: 1, oldestAgeS: 90 },
      { priority: 0, n: 2, oldestAgeS: 30 },
    ]);
    expect(res.body.touches).to.deep.equal({ due: 2, oldestAgeS: 1200 });
  });

  it('shows a store manager their store’s due touches and no callbacks (they belong to no store)', async () => {
    const res = await api.get('/api/sop-execution/backlog', org.tokens.managerA).expect(200);
    expect(res.body.inbox).to.equal(null);
    expect(res.body.touches).to.deep.equal({ due: 1, oldestAgeS: 600 });
  });

  it('refuses staff', async () => {
    await api.get('/api/sop-execution/backlog', org.tokens.staffA).expect(403);
  });
});
