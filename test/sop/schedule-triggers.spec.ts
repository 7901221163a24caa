import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import pino from 'pino';
import { parse as parseYaml } from 'yaml';
import { startWecomSimulator, SIM_CORP_ID, type WecomSimulator } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { SopEngine } from '../../server/sop/runtime/sop-engine.ts';
import { SopRegistry } from '../../server/sop/runtime/sop-registry.ts';
import { placeholderRenderer } from '../../server/sop/runtime/touch-renderer.ts';
import { useTestDatabase } from '../support/database.ts';
import { seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';
import { useSimulatorAccount } from '../support/sim-account.ts';

describe('schedule triggers in each store’s time zone', () => {
  const t = useTestDatabase('sop_schedule');
  let sim: WecomSimulator;
  let services: ReturnType<typeof testServices>;
  let org: TestOrg;
  let registry: SopRegistry;
  let nyStore: string;
  let engine: SopEngine;

  before(async () => {
    services = testServices(t.db, { now: '2027-03-01T00:30:00Z' }); // Monday 08:30 in Shanghai; Sunday 19:30 in New York
    sim = await startWecomSimulator({ clock: services.clock });
    org = await seedTestOrg(services, SIM_CORP_ID);
    const scope = { corpId: org.corpId, storeIds: null };
    const ny = await services.org.createStore(scope, { code: 'NY01', name: '纽约店', city: 'New York', region: '北美', timezone: 'America/New_York' });
    nyStore = ny.id;
    await services.org.createStaff(scope, { userId: 'ny1', name: '纽约店长', storeId: ny.id, role: 'store_manager' });
    for (const u of ['a1', 'ny1']) sim.control.addStaff(u);
    for (const [owner, storeId, name] of [['a1', org.stores.a, '上海福利群'], ['ny1', ny.id, '纽约福利群']] as const) {
      const chat = sim.control.addGroupChat({ name, owner });
      await services.groups.upsert(org.corpId, { chatId: chat.chat_id, name, ownerUserId: owner, storeId, members: [] });
    }
    await useSimulatorAccount(services, org.corpId, sim);
    registry = new SopRegistry(services);
    const sop = await registry.publish(org.corpId, parseYaml(await readFile('sop-templates/weekly-group-content.yaml', 'utf8')), 'file');
    await registry.setStatus(org.corpId, sop.sopId, 'enabled');
    engine = new SopEngine(services, registry, placeholderRenderer, 'sched', pino({ level: 'silent' }));
  });
  after(async () => sim.stop());

  it('fires "0 9 * * 1" at 09:00 Monday local in each store, once, however often it is evaluated', async () => {
    expect(await engine.minuteTick(), 'not yet 09:00 anywhere').to.equal(0);
    services.clock.set('2027-03-01T01:00:00Z'); // 09:00 Monday in Shanghai: both Chinese stores fire
    expect(await engine.minuteTick()).to.equal(2);
    expect(await engine.minuteTick(), 'the same firing is not repeated').to.equal(0);
    let runs = await t.db.models.Enrollment.find({ sopId: 'weekly-group-content' }).lean();
    expect(runs.map((r) => r.storeId)).to.deep.equal([org.stores.a]);
    services.clock.set('2027-03-01T14:00:00Z'); // 09:00 Monday in New York (EST, UTC−5)
    expect(await engine.minuteTick()).to.equal(1);
    runs = await t.db.models.Enrollment.find({ sopId: 'weekly-group-content' }).sort({ storeId: 1 }).lean();
    expect(runs.map((r) => r.storeId).sort()).to.deep.equal([org.stores.a, nyStore].sort());
    expect(runs.every((r) => r.contactId.startsWith('group:'))).to.equal(true);
  });

  it('sends the group content to each store’s group at 11:30 local through a group mass send from the owner', async () => {
    sim.control.clearRequests();
    services.clock.set('2027-03-01T03:30:00Z'); // 11:30 in Shanghai
    await engine.tick();
    services.clock.set('2027-03-01T16:30:00Z'); // 11:30 in New York
    await engine.tick();
    const touches = await t.db.models.Touch.find({ sopId: 'weekly-group-content', stepId: 'mon-recipe' }).lean();
    expect(touches).to.have.length(2);
    const sh = touches.find((x) => x.storeId === org.stores.a)!;
    const ny = touches.find((x) => x.storeId === nyStore)!;
    // WeCom accepted both group sends; each owner still has to confirm theirs, so neither is sent yet.
    expect([sh.dueAt.toISOString(), sh.status], 'Shanghai 11:30 local').to.deep.equal(['2027-03-01T03:30:00.000Z', 'awaiting']);
    expect([ny.dueAt.toISOString(), ny.status], 'New York 11:30 local').to.deep.equal(['2027-03-01T16:30:00.000Z', 'awaiting']);
    const bodies = sim.control.requests('externalcontact/add_msg_template').map((r) => r.body as { chat_type: string; sender: string; chat_id_list: string[] });
    expect(bodies.map((b) => [b.chat_type, b.sender]).sort()).to.deep.equal([['group', 'a1'], ['group', 'ny1']]);
  });

  it('holds a group send that comes due during quiet hours until 09:00 local', async () => {
    // Wednesday 20:00 live preview in Shanghai is fine (quiet hours start at 21:00); let the engine run late instead.
    services.clock.set('2027-03-03T13:30:00Z'); // 21:30 Wednesday in Shanghai, after the 20:00 send was due
    await engine.tick();
    const wed = await t.db.models.Touch.findOne({ sopId: 'weekly-group-content', stepId: 'wed-live-preview', storeId: org.stores.a }).lean();
    expect(wed!.status).to.equal('scheduled');
    expect(wed!.dueAt.toISOString()).to.equal('2027-03-04T01:00:00.000Z');
    expect(wed!.deferrals.map((d) => d.reason)).to.deep.equal(['quiet_hours']);
  });
});
