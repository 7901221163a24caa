import { expect } from 'chai';
import pino from 'pino';
import type { OutboundMessage } from '../../adapters/channel-adapter.ts';
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

  it('a staff-subject group step sends to every group the staff member owns: one 群发 task, read back as the others', async () => {
    sim.control.addStaff('a1');
    const mine = [sim.control.addGroupChat({ name: '会员一群', owner: 'a1' }), sim.control.addGroupChat({ name: '会员二群', owner: 'a1' })];
    for (const chat of mine) await services.groups.upsert(org.corpId, { chatId: chat.chat_id, name: chat.name, ownerUserId: 'a1', storeId: org.stores.a, members: [] });
    const theirs = sim.control.addGroupChat({ name: '别人的群', owner: 'a2' });
    await services.groups.upsert(org.corpId, { chatId: theirs.chat_id, name: '别人的群', ownerUserId: 'a2', storeId: org.stores.a, members: [] });
    const gone = sim.control.addGroupChat({ name: '已解散的群', owner: 'a1' });
    await services.groups.upsert(org.corpId, { chatId: gone.chat_id, name: '已解散的群', ownerUserId: 'a1', storeId: org.stores.a, members: [] });
    await services.groups.markDismissed(org.corpId, gone.chat_id, services.clock.now());
    const sop = await publish({
      id: 'staff-groups',
      name: '员工群发测试',
      subject: 'staff',
      trigger: { type: 'schedule', cron: '0 9 * * 1' },
      steps: [{ id: 'recipe', type: 'send', channel: 'wecom_group', template: 'tpl-group-mon-recipe' }],
    });
    await enroll(services, sop, subjectRunId('staff', org.staff.a1), services.clock.now());
    const e = engine();
    await e.tick();

    let [touch] = await touches('staff-groups');
    expect([touch!.status, touch!.reason], 'not skipped for want of a chat id').to.deep.equal(['awaiting', 'staff_publishes']);
    const tasks = await t.db.models.StaffTask.find({ corpId: org.corpId, kind: 'group_send', 'source.sopId': 'staff-groups' }).lean();
    expect(tasks, 'one task for the staff member').to.have.length(1);
    expect(tasks[0]!.staffId).to.equal(org.staff.a1);
    expect(tasks[0]!.title).to.include('会员一群').and.include('会员二群').and.not.include('别人的群').and.not.include('已解散的群');
    expect(tasks[0]!.text).to.equal(touch!.text);
    const msgid = tasks[0]!.source!.vendorId!;
    const send = sim.state.massSends.get(msgid)!;
    expect(send.chat_type).to.equal('group');
    expect([...(send.body as { chat_id_list: string[] }).chat_id_list].sort()).to.deep.equal(mine.map((c) => c.chat_id).sort());
    expect(send.text?.content).to.equal(touch!.text);

    minuteLater();
    await e.tick();
    [touch] = await touches('staff-groups');
    expect(touch!.status, 'not confirmed in WeCom yet').to.equal('awaiting');
    sim.control.confirmMassSend(msgid, 'a1');
    minuteLater();
    await e.tick();
    [touch] = await touches('staff-groups');
    expect(touch!.status).to.equal('sent');
    expect((await t.db.models.StaffTask.findById(tasks[0]!._id).lean())!.status).to.equal('done');
  });

  it('a staff-subject group step for a member who owns no group is skipped as no_owned_groups, and nothing is sent', async () => {
    const sop = await publish({
      id: 'staff-no-groups',
      name: '员工群发测试二',
      subject: 'staff',
      trigger: { type: 'schedule', cron: '0 9 * * 1' },
      steps: [{ id: 'recipe', type: 'send', channel: 'wecom_group', template: 'tpl-group-mon-recipe' }],
    });
    await enroll(services, sop, subjectRunId('staff', org.staff.b1), services.clock.now());
    sim.control.clearRequests();
    await engine().tick();
    const [touch] = await touches('staff-no-groups');
    expect([touch!.status, touch!.reason]).to.deep.equal(['skipped', 'no_owned_groups']);
    expect(sim.control.requests('externalcontact/add_msg_template')).to.have.length(0);
  });

  describe('a worker that dies between the vendor call and the ledger write', () => {
    const worker = (owner: string) => new SopEngine(services, registry, contentRenderer(services), owner, pino({ level: 'silent' }));
    /** Plans the touch, then plays the dead worker: claims it, sends `msg`, and never records the outcome. */
    const crashAfterSend = async (sopId: string, msg: (text: string, attachments: OutboundMessage['attachments']) => OutboundMessage) => {
      await worker('planner').runner.drain();
      const [row] = await touches(sopId);
      await t.db.models.Touch.updateOne({ _id: row!._id }, { $set: { status: 'sending', leaseOwner: 'dead', leaseUntil: new Date(services.clock.now().getTime() + 60_000), sendStartedAt: services.clock.now(), attempts: 1 } });
      const rendered = await contentRenderer(services)({ ...row!, status: 'sending' } as never, (await services.routing.one(org.corpId, row!.contactId))!);
      const images = (rendered.attachments ?? []).flatMap((a) => (a.type === 'image' ? [{ type: 'image' as const, url: a.url }] : []));
      const sent = await services.adapterFor(await services.channelAccounts.resolve('wecom', undefined)).send(msg(rendered.text, images));
      expect(sent.ok, 'the dead worker reached WeCom').to.equal(true);
      sim.control.clearRequests();
      services.clock.set(new Date(services.clock.now().getTime() + 5 * 60_000).toISOString()); // the lease has lapsed
      return sent.ok ? sent.vendorId! : '';
    };

    it('never posts a reclaimed moment a second time', async () => {
      const sop = await publish({
        id: 'moments-crash',
        name: '朋友圈宕机测试',
        subject: 'staff',
        trigger: { type: 'schedule', cron: '0 8 * * mon' },
        steps: [{ id: 'post', type: 'send', channel: 'wecom_moments', template: 'tpl-moments-tue-new-product' }],
      });
      await enroll(services, sop, subjectRunId('staff', org.staff.a2), services.clock.now());
      await crashAfterSend('moments-crash', (text, attachments) => ({ clientId: 'dead', route: 'moments', sender: 'a2', to: [], text, attachments }));
      await worker('worker-B').dispatcher.drain();
      expect(sim.control.requests('externalcontact/add_moment_task'), 'nothing posted twice').to.have.length(0);
      const [touch] = await touches('moments-crash');
      expect([touch!.status, touch!.reason]).to.deep.equal(['skipped', 'unconfirmed_after_crash']);
    });

    it('waits while WeCom is still dispatching a reclaimed group send (41063), then finds and reads it back: no second send', async () => {
      const chat = sim.control.addGroupChat({ name: '宕机测试群', owner: 'a2' });
      await services.groups.upsert(org.corpId, { chatId: chat.chat_id, name: '宕机测试群', ownerUserId: 'a2', storeId: org.stores.a, members: [] });
      const sop = await publish({
        id: 'group-crash',
        name: '社群宕机测试',
        subject: 'group',
        trigger: { type: 'schedule', cron: '0 9 * * 1' },
        steps: [{ id: 'recipe', type: 'send', channel: 'wecom_group', template: 'tpl-group-mon-recipe' }],
      });
      await enroll(services, sop, subjectRunId('group', chat.chat_id), services.clock.now());
      sim.control.settings.massDispatchDelayMs = 20 * 60_000;
      try {
        const msgid = await crashAfterSend('group-crash', (text, attachments) => ({ clientId: 'dead', route: 'mass_send', sender: 'a2', to: [{ type: 'group', id: chat.chat_id }], text, attachments }));
        await worker('worker-B').dispatcher.drain();
        expect(sim.control.requests('externalcontact/add_msg_template'), 'WeCom cannot answer yet: nothing resent').to.have.length(0);
        let [touch] = await touches('group-crash');
        expect(touch!.status).to.equal('sending');

        services.clock.set(new Date(services.clock.now().getTime() + 20 * 60_000).toISOString());
        await worker('worker-C').dispatcher.drain();
        expect(sim.control.requests('externalcontact/add_msg_template')).to.have.length(0);
        [touch] = await touches('group-crash');
        expect([touch!.status, touch!.vendorId], 'found at WeCom, read back from there').to.deep.equal(['awaiting', msgid]);
        sim.control.confirmMassSend(msgid, 'a2');
        minuteLater();
        await worker('worker-C').tick();
        [touch] = await touches('group-crash');
        expect(touch!.status).to.equal('sent');
      } finally {
        sim.control.settings.massDispatchDelayMs = 0;
      }
    });
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
