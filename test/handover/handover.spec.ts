import { expect } from 'chai';
import { deliverCallback } from '../../adapters/wecom/simulator/callback-driver.ts';
import { SIM_CORP_ID } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { CALLBACK_AES_KEY, CALLBACK_TOKEN, startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { useTestDatabase } from '../support/database.ts';
import { http } from '../support/test-app.ts';
import type { CustomerMove } from '../../server/handover/handover-participants.ts';

describe('customer handover /api/handovers (在职 / 离职继承) against the WeCom simulator', () => {
  const t = useTestDatabase('handover');
  let h: ChannelHarness;
  let api: ReturnType<typeof http>;
  const participantMoves: CustomerMove[] = [];
  const target = () => ({ url: `${h.baseUrl}/callbacks/wecom`, token: CALLBACK_TOKEN, encodingAESKey: CALLBACK_AES_KEY, corpId: SIM_CORP_ID, retryDelayMs: 0 });
  const m = () => t.db.models;
  const corp = () => ({ corpId: h.org.corpId, storeIds: null });

  /** A WeCom customer of `userid`, in the simulator and in the contact store. */
  async function customer(externalUserId: string, name: string, staffId: string, userid: string): Promise<string> {
    h.sim.control.addCustomer({ external_userid: externalUserId, name, follow_user: [{ userid, remark: `${name}备注`, state: 'lc-counter' }] });
    const staff = await h.services.org.getStaff(corp(), staffId);
    const { contact } = await h.services.identities.upsert(h.org.corpId, { identities: [{ kind: 'wecom', externalUserId }], profile: { name } });
    await h.services.follows.upsert(h.org.corpId, { contactId: contact.id, staff, remark: `${name}备注`, state: 'lc-counter', addedAt: new Date() });
    return contact.id;
  }

  async function deliverAll(callbacks: string[]): Promise<void> {
    for (const xml of callbacks) expect((await deliverCallback({ ...target(), xml })).delivered).to.equal(true);
    await h.processor.drain();
  }

  before(async () => {
    h = await startChannelHarness(t.db);
    api = http(h.services);
    h.services.handover.participants.add({ name: 'test-leads', moveCustomer: async (_scope, move) => void participantMoves.push(move) });
  });
  after(async () => h?.stop());

  describe('在职继承 by the store manager: refused, taken over, and everything that follows the customer', () => {
    const ids: Record<string, string> = {};
    let handoverId = '';

    before(async () => {
      const { org } = h;
      ids.c1 = await customer('wm-ho-1', '周女士', org.staff.a2, 'a2');
      ids.c2 = await customer('wm-ho-2', '吴先生', org.staff.a2, 'a2');
      ids.c3 = await customer('wm-ho-3', '郑阿姨', org.staff.a2, 'a2');
      const day = { corpId: org.corpId, storeId: org.stores.a, staffId: org.staff.a2, localDate: '2026-11-22', dueAt: new Date() };
      await h.services.tasks.createOnce({ ...day, key: 'ho:call', kind: 'call', title: '回访周女士', contactIds: [ids.c1!] });
      await h.services.tasks.createOnce({ ...day, key: 'ho:mass', kind: 'mass_send_confirm', title: '确认群发', contactIds: [ids.c1!, ids.c3!] });
      const done = await h.services.tasks.createOnce({ ...day, key: 'ho:done', kind: 'call', title: '已完成的回访', contactIds: [ids.c1!] });
      await m().StaffTask.updateOne({ _id: done.id }, { $set: { status: 'done' } });
      const run = await m().Enrollment.create({ corpId: org.corpId, sopId: 'sop-care', contactId: ids.c1, storeId: org.stores.a, staffId: org.staff.a2, tz: 'Asia/Shanghai', rotation: 0, enteredAt: new Date(), cursorAt: new Date(), status: 'active', stepId: 's2', dueAt: new Date() });
      const touch = { corpId: org.corpId, sopId: 'sop-care', sopVersion: 1, enrollmentId: String(run._id), contactId: ids.c1, storeId: org.stores.a, staffId: org.staff.a2, channel: 'wecom_1to1', templateId: 'tpl', priority: 50, tz: 'Asia/Shanghai', dueAt: new Date(), localDay: '2026-11-22' };
      await m().Touch.create({ ...touch, key: 'care:1', stepId: 's1', status: 'sent', sentAt: new Date() });
      await m().Touch.create({ ...touch, key: 'care:2', stepId: 's2', status: 'scheduled' });
      h.sim.control.addGroupChat({ chat_id: 'wr-ho-group', name: '周末福利群', owner: 'a2' });
      await h.services.groups.upsert(org.corpId, { chatId: 'wr-ho-group', name: '周末福利群', ownerUserId: 'a2', storeId: org.stores.a, members: [] });
    });

    it('asks WeCom to move every customer and the groups, and reports them waiting', async () => {
      const res = await api.post('/api/handovers', { kind: 'on_job', fromStaffId: h.org.staff.a2, toStaffId: h.org.staff.a1, includeGroups: true, message: '您好，后续由店长甲为您服务。' }, h.org.tokens.managerA);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      handoverId = res.body.id;
      expect(res.body).to.deep.include({ kind: 'on_job', status: 'running' });
      expect(res.body.counts).to.deep.equal({ total: 3, waiting: 3, moved: 0, failed: 0, byReason: {} });
      const calls = h.sim.control.requests('externalcontact/transfer_customer');
      expect(calls.at(-1)!.body).to.deep.equal({ handover_userid: 'a2', takeover_userid: 'a1', external_userid: ['wm-ho-1', 'wm-ho-2', 'wm-ho-3'], transfer_success_msg: '您好，后续由店长甲为您服务。' });
      expect(res.body.groups).to.deep.equal([{ chatId: 'wr-ho-group', name: '周末福利群', toUserId: 'a1', status: 'moved', errcode: null, reason: null }]);
      expect(h.sim.state.groupChats.get('wr-ho-group')!.owner).to.equal('a1');
      expect((await m().CustomerGroup.findOne({ chatId: 'wr-ho-group' }).lean())!.ownerUserId).to.equal('a1');
      // Nothing moves before WeCom says so.
      expect((await m().Follow.findOne({ contactId: ids.c1, staffId: h.org.staff.a2 }).lean())!.deletedAt).to.equal(null);
    });

    it('records a refusal pushed by transfer_fail, then moves relations, tasks, runs and touches of the customers taken over', async () => {
      const { callbacks } = h.sim.control.transfers.settle({ refuse: ['wm-ho-3'] });
      await deliverAll(callbacks);
      let report = (await api.get(`/api/handovers/${handoverId}`, h.org.tokens.managerA)).body;
      expect(report.customers.find((c: { externalUserId: string }) => c.externalUserId === 'wm-ho-3')).to.include({ status: 'failed', reason: 'customer_refused', reasonText: '客户拒绝了转接 Refused by the customer' });
      const failedEvent = await m().Event.findOne({ type: 'friend_transfer_failed', contactId: ids.c3 }).lean();
      expect(failedEvent, 'the event log row points at the customer').to.not.equal(null);

      report = (await api.post(`/api/handovers/${handoverId}/poll`, {}, h.org.tokens.managerA)).body;
      expect(report.status).to.equal('done');
      expect(report.counts).to.deep.equal({ total: 3, waiting: 0, moved: 2, failed: 1, byReason: { customer_refused: 1 } });
      const c1 = report.customers.find((c: { externalUserId: string }) => c.externalUserId === 'wm-ho-1');
      expect(c1).to.deep.include({ status: 'moved', to: { staffId: h.org.staff.a1, name: '店长甲' } });
      expect(c1.moved).to.deep.equal({ follow: true, tasks: 2, enrollments: 1, touches: 1, participants: { 'campaign-leads': 0, 'test-leads': 0 } });

      const newFollow = await m().Follow.findOne({ contactId: ids.c1, staffId: h.org.staff.a1 }).lean();
      expect(newFollow).to.deep.include({ deletedAt: null, remark: '周女士备注', state: 'lc-counter' });
      expect((await m().Follow.findOne({ contactId: ids.c1, staffId: h.org.staff.a2 }).lean())!.deletedAt).to.not.equal(null);
      expect((await m().Contact.findById(ids.c1).lean())!.staffIds).to.deep.equal([h.org.staff.a1]);
      expect((await m().Follow.findOne({ contactId: ids.c3, staffId: h.org.staff.a2 }).lean())!.deletedAt, 'the refused customer stays').to.equal(null);

      expect((await m().StaffTask.findOne({ key: 'ho:call' }).lean())!.staffId).to.equal(h.org.staff.a1);
      expect((await m().StaffTask.findOne({ key: 'ho:done' }).lean())!.staffId, 'closed tasks stay').to.equal(h.org.staff.a2);
      expect((await m().StaffTask.findOne({ key: 'ho:mass' }).lean())!.contactIds, 'the refused customer stays on the shared task').to.deep.equal([ids.c3]);
      expect((await m().StaffTask.findOne({ key: `ho:mass>handover:${h.org.staff.a1}` }).lean())).to.deep.include({ staffId: h.org.staff.a1, contactIds: [ids.c1], status: 'open', kind: 'mass_send_confirm' });
      expect((await m().Enrollment.findOne({ contactId: ids.c1 }).lean())!.staffId).to.equal(h.org.staff.a1);
      expect((await m().Touch.findOne({ key: 'care:2' }).lean())!.staffId).to.equal(h.org.staff.a1);
      expect((await m().Touch.findOne({ key: 'care:1' }).lean())!.staffId, 'the ledger of sent touches is history').to.equal(h.org.staff.a2);
      expect(participantMoves.map((x) => x.contactId)).to.have.members([ids.c1, ids.c2]);
      expect(participantMoves.every((x) => x.fromStaffId === h.org.staff.a2 && x.toStaffId === h.org.staff.a1)).to.equal(true);
      expect(await m().Event.countDocuments({ type: 'contact.handed_over' })).to.equal(2);
    });

    it('changes nothing when the same transfer_fail arrives again or the job is polled again', async () => {
      const before = await m().HandoverItem.find({ handoverId }).lean();
      const { externalContactEvent } = await import('../../adapters/wecom/simulator/callback-events.ts');
      await deliverAll([externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'transfer_fail', userId: 'a1', externalUserId: 'wm-ho-3', failReason: 'customer_limit_exceed', createTime: 1_795_100_000 })]);
      expect(await h.services.handover.pollDue(h.org.corpId, new Date(Date.now() + 86_400_000))).to.deep.equal({ jobs: 0, moved: 0, failed: 0, waiting: 0 });
      const after = await m().HandoverItem.find({ handoverId }).lean();
      expect(after.map((i) => [i.status, i.reason])).to.deep.equal(before.map((i) => [i.status, i.reason]));
    });
  });

  describe('limits, 离职继承 and scoping', () => {
    it('refuses a third 在职 transfer of a customer within 90 days, locally and in the simulator (40128)', async () => {
      const scope = corp();
      const b2 = await h.services.org.createStaff(scope, { userId: 'b2', name: '导购丁', storeId: h.org.stores.b, role: 'staff' });
      h.sim.control.addStaff('b2');
      const c = await customer('wm-ho-90', '钱先生', h.org.staff.b1, 'b1');
      const hand = async (from: string, to: string) => (await api.post('/api/handovers', { kind: 'on_job', fromStaffId: from, toStaffId: to }, h.org.tokens.hq)).body;
      for (const [from, to] of [[h.org.staff.b1, b2.id], [b2.id, h.org.staff.b1]] as const) {
        const job = await hand(from, to);
        h.sim.control.transfers.settle();
        expect((await api.post(`/api/handovers/${job.id}/poll`, {}, h.org.tokens.hq)).body.counts.moved).to.equal(1);
      }
      const calls = h.sim.control.requests('externalcontact/transfer_customer').length;
      const third = await hand(h.org.staff.b1, b2.id);
      expect(third.status).to.equal('done');
      expect(third.customers).to.have.length(1);
      expect(third.customers[0]).to.include({ contactId: c, status: 'failed', reason: 'transfer_limit_90d' });
      expect(third.counts.byReason).to.deep.equal({ transfer_limit_90d: 1 });
      expect(h.sim.control.requests('externalcontact/transfer_customer'), 'known locally: no call').to.have.length(calls);

      // The simulator enforces the same rule when our history is missing (a transfer made in the WeCom admin console).
      await m().HandoverItem.deleteMany({ contactId: c });
      const fourth = await hand(h.org.staff.b1, b2.id);
      expect(fourth.customers[0]).to.include({ status: 'failed', reason: 'transfer_limit_90d', errcode: 40128 });
    });

    it('离职继承: moves a resigned member’s customers once WeCom reports them taken over', async () => {
      const scope = corp();
      const leaver = await h.services.org.createStaff(scope, { userId: 'a3', name: '导购戊', storeId: h.org.stores.a, role: 'staff' });
      const c = await customer('wm-ho-resigned', '孙小姐', leaver.id, 'a3');
      expect((await api.post('/api/handovers', { kind: 'resigned', fromStaffId: leaver.id, toStaffId: h.org.staff.a2 }, h.org.tokens.hq)).status, 'still active').to.equal(409);
      await h.services.org.updateStaff(scope, leaver.id, { status: 'resigned' });
      h.sim.control.transfers.resign('a3');
      const job = (await api.post('/api/handovers', { kind: 'resigned', fromStaffId: leaver.id, toStaffId: h.org.staff.a2 }, h.org.tokens.hq)).body;
      expect(job.counts.waiting).to.equal(1);
      expect(h.sim.control.requests('externalcontact/resigned/transfer_customer').at(-1)!.body).to.deep.equal({ handover_userid: 'a3', takeover_userid: 'a2', external_userid: ['wm-ho-resigned'] });
      h.sim.control.transfers.settle();
      const moved = await h.services.handover.pollDue(h.org.corpId, new Date(Date.now() + 2 * 3_600_000));
      expect(moved).to.deep.include({ moved: 1, failed: 0, waiting: 0 });
      expect((await m().Follow.findOne({ contactId: c, staffId: h.org.staff.a2 }).lean())!.deletedAt).to.equal(null);
      expect(h.sim.state.follower('a2', 'wm-ho-resigned')).to.not.equal(undefined);
    });

    it('limits store managers to the members of their store, and staff to nothing', async () => {
      const other = await api.post('/api/handovers', { kind: 'on_job', fromStaffId: h.org.staff.b1, toStaffId: h.org.staff.a1 }, h.org.tokens.managerA);
      expect(other.status).to.equal(404);
      const toOther = await api.post('/api/handovers', { kind: 'on_job', fromStaffId: h.org.staff.a2, toStaffId: h.org.staff.b1 }, h.org.tokens.managerA);
      expect(toOther.status).to.equal(404);
      expect((await api.post('/api/handovers', { kind: 'on_job', fromStaffId: h.org.staff.a2, toStaffId: h.org.staff.a1 }, h.org.tokens.staffA)).status).to.equal(403);
      const hqJobs = (await api.get('/api/handovers', h.org.tokens.hq)).body.items;
      const storeJobs = (await api.get('/api/handovers', h.org.tokens.managerA)).body.items;
      expect(storeJobs.length).to.be.above(0);
      expect(storeJobs.every((j: { storeId: string }) => j.storeId === h.org.stores.a)).to.equal(true);
      expect(hqJobs.length).to.be.above(storeJobs.length);
    });
  });
});
