/**
 * SopEngine.stop() within its bound: a dispatcher batch stuck before the vendor call (a renderer that never
 * answers) is given back, touches `scheduled` again with their attempt uncounted, and the next worker sends each once.
 */
import { expect } from 'chai';
import pino from 'pino';
import { startWecomSimulator, SIM_CORP_ID, type WecomSimulator } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { enroll } from '../../server/sop/runtime/enroll.ts';
import { SopEngine } from '../../server/sop/runtime/sop-engine.ts';
import { SopRegistry } from '../../server/sop/runtime/sop-registry.ts';
import { placeholderRenderer, type TouchRenderer } from '../../server/sop/runtime/touch-renderer.ts';
import { useTestDatabase } from '../support/database.ts';
import { seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';
import { useSimulatorAccount } from '../support/sim-account.ts';

describe('SopEngine.stop', () => {
  const t = useTestDatabase('sop_engine_stop');
  let sim: WecomSimulator;
  let services: ReturnType<typeof testServices>;
  let org: TestOrg;
  let registry: SopRegistry;

  before(async () => {
    services = testServices(t.db, { now: '2026-12-20T02:00:00Z' }); // 10:00 in Shanghai
    sim = await startWecomSimulator({ clock: services.clock });
    sim.control.addStaff('a2');
    org = await seedTestOrg(services, SIM_CORP_ID);
    await useSimulatorAccount(services, org.corpId, sim);
    registry = new SopRegistry(services);
  });
  after(async () => sim.stop());

  it('releases touches claimed but not yet sent when the bound passes, without counting their attempt', async () => {
    const sop = await registry.publish(org.corpId, { id: 'stop-1', name: '关停', trigger: { type: 'event', event: 'friend_added' }, priority: 50, steps: [{ id: 'hello', type: 'send', channel: 'wecom_1to1', template: 'tpl-stop' }] }, 'api');
    await registry.setStatus(org.corpId, sop.sopId, 'enabled');
    const staff = await services.org.getStaff({ corpId: org.corpId, storeIds: null }, org.staff.a2);
    for (let i = 0; i < 3; i++) {
      const c = sim.control.addCustomer({ name: `关停${i}`, follow_user: [{ userid: 'a2' }] });
      const { contact } = await services.identities.upsert(org.corpId, { identities: [{ kind: 'wecom', externalUserId: c.external_userid }], profile: { name: c.name } });
      await services.follows.upsert(org.corpId, { contactId: contact.id, staff, addedAt: services.clock.now() });
      await enroll(services, await registry.get(org.corpId, 'stop-1'), contact.id, services.clock.now());
    }
    const log = pino({ level: 'silent' });
    await new SopEngine(services, registry, placeholderRenderer, 'planner', log).runner.drain();
    expect(await t.db.models.Touch.countDocuments({ sopId: 'stop-1', status: 'scheduled' })).to.equal(3);

    const never: TouchRenderer = () => new Promise(() => undefined);
    const stuck = new SopEngine(services, registry, never, 'worker-stuck', log);
    stuck.start(20);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await t.db.models.Touch.countDocuments({ sopId: 'stop-1', status: 'sending' })) < 3) await new Promise((r) => setTimeout(r, 20));
    expect(await t.db.models.Touch.countDocuments({ sopId: 'stop-1', status: 'sending', attempts: 1 }), 'claimed as one batch').to.equal(3);

    const started = Date.now();
    expect(await stuck.stop(300), 'the tick did not finish').to.equal(false);
    expect(Date.now() - started).to.be.lessThan(2_000);
    const released = await t.db.models.Touch.find({ sopId: 'stop-1' }).lean();
    expect(released.map((r) => [r.status, r.attempts, r.leaseOwner ?? null])).to.deep.equal([
      ['scheduled', 0, null],
      ['scheduled', 0, null],
      ['scheduled', 0, null],
    ]);

    sim.control.clearRequests();
    await new SopEngine(services, registry, placeholderRenderer, 'worker-next', log).dispatcher.drain();
    expect((await t.db.models.Touch.find({ sopId: 'stop-1' }).lean()).map((r) => r.status)).to.deep.equal(['sent', 'sent', 'sent']);
    const recipients = sim.control.requests('externalcontact/add_msg_template').flatMap((r) => (r.body as { external_userid: string[] }).external_userid);
    expect(recipients, 'each customer once').to.have.length(3);
    expect(new Set(recipients).size).to.equal(3);
  });
});
