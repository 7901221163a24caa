import { expect } from 'chai';
import { FakeClock } from './fake-clock.ts';
import { rawSimClient } from './raw-sim-client.ts';
import type { RawReply } from './raw-sim-client.ts';
import { SIM_AGENT_ID, startWecomSimulator } from './wecom-simulator.ts';
import type { WecomSimulator } from './wecom-simulator.ts';

/** What Tencent refuses and the fields it answers with, where a lax simulator would let a wrong integration pass. */
describe('WeCom simulator: refusals and fields as Tencent answers them', () => {
  const clock = new FakeClock();
  let sim: WecomSimulator;
  let api: ReturnType<typeof rawSimClient>;

  before(async () => {
    sim = await startWecomSimulator({ clock });
    api = rawSimClient(sim);
    await api.token();
    sim.control.addStaff('zhangsan', '张三');
    sim.control.addStaff('lisi', '李四');
    sim.control.addStaff('idle');
    sim.control.addCustomer({ external_userid: 'wmWX', name: '微信客户', unionid: 'oUnionWX', follow_user: [{ userid: 'zhangsan' }] });
    sim.control.addCustomer({
      external_userid: 'wmWW',
      name: '企微客户',
      type: 2,
      position: '采购经理',
      corp_name: '腾讯',
      corp_full_name: '深圳市腾讯计算机系统有限公司',
      unionid: 'oIgnored',
      follow_user: [{ userid: 'zhangsan' }, { userid: 'lisi' }],
    });
  });
  after(() => sim.stop());

  async function expectCode(reply: Promise<RawReply>, errcode: number): Promise<RawReply> {
    const r = await reply;
    expect(r.errcode, r.errmsg).to.equal(errcode);
    return r;
  }

  const card = { title: '今日任务', description: '3 项', url: 'https://example.com/m' };

  describe('message/send', () => {
    it('sends through the app of the token’s secret', async () => {
      await expectCode(api.post('message/send', { touser: 'zhangsan', msgtype: 'textcard', agentid: SIM_AGENT_ID, textcard: card }), 0);
      expect(sim.state.appMessages.at(-1)).to.include({ agentid: SIM_AGENT_ID });
    });

    it('refuses a missing agentid (41011) and one that is no app of the corp (40056)', async () => {
      const before = sim.state.appMessages.length;
      await expectCode(api.post('message/send', { touser: 'zhangsan', msgtype: 'textcard', textcard: card }), 41011);
      await expectCode(api.post('message/send', { touser: 'zhangsan', msgtype: 'textcard', agentid: 1000099, textcard: card }), 40056);
      await expectCode(api.post('message/send', { touser: 'zhangsan', msgtype: 'textcard', agentid: '1000099', textcard: card }), 40056);
      expect(sim.state.appMessages).to.have.length(before);
    });

    it('refuses another app of the corp with 301002, and any app for a secret that has none', async () => {
      sim.control.addSecret('other-app-secret', 1000005);
      sim.control.addSecret('contact-secret');
      await expectCode(api.post('message/send', { touser: 'zhangsan', msgtype: 'textcard', agentid: 1000005, textcard: card }), 301002);
      const other = rawSimClient({ ...sim, secret: 'other-app-secret' });
      await other.token();
      await expectCode(other.post('message/send', { touser: 'zhangsan', msgtype: 'textcard', agentid: 1000005, textcard: card }), 0);
      await expectCode(other.post('message/send', { touser: 'zhangsan', msgtype: 'textcard', agentid: SIM_AGENT_ID, textcard: card }), 301002);
      const contacts = rawSimClient({ ...sim, secret: 'contact-secret' });
      await contacts.token();
      await expectCode(contacts.post('message/send', { touser: 'zhangsan', msgtype: 'textcard', agentid: SIM_AGENT_ID, textcard: card }), 301002);
    });

    it('agent/get answers the app for its own secret and the same refusals otherwise', async () => {
      sim.control.addSecret('other-app-secret', 1000005);
      const app = await expectCode(api.get('agent/get', { agentid: String(SIM_AGENT_ID) }), 0);
      expect(app).to.include({ agentid: SIM_AGENT_ID, close: 0 });
      await expectCode(api.get('agent/get'), 41011);
      await expectCode(api.get('agent/get', { agentid: '1000099' }), 40056);
      await expectCode(api.get('agent/get', { agentid: '1000005' }), 301002);
    });

    it('takes the app’s agentid from startWecomSimulator({ agentId })', async () => {
      const own = await startWecomSimulator({ agentId: 1000777 });
      try {
        own.control.addStaff('zhangsan');
        const client = rawSimClient(own);
        await client.token();
        expect(own.agentId).to.equal(1000777);
        await expectCode(client.post('message/send', { touser: 'zhangsan', msgtype: 'textcard', agentid: SIM_AGENT_ID, textcard: card }), 40056);
        await expectCode(client.post('message/send', { touser: 'zhangsan', msgtype: 'textcard', agentid: 1000777, textcard: card }), 0);
      } finally {
        await own.stop();
      }
    });
  });

  describe('externalcontact/add_msg_template', () => {
    it('refuses a single send with neither sender nor external_userid (40058) and creates no task', async () => {
      const before = sim.state.massSends.size;
      const refused = await expectCode(api.post('externalcontact/add_msg_template', { text: { content: 'hi' } }), 40058);
      expect(refused.errmsg).to.match(/^external_userid and sender can not both be empty/);
      await expectCode(api.post('externalcontact/add_msg_template', { chat_type: 'single', external_userid: [], text: { content: 'hi' } }), 40058);
      const tag = sim.control.addTagGroup('筛选', ['A']).tag[0]!.id;
      await expectCode(api.post('externalcontact/add_msg_template', { tag_filter: { group_list: [{ tag_list: [tag] }] }, text: { content: 'hi' } }), 40058);
      expect(sim.state.massSends.size).to.equal(before);
    });

    it('with only sender, targets that member’s customers and nobody else’s', async () => {
      const reply = await expectCode(api.post('externalcontact/add_msg_template', { sender: 'lisi', text: { content: 'hi' } }), 0);
      const mass = sim.state.massSends.get(String(reply.msgid))!;
      expect(mass.rows.map((r) => [r.userid, r.external_userid])).to.deep.equal([['lisi', 'wmWW']]);
    });
  });

  describe('externalcontact/list', () => {
    it('answers 84061 for a member without customers, 60111 for an unknown one', async () => {
      await expectCode(api.get('externalcontact/list', { userid: 'idle' }), 84061);
      await expectCode(api.get('externalcontact/list', { userid: 'ghost' }), 60111);
      const listed = await expectCode(api.get('externalcontact/list', { userid: 'lisi' }), 0);
      expect(listed.external_userid).to.deep.equal(['wmWW']);
    });
  });

  describe('externalcontact/get', () => {
    it('gives a WeChat user avatar and unionid, without position or corp names', async () => {
      const { external_contact: c } = await expectCode(api.get('externalcontact/get', { external_userid: 'wmWX' }), 0);
      expect(c).to.deep.equal({ external_userid: 'wmWX', name: '微信客户', type: 1, gender: 0, avatar: 'http://wx.qlogo.cn/mmhead/sim-wmWX/0', unionid: 'oUnionWX' });
    });

    it('gives a WeCom user avatar, position, corp_name and corp_full_name, without unionid', async () => {
      const { external_contact: c } = await expectCode(api.get('externalcontact/get', { external_userid: 'wmWW' }), 0);
      expect(c).to.deep.equal({
        external_userid: 'wmWW',
        name: '企微客户',
        type: 2,
        gender: 0,
        avatar: 'http://wx.qlogo.cn/mmhead/sim-wmWW/0',
        position: '采购经理',
        corp_name: '腾讯',
        corp_full_name: '深圳市腾讯计算机系统有限公司',
      });
    });

    it('leaves position out when the WeCom user hides it; batch/get_by_user shows the same contact', async () => {
      sim.control.addCustomer({ external_userid: 'wmHIDE', name: '隐藏职位', type: 2, corp_name: '某公司', follow_user: [{ userid: 'idle' }] });
      const { external_contact: c } = await expectCode(api.get('externalcontact/get', { external_userid: 'wmHIDE' }), 0);
      expect(c).to.not.have.property('position');
      expect(c).to.include({ corp_name: '某公司', corp_full_name: '某公司有限公司' });
      const batch = await expectCode(api.post('externalcontact/batch/get_by_user', { userid_list: ['idle'] }), 0);
      expect((batch.external_contact_list as { external_contact: unknown }[])[0]!.external_contact).to.deep.equal(c);
      sim.state.customers.delete('wmHIDE');
    });
  });

  describe('externalcontact/get_corp_tag_list', () => {
    let group: { group_id: string; tag: { id: string }[] };

    before(() => {
      group = sim.control.addTagGroup('会员等级', ['银卡', '金卡', '钻石']);
      sim.control.deleteCorpTags({ tagIds: [group.tag[2]!.id] });
    });

    it('gives every group and tag `deleted: false` and leaves deleted tags out of the full list', async () => {
      const { tag_group } = await expectCode(api.post('externalcontact/get_corp_tag_list', {}), 0);
      const level = (tag_group as { group_id: string; deleted: boolean; tag: { id: string; deleted: boolean }[] }[]).find((g) => g.group_id === group.group_id)!;
      expect(level.deleted).to.equal(false);
      expect(level.tag.map((t) => [t.id, t.deleted])).to.deep.equal([
        [group.tag[0]!.id, false],
        [group.tag[1]!.id, false],
      ]);
    });

    it('lists a deleted tag with `deleted: true` when asked for by tag_id or group_id', async () => {
      const byTag = await expectCode(api.post('externalcontact/get_corp_tag_list', { tag_id: [group.tag[2]!.id] }), 0);
      const [listed] = byTag.tag_group as { deleted: boolean; tag: { id: string; deleted: boolean }[] }[];
      expect(listed!.deleted, 'the group itself is live').to.equal(false);
      expect(listed!.tag.map((t) => [t.id, t.deleted])).to.deep.equal([[group.tag[2]!.id, true]]);
      const byGroup = await expectCode(api.post('externalcontact/get_corp_tag_list', { group_id: [group.group_id] }), 0);
      expect((byGroup.tag_group as { tag: { deleted: boolean }[] }[])[0]!.tag.map((t) => t.deleted)).to.deep.equal([false, false, true]);
    });

    it('deletes a group with its last tag; del_corp_tag refuses unknown or deleted ids with 40068', async () => {
      await expectCode(api.post('externalcontact/del_corp_tag', { tag_id: [group.tag[0]!.id, group.tag[1]!.id] }), 0);
      await expectCode(api.post('externalcontact/del_corp_tag', { tag_id: [group.tag[0]!.id] }), 40068);
      await expectCode(api.post('externalcontact/del_corp_tag', {}), 40058);
      const { tag_group } = await expectCode(api.post('externalcontact/get_corp_tag_list', {}), 0);
      expect((tag_group as { group_id: string }[]).map((g) => g.group_id)).to.not.include(group.group_id);
      const byTag = await expectCode(api.post('externalcontact/get_corp_tag_list', { tag_id: [group.tag[0]!.id] }), 0);
      expect((byTag.tag_group as { deleted: boolean }[])[0]!.deleted).to.equal(true);
      await expectCode(api.post('externalcontact/mark_tag', { userid: 'zhangsan', external_userid: 'wmWX', add_tag: [group.tag[0]!.id] }), 40068);
    });
  });

  describe('externalcontact/groupchat/get', () => {
    before(() => {
      sim.control.addGroupChat({
        chat_id: 'wrP',
        name: '福利群',
        owner: 'zhangsan',
        members: [
          { userid: 'zhangsan', type: 1 },
          { userid: 'lisi', type: 1, join_scene: 2, group_nickname: '店长李四' },
          { userid: 'wmWX', type: 2, join_scene: 1, invitor: { userid: 'lisi' } },
          { userid: 'wmWW', type: 2, join_scene: 3 },
          { userid: 'wmStranger', type: 2, join_scene: 3, name: '路人' },
        ],
      });
    });

    it('gives members group_nickname, invitor when a member invited them, unionid where known, no name by default', async () => {
      const { group_chat } = await expectCode(api.post('externalcontact/groupchat/get', { chat_id: 'wrP' }), 0);
      const members = (group_chat as { member_list: Record<string, unknown>[] }).member_list;
      const joined = members[0]!.join_time;
      expect(members).to.deep.equal([
        { userid: 'zhangsan', type: 1, join_time: joined, join_scene: 1, group_nickname: '' },
        { userid: 'lisi', type: 1, join_time: joined, join_scene: 2, invitor: { userid: 'zhangsan' }, group_nickname: '店长李四' },
        { userid: 'wmWX', type: 2, join_time: joined, join_scene: 1, unionid: 'oUnionWX', invitor: { userid: 'lisi' }, group_nickname: '' },
        { userid: 'wmWW', type: 2, join_time: joined, join_scene: 3, group_nickname: '' },
        { userid: 'wmStranger', type: 2, join_time: joined, join_scene: 3, group_nickname: '' },
      ]);
    });

    it('with need_name 1 gives every member’s name (staff and customers by their names)', async () => {
      const { group_chat } = await expectCode(api.post('externalcontact/groupchat/get', { chat_id: 'wrP', need_name: 1 }), 0);
      const names = (group_chat as { member_list: { userid: string; name?: string }[] }).member_list.map((m) => [m.userid, m.name]);
      expect(names).to.deep.equal([
        ['zhangsan', '张三'],
        ['lisi', '李四'],
        ['wmWX', '微信客户'],
        ['wmWW', '企微客户'],
        ['wmStranger', '路人'],
      ]);
    });
  });
});
