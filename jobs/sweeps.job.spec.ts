import { expect } from 'chai';
import pino from 'pino';
import { useTestDatabase } from '../test/support/database.ts';
import { http, seedTestOrg, testServices } from '../test/support/test-app.ts';
import { startScheduler } from './scheduler.ts';

describe('sweep jobs through agenda', function () {
  this.timeout(60_000);
  const t = useTestDatabase('sweep_jobs');

  it('campaigns.tick assigns a running campaign’s imported leads to store staff', async () => {
    const services = testServices(t.db, { now: '2026-12-02T03:00:00Z' }); // 11:00 in Shanghai: working hours
    const org = await seedTestOrg(services);
    const api = http(services);
    const created = await api.post('/api/campaigns', { name: '老客加粉', storeIds: [org.stores.a], greetings: [{ id: 'hi', text: '您好' }], dailyQuota: 5 }, org.tokens.hq).expect(201);
    const id = created.body.id as string;
    await api.post(`/api/campaigns/${id}/start`, {}, org.tokens.hq).expect(200);
    const csv = ['手机号,姓名', '13800138001,甲', '13800138002,乙', '13800138003,丙'].join('\n');
    await api.raw().post(`/api/campaigns/${id}/leads/import`).set('Authorization', `Bearer ${org.tokens.hq}`).attach('file', Buffer.from(csv), 'leads.csv').expect(200);
    expect(await t.db.models.Lead.countDocuments({ campaignId: id, staffId: { $ne: null } }), 'nothing assigned before the job').to.equal(0);

    const scheduler = await startScheduler({ services, db: t.db, logger: pino({ level: 'silent' }), roles: ['scheduler'], processEveryMs: 100, staffPageUrl: 'http://127.0.0.1/m', dailyWork: false });
    try {
      await scheduler.enqueue('campaignTick', {});
      const deadline = Date.now() + 20_000;
      let assigned = 0;
      while (Date.now() < deadline && assigned < 3) {
        assigned = await t.db.models.Lead.countDocuments({ campaignId: id, staffId: { $in: [org.staff.a1, org.staff.a2] } });
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(assigned).to.equal(3);
    } finally {
      await scheduler.stop();
    }
  });
});
