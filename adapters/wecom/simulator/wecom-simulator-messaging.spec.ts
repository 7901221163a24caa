import { expect } from 'chai';
import { FakeClock } from './fake-clock.ts';
import { many, rawSimClient } from './raw-sim-client.ts';
import type { RawReply } from './raw-sim-client.ts';
import { startWecomSimulator } from './wecom-simulator.ts';
import type { WecomSimulator } from './wecom-simulator.ts';

describe('WeCom simulator: messaging limits', () => {
  const clock = new FakeClock();
  let sim: WecomSimulator;
  let api: ReturnType<typeof rawSimClient>;
  let tag: string;

  before(async () => {
    sim = await startWecomSimulator({ clock });
    api = rawSimClient(sim);
    await api.token();
    sim.control.addCustomer({ external_userid: 'wmA', name: 'A', follow_user: [{ userid: 'zhangsan' }] });
    tag = sim.control.addTagGroup('g', ['t'])!.tag[0]!.id;
    sim.control.addKfAccount('wkKF');
    sim.control.addGroupChat({ chat_id: 'wrA', name: 'A群', owner: 'zhangsan' });
  });
  after(() => sim.stop());
  // Several tests move the clock by hours; each starts with a valid token.
  beforeEach(() => api.token());

  async function expectCode(reply: Promise<RawReply>, errcode: number): Promise<RawReply> {
    const r = await reply;
    expect(r.errcode, r.errmsg).to.equal(errcode);
    if (errcode !== 0) expect(r.errmsg).to.match(/, hint: \[[^\]]+\], from ip: .*more info at https:\/\/open\.work\.weixin\.qq\.com\/devtool\/query\?e=/);
    return r;
  }

  describe('send_welcome_msg', () => {
    it('answers 41049 missing, 41050 unknown or expired, 41051 used', async () => {
      await expectCode(api.post('externalcontact/send_welcome_msg', { text: { content: 'x' } }), 41049);
      await expectCode(api.post('externalcontact/send_welcome_msg', { welcome_code: 'nope', text: { content: 'x' } }), 41050);
      const expired = sim.control.issueWelcomeCode('zhangsan', 'wmA');
      clock.advance(20_001);
      await expectCode(api.post('externalcontact/send_welcome_msg', { welcome_code: expired, text: { content: 'x' } }), 41050);
      const code = sim.control.issueWelcomeCode('zhangsan', 'wmA');
      clock.advance(20_000);
      await expectCode(api.post('externalcontact/send_welcome_msg', { welcome_code: code, text: { content: 'x' } }), 0);
      await expectCode(api.post('externalcontact/send_welcome_msg', { welcome_code: code, text: { content: 'x' } }), 41051);
    });

    it('requires content (44004), ≤4000 bytes of text (45002), ≤9 attachments (40058)', async () => {
      const code = sim.control.issueWelcomeCode('zhangsan', 'wmA');
      const image = { msgtype: 'image', image: { media_id: 'M' } };
      await expectCode(api.post('externalcontact/send_welcome_msg', { welcome_code: code }), 44004);
      await expectCode(api.post('externalcontact/send_welcome_msg', { welcome_code: code, text: { content: '字'.repeat(1334) } }), 45002);
      await expectCode(api.post('externalcontact/send_welcome_msg', { welcome_code: code, attachments: Array(10).fill(image) }), 40058);
      await expectCode(api.post('externalcontact/send_welcome_msg', { welcome_code: code, text: { content: '字'.repeat(1333) }, attachments: Array(9).fill(image) }), 0);
    });
  });

  describe('mass messages', () => {
    const text = { content: 'hi' };
    it('add_msg_template: ≤10,000 external_userid, ≤2000 chat ids, ≤100 tags per filter group (81017)', async () => {
      await expectCode(api.post('externalcontact/add_msg_template', { external_userid: many('wm', 10_001), text }), 81017);
      await expectCode(api.post('externalcontact/add_msg_template', { chat_type: 'group', sender: 'zhangsan', chat_id_list: many('wr', 2001), text }), 81017);
      const tagFilter = { group_list: [{ tag_list: Array(101).fill(tag) }] };
      await expectCode(api.post('externalcontact/add_msg_template', { sender: 'zhangsan', tag_filter: tagFilter, text }), 81017);
      const ok = await expectCode(api.post('externalcontact/add_msg_template', { external_userid: ['wmA', ...many('wm', 9_999)], text }), 0);
      expect(ok.fail_list).to.have.length(9_999);
    });

    it('add_msg_template: 41048 with nobody to send to, 40058 for a group send without sender, 45002 over 4000 bytes', async () => {
      await expectCode(api.post('externalcontact/add_msg_template', { external_userid: ['wmGHOST'], text }), 41048);
      await expectCode(api.post('externalcontact/add_msg_template', { chat_type: 'group', text }), 40058);
      await expectCode(api.post('externalcontact/add_msg_template', { external_userid: ['wmA'], text: { content: 'x'.repeat(4001) } }), 45002);
    });

    it('get_groupmsg_task / get_groupmsg_send_result: 41046 missing msgid, 41047 unknown, limit ≤1000 (40058)', async () => {
      const { msgid } = await api.post('externalcontact/add_msg_template', { external_userid: ['wmA'], text });
      await expectCode(api.post('externalcontact/get_groupmsg_task', {}), 41046);
      await expectCode(api.post('externalcontact/get_groupmsg_task', { msgid: 'msgNOPE' }), 41047);
      await expectCode(api.post('externalcontact/get_groupmsg_task', { msgid, limit: 1001 }), 40058);
      await expectCode(api.post('externalcontact/get_groupmsg_send_result', { msgid, userid: 'zhangsan', limit: 1000 }), 0);
    });
  });

  describe('moments', () => {
    it('add_moment_task: text ≤2000 chars (45002), ≤9 images, one video or link, no mixing (40058)', async () => {
      const image = { msgtype: 'image', image: { media_id: 'M' } };
      const video = { msgtype: 'video', video: { media_id: 'V' } };
      await expectCode(api.post('externalcontact/add_moment_task', { text: { content: '字'.repeat(2001) } }), 45002);
      await expectCode(api.post('externalcontact/add_moment_task', { text: { content: '字'.repeat(2000) } }), 0);
      await expectCode(api.post('externalcontact/add_moment_task', { attachments: Array(10).fill(image) }), 40058);
      await expectCode(api.post('externalcontact/add_moment_task', { attachments: [video, video] }), 40058);
      await expectCode(api.post('externalcontact/add_moment_task', { attachments: [image, video] }), 40058);
      await expectCode(api.post('externalcontact/add_moment_task', {}), 44004);
    });

    it('get_moment_task_result: 40088 for unknown jobs and after 24 hours', async () => {
      await expectCode(api.get('externalcontact/get_moment_task_result', { jobid: 'nope' }), 40088);
      const { jobid } = await api.post('externalcontact/add_moment_task', { text: { content: 'x' } });
      await expectCode(api.get('externalcontact/get_moment_task_result', { jobid: String(jobid) }), 0);
      clock.advance(24 * 3_600_000 + 1);
      await api.token();
      await expectCode(api.get('externalcontact/get_moment_task_result', { jobid: String(jobid) }), 40088);
    });
  });

  describe('groupchat', () => {
    it('list: limit 1–1000 (40058), owner_filter ≤100 (40032), 81017 without owner_filter past 1000 staff', async () => {
      await expectCode(api.post('externalcontact/groupchat/list', {}), 40058);
      await expectCode(api.post('externalcontact/groupchat/list', { limit: 0 }), 40058);
      await expectCode(api.post('externalcontact/groupchat/list', { limit: 1001 }), 40058);
      await expectCode(api.post('externalcontact/groupchat/list', { limit: 1000, owner_filter: { userid_list: many('u', 101) } }), 40032);
      const staff = many('st', 1001);
      for (const u of staff) sim.control.addStaff(u);
      await expectCode(api.post('externalcontact/groupchat/list', { limit: 10 }), 81017);
      await expectCode(api.post('externalcontact/groupchat/list', { limit: 10, owner_filter: { userid_list: ['zhangsan'] } }), 0);
      for (const u of staff) sim.state.staff.delete(u);
    });

    it('get: 40050 for an unknown chat', async () => {
      await expectCode(api.post('externalcontact/groupchat/get', { chat_id: 'wrNOPE' }), 40050);
    });
  });

  describe('微信客服', () => {
    it('sync_msg: 95000 unknown account, 95007 token older than 10 minutes, limit ≤1000, cursor ≤64 bytes', async () => {
      await expectCode(api.post('kf/sync_msg', { open_kfid: 'wkNOPE' }), 95000);
      const { token } = sim.control.kfCustomerMessage({ open_kfid: 'wkKF', external_userid: 'wmK', content: 'hi' });
      await expectCode(api.post('kf/sync_msg', { open_kfid: 'wkKF', token }), 0);
      clock.advance(10 * 60_000 + 1);
      await expectCode(api.post('kf/sync_msg', { open_kfid: 'wkKF', token }), 95007);
      await expectCode(api.post('kf/sync_msg', { open_kfid: 'wkKF', limit: 1001 }), 40058);
      await expectCode(api.post('kf/sync_msg', { open_kfid: 'wkKF', cursor: 'c'.repeat(65) }), 40058);
    });

    it('sync_msg without a cursor starts at messages of the last 3 days', async () => {
      const { msgid } = sim.control.kfCustomerMessage({ open_kfid: 'wkKF', external_userid: 'wmOld', content: 'old' });
      clock.advance(3 * 24 * 3_600_000 + 1000);
      await api.token();
      const fresh = sim.control.kfCustomerMessage({ open_kfid: 'wkKF', external_userid: 'wmNew', content: 'new' });
      const page = await expectCode(api.post('kf/sync_msg', { open_kfid: 'wkKF' }), 0);
      const ids = (page.msg_list as { msgid: string }[]).map((m) => m.msgid);
      expect(ids).to.deep.equal([fresh.msgid]);
      expect(ids).to.not.include(msgid);
    });

    it('send_msg: 95002 without a customer message, 95000 unknown account, 40058 bad msgid, 40008 bad msgtype, 44004 empty text', async () => {
      await expectCode(api.post('kf/send_msg', { touser: 'wmSilent', open_kfid: 'wkKF', msgtype: 'text', text: { content: 'x' } }), 95002);
      sim.control.customerMessaged('wmOpen');
      await expectCode(api.post('kf/send_msg', { touser: 'wmOpen', open_kfid: 'wkNOPE', msgtype: 'text', text: { content: 'x' } }), 95000);
      await expectCode(api.post('kf/send_msg', { touser: 'wmOpen', open_kfid: 'wkKF', msgid: 'has space', msgtype: 'text', text: { content: 'x' } }), 40058);
      await expectCode(api.post('kf/send_msg', { touser: 'wmOpen', open_kfid: 'wkKF', msgid: 'm'.repeat(33), msgtype: 'text', text: { content: 'x' } }), 40058);
      await expectCode(api.post('kf/send_msg', { touser: 'wmOpen', open_kfid: 'wkKF', msgtype: 'sticker', sticker: {} }), 40008);
      await expectCode(api.post('kf/send_msg', { touser: 'wmOpen', open_kfid: 'wkKF', msgtype: 'text', text: { content: '' } }), 44004);
      const ok = await expectCode(api.post('kf/send_msg', { touser: 'wmOpen', open_kfid: 'wkKF', msgid: 'm'.repeat(32), msgtype: 'text', text: { content: 'x' } }), 0);
      expect(ok.msgid).to.equal('m'.repeat(32));
    });

    it('customer/batchget: 1–100 ids (40058), need_enter_session_context 0 or 1 (40058)', async () => {
      await expectCode(api.post('kf/customer/batchget', {}), 40058);
      await expectCode(api.post('kf/customer/batchget', { external_userid_list: [] }), 40058);
      await expectCode(api.post('kf/customer/batchget', { external_userid_list: many('wmKf', 101) }), 40058);
      await expectCode(api.post('kf/customer/batchget', { external_userid_list: ['wmK'], need_enter_session_context: 2 }), 40058);
      const full = await expectCode(api.post('kf/customer/batchget', { external_userid_list: many('wmKf', 100) }), 0);
      expect(full.invalid_external_userid).to.have.length(100);
    });

    it('customer/batchget: profiles of customers who wrote, unionid only when set, unknown ids as invalid', async () => {
      sim.control.kfCustomerMessage({ open_kfid: 'wkKF', external_userid: 'wmKfUnion', content: 'hi', nickname: '小王', unionid: 'oUnionKf' });
      sim.control.kfCustomerMessage({ open_kfid: 'wkKF', external_userid: 'wmKfPlain', content: 'hi' });
      sim.control.setKfCustomer({ external_userid: 'wmKfPlain', gender: 2, enter_session_context: { scene: 'store', scene_param: 'SH01' } });
      const reply = await expectCode(api.post('kf/customer/batchget', { external_userid_list: ['wmKfUnion', 'wmKfPlain', 'wmKfNobody', 'wmKfUnion'] }), 0);
      expect(reply.customer_list).to.deep.equal([
        { external_userid: 'wmKfUnion', nickname: '小王', avatar: 'https://wx.qlogo.cn/mmhead/sim-wmKfUnion/0', gender: 0, unionid: 'oUnionKf' },
        { external_userid: 'wmKfPlain', nickname: '微信用户', avatar: 'https://wx.qlogo.cn/mmhead/sim-wmKfPlain/0', gender: 2 },
      ]);
      expect(reply.invalid_external_userid).to.deep.equal(['wmKfNobody']);
      const withContext = await expectCode(api.post('kf/customer/batchget', { external_userid_list: ['wmKfPlain'], need_enter_session_context: 1 }), 0);
      expect((withContext.customer_list as { enter_session_context?: unknown }[])[0]!.enter_session_context).to.deep.equal({ scene: 'store', scene_param: 'SH01' });
    });
  });

  describe('auth/getuserinfo', () => {
    it('answers 41008 without a code', async () => {
      await expectCode(api.get('auth/getuserinfo'), 41008);
    });
  });
});
