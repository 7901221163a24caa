import { expect } from 'chai';
import { FakeClock } from '../simulator/fake-clock.ts';
import { startWecomSimulator } from '../simulator/wecom-simulator.ts';
import type { WecomSimulator } from '../simulator/wecom-simulator.ts';
import type { WecomApiError } from './wecom-api-error.ts';
import { WecomClient } from './wecom.client.ts';
import type { KfSendMsgRequest } from './wecom.types.ts';

const KF = 'wkKF0001';

describe('WecomClient: welcome, mass messages, moments, 微信客服', () => {
  const clock = new FakeClock();
  let sim: WecomSimulator;
  let wecom: WecomClient;

  const lastBody = (api: string) => sim.control.requests(api).at(-1)?.body;
  const rejection = (promise: Promise<unknown>) => promise.then(() => expect.fail('expected a rejection'), (e: unknown) => e as WecomApiError);

  before(async () => {
    sim = await startWecomSimulator({ clock });
    wecom = new WecomClient({ corpId: sim.corpId, secret: sim.secret, baseUrl: sim.baseUrl, clock, sleep: clock.sleep, random: () => 0.5 });
    sim.control.addCustomer({ external_userid: 'wmAAA', name: '王女士', follow_user: [{ userid: 'zhangsan' }] });
    sim.control.addCustomer({ external_userid: 'wmBBB', name: '李先生', follow_user: [{ userid: 'zhangsan' }] });
    sim.control.addCustomer({ external_userid: 'wmCCC', name: '赵先生', follow_user: [{ userid: 'lisi' }] });
    sim.control.addKfAccount(KF);
  });
  after(() => sim.stop());

  describe('externalcontact/send_welcome_msg', () => {
    it('sends once within 20 seconds; a second use answers 41051', async () => {
      const code = sim.control.issueWelcomeCode('zhangsan', 'wmAAA');
      clock.advance(19_000);
      const body = { welcome_code: code, text: { content: '欢迎！' } };
      await wecom.sendWelcomeMsg(body);
      expect(lastBody('externalcontact/send_welcome_msg')).to.deep.equal(body);
      const again = await rejection(wecom.sendWelcomeMsg(body));
      expect(again).to.include({ errcode: 41051, kind: 'window', local: false });
      expect(sim.state.welcomeSends.filter((s) => s.welcome_code === code)).to.have.length(1);
    });

    it('answers 41050 once the 20-second window has passed', async () => {
      const code = sim.control.issueWelcomeCode('zhangsan', 'wmBBB');
      clock.advance(20_001);
      const err = await rejection(wecom.sendWelcomeMsg({ welcome_code: code, text: { content: '迟到的欢迎' } }));
      expect(err).to.include({ errcode: 41050, kind: 'window' });
    });

    it('refuses locally, without a request, when it knows the event is older than 20 seconds', async () => {
      const receivedAt = clock.now();
      const code = sim.control.issueWelcomeCode('zhangsan', 'wmBBB');
      clock.advance(21_000);
      sim.control.clearRequests();
      const err = await rejection(wecom.sendWelcomeMsg({ welcome_code: code, text: { content: 'x' } }, { receivedAt }));
      expect(err).to.include({ errcode: 41050, local: true });
      expect(sim.control.requests('externalcontact/send_welcome_msg')).to.have.length(0);
    });
  });

  describe('add_msg_template → get_groupmsg_task / get_groupmsg_send_result', () => {
    it('creates a pending task that staff confirm, then reports each recipient as sent', async () => {
      const body = {
        chat_type: 'single' as const,
        external_userid: ['wmAAA', 'wmBBB', 'wmGONE'],
        sender: 'zhangsan',
        allow_select: false,
        text: { content: '三月会员日' },
        attachments: [{ msgtype: 'link' as const, link: { title: '活动', url: 'https://example.com/a' } }],
      };
      const created = await wecom.addMsgTemplate(body);
      expect(lastBody('externalcontact/add_msg_template')).to.deep.equal(body);
      expect(created.fail_list).to.deep.equal(['wmGONE']);

      const pending = await wecom.getGroupMsgTask({ msgid: created.msgid });
      expect(pending.task_list).to.deep.equal([{ userid: 'zhangsan', status: 0 }]);
      const before = await wecom.getGroupMsgSendResult({ msgid: created.msgid, userid: 'zhangsan' });
      expect(before.send_list.map((r) => r.status)).to.deep.equal([0, 0]);
      expect(sim.state.massDeliveries).to.have.length(0);

      sim.control.confirmMassSend(created.msgid, 'zhangsan');
      const done = await wecom.getGroupMsgTask({ msgid: created.msgid, limit: 10 });
      expect(done.task_list[0]).to.include({ userid: 'zhangsan', status: 2 });
      const after = await wecom.getGroupMsgSendResult({ msgid: created.msgid, userid: 'zhangsan', limit: 1 });
      const rest = await wecom.getGroupMsgSendResult({ msgid: created.msgid, userid: 'zhangsan', limit: 1, cursor: after.next_cursor });
      const rows = [...after.send_list, ...rest.send_list];
      expect(rows.map((r) => [r.external_userid, r.status])).to.deep.equal([['wmAAA', 1], ['wmBBB', 1]]);
      expect(rows.every((r) => typeof r.send_time === 'number')).to.equal(true);
      expect(sim.state.massDeliveries).to.have.length(2);
    });

    it('marks a customer who deleted the member as status 2 on confirmation', async () => {
      const { msgid } = await wecom.addMsgTemplate({ external_userid: ['wmCCC'], text: { content: 'hi' } });
      sim.state.customers.get('wmCCC')!.follow_user = [];
      sim.control.confirmMassSend(msgid, 'lisi');
      const result = await wecom.getGroupMsgSendResult({ msgid, userid: 'lisi' });
      expect(result.send_list[0]).to.include({ external_userid: 'wmCCC', status: 2 });
      sim.state.customers.get('wmCCC')!.follow_user = [{ userid: 'lisi', remark: '', description: '', createtime: 0, tag_ids: [], remark_mobiles: [], oper_userid: 'lisi', add_way: 0 }];
    });

    it('waits out 41063 while the message is still being dispatched', async () => {
      sim.control.settings.massDispatchDelayMs = 5000;
      try {
        const { msgid } = await wecom.addMsgTemplate({ external_userid: ['wmAAA'], sender: 'zhangsan', text: { content: 'hi' } });
        sim.control.clearRequests();
        const tasks = await wecom.getGroupMsgTask({ msgid });
        expect(tasks.task_list).to.have.length(1);
        expect(sim.control.requests('externalcontact/get_groupmsg_task').map((r) => r.errcode)).to.deep.equal([41063, 41063, 41063, 0]);
      } finally {
        sim.control.settings.massDispatchDelayMs = 0;
      }
    });

    it('creates group mass messages for the sender’s chats', async () => {
      sim.control.addGroupChat({ chat_id: 'wrMass', name: '会员群', owner: 'zhangsan' });
      const { msgid, fail_list } = await wecom.addMsgTemplate({ chat_type: 'group', sender: 'zhangsan', text: { content: '群发' } });
      expect(fail_list).to.deep.equal([]);
      const rows = await wecom.getGroupMsgSendResult({ msgid, userid: 'zhangsan' });
      expect(rows.send_list).to.deep.equal([{ userid: 'zhangsan', chat_id: 'wrMass', status: 0 }]);
    });
  });

  describe('add_moment_task → get_moment_task_result', () => {
    it('reports running, then done with the moment id and invalid senders', async () => {
      sim.control.settings.momentJobMs = 30_000;
      const body = {
        text: { content: '新品上市' },
        attachments: [{ msgtype: 'image' as const, image: { media_id: 'MEDIA1' } }],
        visible_range: { sender_list: { user_list: ['zhangsan', 'ghost'] } },
      };
      const { jobid } = await wecom.addMomentTask(body);
      expect(lastBody('externalcontact/add_moment_task')).to.deep.equal(body);
      expect((await wecom.getMomentTaskResult(jobid)).status).to.equal(1);
      clock.advance(30_000);
      const done = await wecom.getMomentTaskResult(jobid);
      expect(done.status).to.equal(2);
      expect(done.result?.moment_id).to.be.a('string');
      expect(done.result?.invalid_sender_list?.user_list).to.deep.equal(['ghost']);
      sim.control.settings.momentJobMs = 0;
    });

    it('get_moment_task lists each sender’s publish status; an unknown or still-running moment answers 40058', async () => {
      sim.control.settings.momentJobMs = 10_000;
      const { jobid } = await wecom.addMomentTask({ text: { content: '周末活动' }, visible_range: { sender_list: { user_list: ['zhangsan'] } } });
      const momentId = sim.state.momentJobs.get(jobid)!.moment_id;
      expect(await rejection(wecom.getMomentTask({ moment_id: momentId })), 'no moment until the job ends').to.include({ errcode: 40058 });
      clock.advance(10_000);
      expect((await wecom.getMomentTask({ moment_id: momentId })).task_list).to.deep.equal([{ userid: 'zhangsan', publish_status: 0 }]);
      sim.control.publishMoment(jobid, 'zhangsan');
      expect((await wecom.getMomentTask({ moment_id: momentId })).task_list).to.deep.equal([{ userid: 'zhangsan', publish_status: 1 }]);
      expect(await rejection(wecom.getMomentTask({ moment_id: 'no-such-moment' }))).to.include({ errcode: 40058 });
      expect(await rejection(wecom.getMomentTask({ moment_id: momentId, limit: 1001 }))).to.include({ errcode: 40058 });
      sim.control.settings.momentJobMs = 0;
    });
  });

  describe('kf/sync_msg', () => {
    it('pages with the callback token; a page may be empty and still have has_more 1', async () => {
      const first = sim.control.kfCustomerMessage({ open_kfid: KF, external_userid: 'wmKF1', content: '在吗' });
      await wecom.kfSendMsg({ touser: 'wmKF1', open_kfid: KF, msgtype: 'text', text: { content: '在的' } });
      const second = sim.control.kfCustomerMessage({ open_kfid: KF, external_userid: 'wmKF1', content: '价格多少' });

      const pages = [];
      for await (const page of wecom.kfSyncPages({ token: second.token, open_kfid: KF, limit: 1 })) pages.push(page);
      expect(pages.map((p) => [p.msg_list.map((m) => m.msgid), p.has_more])).to.deep.equal([
        [[first.msgid], 1],
        [[], 1],
        [[second.msgid], 0],
      ]);
      const bodies = sim.control.requests('kf/sync_msg').map((r) => r.body);
      expect(bodies[0]).to.deep.equal({ token: second.token, open_kfid: KF, limit: 1 });
      expect(bodies[2]).to.deep.equal({ token: second.token, open_kfid: KF, limit: 1, cursor: pages[1]!.next_cursor });
      expect(pages[2]!.msg_list[0]).to.deep.include({ external_userid: 'wmKF1', origin: 3, msgtype: 'text', text: { content: '价格多少' } });
    });

    it('resumes from a persisted cursor with nothing new: empty list, has_more 0', async () => {
      let last = '';
      for await (const page of wecom.kfSyncPages({ open_kfid: KF })) last = page.next_cursor;
      const page = await wecom.kfSyncMsg({ open_kfid: KF, cursor: last });
      expect(page).to.deep.include({ has_more: 0, msg_list: [] });
    });

    it('refuses an unknown callback token with 95007', async () => {
      const err = await rejection(wecom.kfSyncMsg({ token: 'ENCnope', open_kfid: KF }));
      expect(err).to.include({ errcode: 95007, kind: 'invalid' });
    });
  });

  describe('kf/customer/batchget', () => {
    it('sends the ids as given and returns profiles, with unknown ids in invalid_external_userid', async () => {
      sim.control.kfCustomerMessage({ open_kfid: KF, external_userid: 'wmKF3', content: '你好', nickname: '陈女士', unionid: 'oUNION_KF3' });
      const reply = await wecom.kfBatchGetCustomers({ external_userid_list: ['wmKF3', 'wmKFNOPE'], need_enter_session_context: 0 });
      expect(lastBody('kf/customer/batchget')).to.deep.equal({ external_userid_list: ['wmKF3', 'wmKFNOPE'], need_enter_session_context: 0 });
      expect(reply.customer_list).to.have.length(1);
      expect(reply.customer_list[0]).to.include({ external_userid: 'wmKF3', nickname: '陈女士', unionid: 'oUNION_KF3', gender: 0 });
      expect(reply.invalid_external_userid).to.deep.equal(['wmKFNOPE']);
    });

    it('rejects more than 100 ids with 40058 as invalid', async () => {
      const ids = Array.from({ length: 101 }, (_, i) => `wmKF${i}`);
      expect(await rejection(wecom.kfBatchGetCustomers({ external_userid_list: ids }))).to.include({ errcode: 40058, kind: 'invalid' });
    });
  });

  describe('kf/send_msg', () => {
    const text = (content: string): KfSendMsgRequest => ({ touser: 'wmKF2', open_kfid: KF, msgtype: 'text', text: { content } });

    it('allows 5 messages after the customer writes, then 95001 until the customer writes again', async () => {
      sim.control.kfCustomerMessage({ open_kfid: KF, external_userid: 'wmKF2', content: '你好' });
      for (let i = 1; i <= 5; i++) await wecom.kfSendMsg(text(`reply ${i}`));
      expect(lastBody('kf/send_msg')).to.deep.equal(text('reply 5'));
      expect(await rejection(wecom.kfSendMsg(text('reply 6')))).to.include({ errcode: 95001, kind: 'window' });
      sim.control.kfCustomerMessage({ open_kfid: KF, external_userid: 'wmKF2', content: '还有问题' });
      await wecom.kfSendMsg(text('reply after reset'));
    });

    it('answers 95002 once 48 hours have passed since the customer’s last message', async () => {
      sim.control.kfCustomerMessage({ open_kfid: KF, external_userid: 'wmKF2', content: '你好' });
      clock.advance(48 * 3_600_000 + 1000);
      expect(await rejection(wecom.kfSendMsg(text('too late')))).to.include({ errcode: 95002, kind: 'window' });
    });

    it('checks the window before calling when the caller knows it', async () => {
      sim.control.clearRequests();
      const window = { lastCustomerMessageAt: new Date(clock.now().getTime() - 49 * 3_600_000), sentSinceCustomerMessage: 0 };
      expect(await rejection(wecom.kfSendMsg(text('x'), { window }))).to.include({ errcode: 95002, local: true });
      const full = { lastCustomerMessageAt: clock.now(), sentSinceCustomerMessage: 5 };
      expect(await rejection(wecom.kfSendMsg(text('x'), { window: full }))).to.include({ errcode: 95001, local: true });
      expect(sim.control.requests('kf/send_msg')).to.have.length(0);
    });

    it('answers 95018 when the session state does not allow sending', async () => {
      sim.control.kfCustomerMessage({ open_kfid: KF, external_userid: 'wmKF2', content: '转人工' });
      sim.control.setKfSessionState('wmKF2', 3);
      expect(await rejection(wecom.kfSendMsg(text('x')))).to.include({ errcode: 95018 });
      sim.control.setKfSessionState('wmKF2', 0);
    });
  });
});
