import { expect } from 'chai';
import { FakeClock } from './fake-clock.ts';
import { many, rawSimClient } from './raw-sim-client.ts';
import type { RawReply } from './raw-sim-client.ts';
import { startWecomSimulator } from './wecom-simulator.ts';
import type { WecomSimulator } from './wecom-simulator.ts';

describe('WeCom simulator: tokens, faults, customers, tags, contact ways', () => {
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

  describe('gettoken and access tokens', () => {
    it('answers 41002 / 41004 / 40013 / 40001 for missing or wrong credentials', async () => {
      await expectCode(api.request('GET', 'gettoken', { query: { corpsecret: sim.secret } }), 41002);
      await expectCode(api.request('GET', 'gettoken', { query: { corpid: sim.corpId } }), 41004);
      await expectCode(api.request('GET', 'gettoken', { query: { corpid: 'wwother', corpsecret: sim.secret } }), 40013);
      await expectCode(api.request('GET', 'gettoken', { query: { corpid: sim.corpId, corpsecret: 'nope' } }), 40001);
    });

    it('returns the same token for 7200 s while it is valid', async () => {
      const first = await api.request('GET', 'gettoken', { query: { corpid: sim.corpId, corpsecret: sim.secret } });
      expect(first).to.include({ errcode: 0, errmsg: 'ok' });
      expect(String(first.access_token).length).to.be.at.most(512);
      const again = await api.request('GET', 'gettoken', { query: { corpid: sim.corpId, corpsecret: sim.secret } });
      expect(again.access_token).to.equal(first.access_token);
    });

    it('answers 41001 without a token and 40014 for an unknown one', async () => {
      await expectCode(api.request('GET', 'externalcontact/list', { query: { userid: 'zhangsan' } }), 41001);
      await expectCode(api.request('GET', 'externalcontact/list', { query: { userid: 'zhangsan', access_token: 'forged' } }), 40014);
    });

    it('answers 42001 after expireTokens() and after 7200 s', async () => {
      sim.control.expireTokens();
      await expectCode(api.get('externalcontact/list', { userid: 'zhangsan' }), 42001);
      await api.token();
      clock.advance(7200 * 1000);
      await expectCode(api.get('externalcontact/list', { userid: 'zhangsan' }), 42001);
    });

    it('answers 47001 to a body that is not JSON', async () => {
      await expectCode(api.request('POST', 'externalcontact/mark_tag', { raw: '{oops' }), 47001);
    });
  });

  describe('injected faults and frequency limits', () => {
    it('answers injected errcodes for exactly the requested count', async () => {
      sim.control.injectErrors('externalcontact/list', 45009, 2);
      await expectCode(api.get('externalcontact/list', { userid: 'zhangsan' }), 45009);
      await expectCode(api.get('externalcontact/list', { userid: 'zhangsan' }), 45009);
      await expectCode(api.get('externalcontact/list', { userid: 'zhangsan' }), 0);
    });

    it('answers 45009 past the per-minute limit of one API, and lets calls through a minute later', async () => {
      sim.control.setRateLimit('externalcontact/groupchat/get', 2);
      await expectCode(api.post('externalcontact/groupchat/get', { chat_id: 'wrA' }), 0);
      await expectCode(api.post('externalcontact/groupchat/get', { chat_id: 'wrA' }), 0);
      await expectCode(api.post('externalcontact/groupchat/get', { chat_id: 'wrA' }), 45009);
      clock.advance(60_001);
      await expectCode(api.post('externalcontact/groupchat/get', { chat_id: 'wrA' }), 0);
    });
  });

  describe('customers', () => {
    it('batch/get_by_user: 1–100 userids (40032), limit ≤100 (40058), cursor readable (50100)', async () => {
      await expectCode(api.post('externalcontact/batch/get_by_user', { userid_list: many('u', 101) }), 40032);
      await expectCode(api.post('externalcontact/batch/get_by_user', { userid_list: [] }), 40032);
      await expectCode(api.post('externalcontact/batch/get_by_user', { userid_list: ['zhangsan'], limit: 101 }), 40058);
      await expectCode(api.post('externalcontact/batch/get_by_user', { userid_list: ['zhangsan'], cursor: 'garbage' }), 50100);
      await expectCode(api.post('externalcontact/batch/get_by_user', { userid_list: many('u', 100), limit: 100 }), 0);
    });

    it('remark: ≤20 / ≤150 / ≤20 characters (40058), not all empty (40063)', async () => {
      const pair = { userid: 'zhangsan', external_userid: 'wmA' };
      await expectCode(api.post('externalcontact/remark', { ...pair, remark: '一'.repeat(20), description: '二'.repeat(150) }), 0);
      await expectCode(api.post('externalcontact/remark', { ...pair, remark: 'x'.repeat(21) }), 40058);
      await expectCode(api.post('externalcontact/remark', { ...pair, description: 'x'.repeat(151) }), 40058);
      await expectCode(api.post('externalcontact/remark', { ...pair, remark_company: 'x'.repeat(21) }), 40058);
      await expectCode(api.post('externalcontact/remark', pair), 40063);
    });

    it('remark / mark_tag: unknown member 60111, unknown customer 40096, no relationship 84061, unknown tag 40068', async () => {
      await expectCode(api.post('externalcontact/remark', { userid: 'ghost', external_userid: 'wmA', remark: 'x' }), 60111);
      await expectCode(api.post('externalcontact/remark', { userid: 'zhangsan', external_userid: 'wmGHOST', remark: 'x' }), 40096);
      sim.control.addStaff('lisi');
      await expectCode(api.post('externalcontact/mark_tag', { userid: 'lisi', external_userid: 'wmA', add_tag: [tag] }), 84061);
      await expectCode(api.post('externalcontact/mark_tag', { userid: 'zhangsan', external_userid: 'wmA', add_tag: ['etNOPE'] }), 40068);
    });
  });

  describe('corp tags', () => {
    it('add_corp_tag: at most 3000 corp tags (40126)', async () => {
      const existing = sim.state.tagCount();
      const fill = Array.from({ length: 3000 - existing }, (_, i) => ({ name: `tag${i}` }));
      await expectCode(api.post('externalcontact/add_corp_tag', { group_name: 'bulk', tag: [...fill, { name: 'one too many' }] }), 40126);
      await expectCode(api.post('externalcontact/add_corp_tag', { group_name: 'bulk', tag: fill }), 0);
      expect(sim.state.tagCount()).to.equal(3000);
      await expectCode(api.post('externalcontact/add_corp_tag', { group_name: 'bulk', tag: [{ name: 'one too many' }] }), 40126);
      sim.state.tagGroups.splice(sim.state.tagGroups.findIndex((g) => g.group_name === 'bulk'), 1);
    });

    it('add_corp_tag: a name already live in the group (40071) or longer than 30 characters (40072) is refused, creating nothing', async () => {
      const before = sim.state.tagCount();
      await expectCode(api.post('externalcontact/add_corp_tag', { group_name: 'g', tag: [{ name: 't' }] }), 40071);
      await expectCode(api.post('externalcontact/add_corp_tag', { group_name: 'g', tag: [{ name: 'x' }, { name: 'x' }] }), 40071);
      await expectCode(api.post('externalcontact/add_corp_tag', { group_name: 'g', tag: [{ name: '长'.repeat(31) }] }), 40072);
      await expectCode(api.post('externalcontact/add_corp_tag', { group_name: '组'.repeat(31), tag: [{ name: 'y' }] }), 40072);
      expect(sim.state.tagCount()).to.equal(before);
    });

    it('edit_corp_tag: renames a tag or a group by id; unknown ids (40068), missing id (41017), duplicates (40071) and long names (40072) are refused', async () => {
      const added = await expectCode(api.post('externalcontact/add_corp_tag', { group_name: 'edit', tag: [{ name: 'a' }, { name: 'b' }] }), 0);
      const group = added.tag_group as { group_id: string; tag: { id: string }[] };
      const [a] = group.tag;
      await expectCode(api.post('externalcontact/edit_corp_tag', { id: a!.id, name: 'a2', order: 5 }), 0);
      expect(sim.state.findTag(a!.id)!.tag).to.include({ name: 'a2', order: 5 });
      await expectCode(api.post('externalcontact/edit_corp_tag', { id: a!.id, name: 'b' }), 40071);
      await expectCode(api.post('externalcontact/edit_corp_tag', { id: a!.id, name: 'z'.repeat(31) }), 40072);
      await expectCode(api.post('externalcontact/edit_corp_tag', { id: 'etNOPE', name: 'c' }), 40068);
      await expectCode(api.post('externalcontact/edit_corp_tag', { name: 'c' }), 41017);
      expect(sim.state.findTag(a!.id)!.tag.name).to.equal('a2');
      await expectCode(api.post('externalcontact/edit_corp_tag', { id: group.group_id, name: 'g' }), 40071);
      await expectCode(api.post('externalcontact/edit_corp_tag', { id: group.group_id, name: '编辑' }), 0);
      expect(sim.state.tagGroups.find((g) => g.group_id === group.group_id)!.group_name).to.equal('编辑');
      await expectCode(api.post('externalcontact/del_corp_tag', { group_id: [group.group_id] }), 0);
      await expectCode(api.post('externalcontact/edit_corp_tag', { id: a!.id, name: 'again' }), 40068);
      await expectCode(api.post('externalcontact/edit_corp_tag', { id: group.group_id, name: 'again' }), 40068);
    });
  });

  describe('add_contact_way', () => {
    it('answers 41037 / 41038 / 41039 / 41040 for missing or invalid type and scene', async () => {
      await expectCode(api.post('externalcontact/add_contact_way', { scene: 2, user: ['zhangsan'] }), 41037);
      await expectCode(api.post('externalcontact/add_contact_way', { type: 1, user: ['zhangsan'] }), 41038);
      await expectCode(api.post('externalcontact/add_contact_way', { type: 3, scene: 2, user: ['zhangsan'] }), 41039);
      await expectCode(api.post('externalcontact/add_contact_way', { type: 1, scene: 3, user: ['zhangsan'] }), 41040);
    });

    it('limits remark and state to 30 characters, type 1 to one user, type 2 to 100 users (41041)', async () => {
      const base = { type: 1, scene: 2, user: ['zhangsan'] };
      await expectCode(api.post('externalcontact/add_contact_way', { ...base, state: 's'.repeat(30) }), 0);
      await expectCode(api.post('externalcontact/add_contact_way', { ...base, state: 's'.repeat(31) }), 40058);
      await expectCode(api.post('externalcontact/add_contact_way', { ...base, remark: 'r'.repeat(31) }), 40058);
      await expectCode(api.post('externalcontact/add_contact_way', { ...base, user: ['zhangsan', 'lisi'] }), 40058);
      for (const u of many('cw', 101)) sim.control.addStaff(u);
      await expectCode(api.post('externalcontact/add_contact_way', { type: 2, scene: 2, user: many('cw', 101) }), 41041);
      for (const u of many('cw', 101)) sim.state.staff.delete(u);
    });

    it('answers 41045 once the corp reached its contact-way limit', async () => {
      const small = await startWecomSimulator({ limits: { contactWays: 1 } });
      try {
        const other = rawSimClient(small);
        await other.token();
        small.control.addStaff('zhangsan');
        await expectCode(other.post('externalcontact/add_contact_way', { type: 1, scene: 1, user: ['zhangsan'] }), 0);
        await expectCode(other.post('externalcontact/add_contact_way', { type: 1, scene: 1, user: ['zhangsan'] }), 41045);
      } finally {
        await small.stop();
      }
    });
  });
});
