import { expect } from 'chai';
import pino from 'pino';
import { startWecomSimulator, SIM_CORP_ID, type WecomSimulator } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { seedContentTemplates } from '../../server/content/seed-templates.ts';
import { contentRenderer } from '../../server/sop/runtime/content-renderer.ts';
import { taskDueAt } from '../../server/sop/runtime/dispatcher.ts';
import { enroll } from '../../server/sop/runtime/enroll.ts';
import { subjectRunId } from '../../server/sop/runtime/routing.ts';
import { SopEngine } from '../../server/sop/runtime/sop-engine.ts';
import { SopRegistry } from '../../server/sop/runtime/sop-registry.ts';
import { useTestDatabase } from '../support/database.ts';
import { useSimulatorAccount } from '../support/sim-account.ts';
import { http, seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';

/**
 * Moments and group sends reach no one until the staff member publishes them in WeCom: the touch waits under a
 * task with the exact text and media on /m, and is sent only when WeCom's read-back says it was published.
 */
describe('SOP moments and group sends: staff tasks, read back from WeCom', () => {
  const t = useTestDatabase('sop_publish_read_back');
  let sim: WecomSimulator;
  let services: ReturnType<typeof testServices>;
  let org: TestOrg;
  let registry: SopRegistry;
  let api: ReturnType<typeof http>;
  const engine = () => new SopEngine(services, registry, contentRenderer(services), 'read-back-worker', pino({ level: 'silent' }));
  const touches = (sopId: string) => t.db.models.Touch.find({ corpId: org.corpId, sopId }).lean();
  const minuteLater = () => services.clock.set(new Date(services.clock.now().getTime() + 61_000).toISOString());

  before(async () => {
    services = testServices(t.db, { now: '2027-01-12T03:00:00Z' }); // Tuesday 11:00 in Shanghai
    sim = await startWecomSimulator({ clock: services.clock });
    sim.control.addStaff('a2');
    org = await seedTestOrg(services, SIM_CORP_ID);
    await useSimulatorAccount(services, org.corpId, sim);
    await seedContentTemplates(services, org.corpId);
    registry = new SopRegistry(services, (corpId, ids) => services.content.pinnedVersions(corpId, ids));
    api = http(services);
  });
  after(async () => sim.stop());

  const publish = async (def: Record<string, unknown>) => {
    const sop = await registry.publish(org.corpId, def, 'api');
    await registry.setStatus(org.corpId, sop.sopId, 'enabled');
    return registry.get(org.corpId, sop.sopId);
  };

  it('a staff-subject moments step becomes a 朋友圈 task with the text and images, sent only once WeCom says it was published', async () => {
    const sop = await publish({
      id: 'moments-now',
      name: '朋友圈测试',
      subject: 'staff',
      trigger: { type: 'schedule', cron: '0 8 * * mon' },
      steps: [{ id: 'post', type: 'send', channel: 'wecom_moments', template: 'tpl-moments-tue-new-product' }],
    });
    expect((await enroll(services, sop, subjectRunId('staff', org.staff.a2), services.clock.now())).enrolled).to.equal(true);
    const e = engine();
    await e.tick();

    let [touch] = await touches('moments-now');
    expect(touch!.status, 'WeCom accepted the moment task, but nothing is posted yet').to.equal('awaiting');
    expect(touch!.sentAt).to.equal(null);

    const list = await api.get('/api/me/tasks', org.tokens.staffA).expect(200);
    const task = list.body.items.find((x: { kind: string }) => x.kind === 'moments');
    expect(task, 'a 朋友圈 card on /m').to.not.equal(undefined);
    expect(task.title).to.include('朋友圈');
    expect(task.text).to.equal(touch!.text);
    expect(task.text).to.include('草莓酸奶杯').and.include('上海一店');
    expect(task.media.map((m: { type: string; url: string }) => [m.type, m.url.split('/').pop()])).to.deep.equal([
      ['image', 'strawberry-yogurt-1.jpg'],
      ['image', 'strawberry-yogurt-2.jpg'],
    ]);
    expect(new Date(task.dueAt).getTime(), 'not overdue the moment it appears').to.be.greaterThan(services.clock.now().getTime());
    const jobid = task.source.vendorId as string;
    expect(sim.state.momentJobs.get(jobid)?.body).to.deep.include({ text: { content: task.text } });

    // Staff taps 完成 before posting: the task closes, but WeCom has no post, so the touch is not sent.
    await api.post(`/api/me/tasks/${task.id}/done`, {}, org.tokens.staffA).expect(200);
    minuteLater();
    await e.tick();
    [touch] = await touches('moments-now');
    expect(touch!.status).to.equal('awaiting');
    expect(touch!.vendorId, 'the job ended: the moment is asked about by its id').to.match(/^moment:/);

    sim.control.publishMoment(jobid, 'a2');
    minuteLater();
    await e.tick();
    [touch] = await touches('moments-now');
    expect(touch!.status).to.equal('sent');
    expect(touch!.sentAt!.getTime()).to.equal(services.clock.now().getTime());
  });

  it('a group step becomes a 群发 task for the group owner; the touch is sent when WeCom reports the group send done', async () => {
    const chat = sim.control.addGroupChat({ name: '草莓福利群', owner: 'a2' });
    await services.groups.upsert(org.corpId, { chatId: chat.chat_id, name: '草莓福利群', ownerUserId: 'a2', storeId: org.stores.a, members: [] });
    const sop = await publish({
      id: 'group-now',
      name: '社群测试',
      subject: 'group',
      trigger: { type: 'schedule', cron: '0 9 * * 1' },
      steps: [{ id: 'recipe', type: 'send', channel: 'wecom_group', template: 'tpl-group-mon-recipe' }],
    });
    expect((await enroll(services, sop, subjectRunId('group', chat.chat_id), services.clock.now())).enrolled).to.equal(true);
    const e = engine();
    await e.tick();

    let [touch] = await touches('group-now');
    expect(touch!.status).to.equal('awaiting');
    const task = await t.db.models.StaffTask.findOne({ corpId: org.corpId, kind: 'group_send', 'source.sopId': 'group-now' }).lean();
    expect(task!.staffId).to.equal(org.staff.a2);
    expect(task!.title).to.include('草莓福利群');
    expect(task!.text).to.equal(touch!.text);
    const msgid = task!.source!.vendorId!;
    expect(sim.state.massSends.get(msgid)?.chat_type).to.equal('group');

    minuteLater();
    await e.tick();
    [touch] = await touches('group-now');
    expect(touch!.status, 'the owner has not confirmed the send in WeCom yet').to.equal('awaiting');

    sim.control.confirmMassSend(msgid, 'a2');
    minuteLater();
    await e.tick();
    [touch] = await touches('group-now');
    expect(touch!.status).to.equal('sent');
    const closed = await t.db.models.StaffTask.findById(task!._id).lean();
    expect(closed!.status, 'WeCom says it went out: the task is done').to.equal('done');
  });

  it('a group send to a dismissed group is read back as failed, with its task skipped', async () => {
    const chat = sim.control.addGroupChat({ name: '将解散的群', owner: 'a2' });
    await services.groups.upsert(org.corpId, { chatId: chat.chat_id, name: '将解散的群', ownerUserId: 'a2', storeId: org.stores.a, members: [] });
    const sop = await publish({
      id: 'group-gone',
      name: '社群测试二',
      subject: 'group',
      trigger: { type: 'schedule', cron: '0 9 * * 1' },
      steps: [{ id: 'recipe', type: 'send', channel: 'wecom_group', template: 'tpl-group-mon-recipe' }],
    });
    await enroll(services, sop, subjectRunId('group', chat.chat_id), services.clock.now());
    const e = engine();
    await e.tick();
    const task = await t.db.models.StaffTask.findOne({ corpId: org.corpId, kind: 'group_send', 'source.sopId': 'group-gone' }).lean();
    sim.state.groupChats.delete(chat.chat_id);
    sim.control.confirmMassSend(task!.source!.vendorId!, 'a2');
    minuteLater();
    await e.tick();
    const [touch] = await touches('group-gone');
    expect([touch!.status, touch!.reason]).to.deep.equal(['failed', 'vendor_refused_recipient']);
    const closed = await t.db.models.StaffTask.findById(task!._id).lean();
    expect([closed!.status, closed!.skipReason]).to.deep.equal(['skipped', 'vendor_refused_recipient']);
  });

  it('a 1:1 send task says it goes to the customer, and is due at the end of the send window, not when it appears', async () => {
    const c = sim.control.addCustomer({ name: '李雷', follow_user: [{ userid: 'a2' }] });
    const { contact } = await services.identities.upsert(org.corpId, { identities: [{ kind: 'wecom', externalUserId: c.external_userid }], profile: { name: '李雷' } });
    const staff = await services.org.getStaff({ corpId: org.corpId, storeIds: null }, org.staff.a2);
    await services.follows.upsert(org.corpId, { contactId: contact.id, staff, addedAt: services.clock.now() });
    const sop = await publish({
      id: 'one-to-one',
      name: '一对一测试',
      trigger: { type: 'event', event: 'friend_added' },
      steps: [{ id: 'hello', type: 'send', channel: 'wecom_1to1', template: 'tpl-onboarding-day1-store-perks' }],
    });
    await enroll(services, sop, contact.id, services.clock.now());
    await engine().tick();
    const task = await t.db.models.StaffTask.findOne({ corpId: org.corpId, kind: 'mass_send_confirm', 'source.sopId': 'one-to-one' }).lean();
    expect(task!.title).to.equal('发送给客户 Send to the customer');
    expect(task!.title).to.not.include('群发');
    // Now is 11:xx in Shanghai: due where quiet hours begin, 21:00 local = 13:00Z.
    expect(task!.dueAt.toISOString()).to.equal(`${services.clock.now().toISOString().slice(0, 10)}T13:00:00.000Z`);
  });

  it('gives a send task at least an hour when the send window is about to close', () => {
    const now = new Date('2027-01-12T12:30:00Z'); // 20:30 in Shanghai, quiet hours from 21:00
    expect(taskDueAt(now, 'Asia/Shanghai').toISOString()).to.equal('2027-01-12T13:30:00.000Z');
    expect(taskDueAt(new Date('2027-01-12T03:00:00Z'), 'America/New_York').toISOString(), '22:00 in New York: the end of that local day').to.equal('2027-01-12T05:00:00.000Z');
  });
});
