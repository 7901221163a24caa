import { expect } from 'chai';
import { WecomClient } from './client/wecom.client.ts';
import type { GetCorpTagListRequest } from './client/wecom.types.ts';
import { SIM_AGENT_ID, startWecomSimulator } from './simulator/wecom-simulator.ts';
import type { WecomSimulator } from './simulator/wecom-simulator.ts';
import { WecomAdapter } from './wecom.adapter.ts';
import type { WecomAccountConfig } from './wecom-account.schema.ts';

/** The adapter's reads and staff notices against the simulator's Tencent-shaped replies. */
describe('WecomAdapter: corp tags, contact and group details, staff notices (WeCom simulator)', () => {
  let sim: WecomSimulator;
  let config: WecomAccountConfig;
  const noSleep = { clientOptions: { sleep: async () => {} } };

  before(async () => {
    sim = await startWecomSimulator();
    config = { corpId: sim.corpId, secret: sim.secret, token: 'tok', encodingAESKey: 'a'.repeat(43), agentId: String(SIM_AGENT_ID), apiBase: sim.baseUrl };
    sim.control.addStaff('zhangsan', '张三');
    sim.control.addCustomer({ external_userid: 'wmWX', name: '微信客户', unionid: 'oUnionWX', follow_user: [{ userid: 'zhangsan' }] });
    sim.control.addCustomer({ external_userid: 'wmWW', name: '企微客户', type: 2, position: '采购', corp_name: '腾讯', follow_user: [{ userid: 'zhangsan' }] });
  });
  after(() => sim.stop());

  describe('fetchCorpTags', () => {
    let level: { group_id: string; tag: { id: string }[] };
    let gone: { group_id: string; tag: { id: string }[] };

    before(() => {
      level = sim.control.addTagGroup('会员等级', ['银卡', '金卡', '钻石']);
      gone = sim.control.addTagGroup('旧活动', ['双十一']);
      sim.control.deleteCorpTags({ tagIds: [level.tag[2]!.id], groupIds: [gone.group_id] });
    });

    it('mirrors only live groups and tags', async () => {
      const groups = await new WecomAdapter(config, noSleep).fetchCorpTags();
      expect(groups.map((g) => g.groupId)).to.deep.equal([level.group_id]);
      expect(groups[0]!.tags.map((t) => t.name)).to.deep.equal(['银卡', '金卡']);
    });

    it('drops what Tencent marks deleted when the reply carries it (a listing by id)', async () => {
      const ids = [...level.tag, ...gone.tag].map((t) => t.id);
      // get_corp_tag_list lists deleted tags and groups, flagged, only when asked for them by id.
      class ByIdClient extends WecomClient {
        override getCorpTagList(_body?: GetCorpTagListRequest) {
          return super.getCorpTagList({ tag_id: ids });
        }
      }
      const client = new ByIdClient({ corpId: config.corpId, secret: config.secret, baseUrl: sim.baseUrl });
      const raw = await client.getCorpTagList();
      expect(raw.tag_group.map((g) => [g.group_id, g.deleted, g.tag.map((t) => t.deleted)])).to.deep.equal([
        [level.group_id, false, [false, false, true]],
        [gone.group_id, true, [true]],
      ]);
      const groups = await new WecomAdapter(config, { client }).fetchCorpTags();
      expect(groups.map((g) => [g.groupId, g.tags.map((t) => t.name)])).to.deep.equal([[level.group_id, ['银卡', '金卡']]]);
    });
  });

  describe('fetchContactDetail', () => {
    it('carries the avatar of a WeChat user with its unionid', async () => {
      const detail = await new WecomAdapter(config, noSleep).fetchContactDetail('wmWX');
      expect(detail).to.include({ externalUserId: 'wmWX', name: '微信客户', type: 'wechat', unionId: 'oUnionWX', avatar: 'http://wx.qlogo.cn/mmhead/sim-wmWX/0' });
    });

    it('carries the avatar of a WeCom user, who has no unionid', async () => {
      const detail = await new WecomAdapter(config, noSleep).fetchContactDetail('wmWW');
      expect(detail).to.include({ type: 'wecom', unionId: null, avatar: 'http://wx.qlogo.cn/mmhead/sim-wmWW/0' });
    });
  });

  describe('fetchGroupDetail', () => {
    it('takes each external member’s unionid where WeCom knows it', async () => {
      sim.control.addGroupChat({ chat_id: 'wrA', name: 'A群', owner: 'zhangsan', members: [{ userid: 'zhangsan', type: 1 }, { userid: 'wmWX', type: 2 }, { userid: 'wmWW', type: 2 }] });
      const detail = await new WecomAdapter(config, noSleep).fetchGroupDetail('wrA');
      expect(detail!.members.map((m) => [m.userId, m.type, m.unionId])).to.deep.equal([
        ['zhangsan', 'staff', null],
        ['wmWX', 'external', 'oUnionWX'],
        ['wmWW', 'external', null],
      ]);
    });
  });

  describe('checkCredentials', () => {
    it('passes with the corp’s app and refuses a mistyped agentId with 40056', async () => {
      expect(await new WecomAdapter(config, noSleep).checkCredentials()).to.deep.equal({ ok: true });
      expect(await new WecomAdapter({ ...config, agentId: '1000099' }, noSleep).checkCredentials()).to.include({ ok: false, errcode: 40056 });
      const { agentId: _none, ...withoutAgent } = config;
      expect(await new WecomAdapter(withoutAgent, noSleep).checkCredentials(), 'no agentId: only the secret is checked').to.deep.equal({ ok: true });
    });
  });

  describe('notifyStaff', () => {
    const card = { userIds: ['zhangsan'], title: '今日任务', description: '1 项', url: 'https://example.com/m' };

    it('sends through the configured app', async () => {
      const res = await new WecomAdapter(config, noSleep).notifyStaff(card);
      expect(res).to.include({ ok: true });
      expect(sim.state.appMessages.at(-1)).to.include({ agentid: SIM_AGENT_ID });
    });

    it('fails with 40056 as a configuration error when agentId is not an app of the corp', async () => {
      const res = await new WecomAdapter({ ...config, agentId: '1000099' }, noSleep).notifyStaff(card);
      expect(res.ok).to.equal(false);
      if (res.ok) return;
      expect(res.error).to.include({ errcode: 40056, kind: 'config', retryable: false });
    });

    it('fails with 301002 when agentId is another app than the one of the secret', async () => {
      sim.control.addSecret('other-app-secret', 1000005);
      const res = await new WecomAdapter({ ...config, agentId: '1000005' }, noSleep).notifyStaff(card);
      expect(res.ok).to.equal(false);
      if (res.ok) return;
      expect(res.error).to.include({ errcode: 301002, kind: 'config' });
    });
  });
});
