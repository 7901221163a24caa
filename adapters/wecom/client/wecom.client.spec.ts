import { expect } from 'chai';
import { FakeClock } from '../simulator/fake-clock.ts';
import { startWecomSimulator } from '../simulator/wecom-simulator.ts';
import type { WecomSimulator } from '../simulator/wecom-simulator.ts';
import { WecomApiError } from './wecom-api-error.ts';
import { WecomClient } from './wecom.client.ts';

describe('WecomClient: customers, tags, contact ways, groups, sign-in', () => {
  const clock = new FakeClock();
  let sim: WecomSimulator;
  let wecom: WecomClient;
  let vip: string;
  let regular: string;

  const lastBody = (api: string) => sim.control.requests(api).at(-1)?.body;
  const lastQuery = (api: string) => {
    const { access_token: _token, ...query } = sim.control.requests(api).at(-1)?.query ?? {};
    return query;
  };

  before(async () => {
    sim = await startWecomSimulator({ clock });
    wecom = new WecomClient({ corpId: sim.corpId, secret: sim.secret, baseUrl: sim.baseUrl, clock, sleep: clock.sleep });
    const level = sim.control.addTagGroup('客户等级', ['VIP', '普通']);
    vip = level.tag[0]!.id;
    regular = level.tag[1]!.id;
    sim.control.addCustomer({
      external_userid: 'wmAAA',
      name: '王女士',
      unionid: 'oUNION_A',
      follow_user: [
        { userid: 'zhangsan', remark: '王', tags: [vip], createtime: 1_700_000_000 },
        { userid: 'lisi', createtime: 1_700_000_100 },
      ],
    });
    sim.control.addCustomer({ external_userid: 'wmBBB', name: '李先生', follow_user: [{ userid: 'zhangsan' }] });
    sim.control.addCustomer({ external_userid: 'wmCCC', name: '赵先生', follow_user: [{ userid: 'lisi' }] });
  });
  after(() => sim.stop());

  describe('externalcontact/get', () => {
    it('returns the contact and its followers with tag names, sending only external_userid', async () => {
      const reply = await wecom.getExternalContact('wmAAA');
      expect(lastQuery('externalcontact/get')).to.deep.equal({ external_userid: 'wmAAA' });
      expect(reply.external_contact).to.include({ external_userid: 'wmAAA', name: '王女士', unionid: 'oUNION_A', type: 1 });
      expect(reply.follow_user.map((f) => f.userid)).to.deep.equal(['zhangsan', 'lisi']);
      expect(reply.follow_user[0]!.tags).to.deep.equal([{ group_name: '客户等级', tag_name: 'VIP', tag_id: vip, type: 1 }]);
      expect(reply.next_cursor).to.equal('');
    });

    it('pages follow_user past 500 followers with next_cursor', async () => {
      const followers = Array.from({ length: 501 }, (_, i) => ({ userid: `staff${i}` }));
      sim.control.addCustomer({ external_userid: 'wmPOPULAR', name: '网红', follow_user: followers });
      const first = await wecom.getExternalContact('wmPOPULAR');
      const second = await wecom.getExternalContact('wmPOPULAR', first.next_cursor);
      expect([first.follow_user.length, second.follow_user.length]).to.deep.equal([500, 1]);
      expect(lastQuery('externalcontact/get')).to.deep.equal({ external_userid: 'wmPOPULAR', cursor: first.next_cursor });
      expect(second.next_cursor).to.equal('');
      for (const f of followers) sim.state.staff.delete(f.userid);
      sim.state.customers.delete('wmPOPULAR');
    });

    it('rejects an unknown customer with 40096 as invalid', async () => {
      const err = await wecom.getExternalContact('wmNOPE').catch((e: unknown) => e);
      expect(err).to.be.instanceOf(WecomApiError).and.include({ errcode: 40096, kind: 'invalid' });
    });
  });

  describe('externalcontact/list and batch/get_by_user', () => {
    it('lists one member’s customers', async () => {
      expect((await wecom.listExternalContacts('zhangsan')).external_userid).to.deep.equal(['wmAAA', 'wmBBB']);
      expect(lastQuery('externalcontact/list')).to.deep.equal({ userid: 'zhangsan' });
    });

    it('pages batch/get_by_user by cursor and returns follow_info with tag ids', async () => {
      const first = await wecom.batchGetByUser({ userid_list: ['zhangsan'], limit: 1 });
      expect(lastBody('externalcontact/batch/get_by_user')).to.deep.equal({ userid_list: ['zhangsan'], limit: 1 });
      const second = await wecom.batchGetByUser({ userid_list: ['zhangsan'], limit: 1, cursor: first.next_cursor });
      expect(lastBody('externalcontact/batch/get_by_user')).to.deep.equal({ userid_list: ['zhangsan'], limit: 1, cursor: first.next_cursor });
      const rows = [...first.external_contact_list, ...second.external_contact_list];
      expect(rows.map((r) => r.external_contact.external_userid)).to.deep.equal(['wmAAA', 'wmBBB']);
      expect(rows[0]!.follow_info).to.include({ userid: 'zhangsan', remark: '王' });
      expect(rows[0]!.follow_info.tag_id).to.deep.equal([vip]);
      expect(second.next_cursor).to.equal('');
    });
  });

  describe('externalcontact/remark and mark_tag', () => {
    it('sends the remark body as given and the follower shows it', async () => {
      const body = { userid: 'zhangsan', external_userid: 'wmBBB', remark: '李总', description: '老客户', remark_mobiles: ['13800000000'] };
      await wecom.remark(body);
      expect(lastBody('externalcontact/remark')).to.deep.equal(body);
      const follower = sim.state.follower('zhangsan', 'wmBBB')!;
      expect(follower).to.include({ remark: '李总', description: '老客户' });
      expect(follower.remark_mobiles).to.deep.equal(['13800000000']);
    });

    it('adds and removes tags on one follower', async () => {
      const body = { userid: 'zhangsan', external_userid: 'wmAAA', add_tag: [regular], remove_tag: [vip] };
      await wecom.markTag(body);
      expect(lastBody('externalcontact/mark_tag')).to.deep.equal(body);
      const reply = await wecom.getExternalContact('wmAAA');
      expect(reply.follow_user[0]!.tags.map((t) => t.tag_name)).to.deep.equal(['普通']);
    });

    it('refuses a pair without a relationship with 84061', async () => {
      const err = await wecom.markTag({ userid: 'lisi', external_userid: 'wmBBB', add_tag: [vip] }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(WecomApiError).and.include({ errcode: 84061 });
    });
  });

  describe('corp tags', () => {
    it('adds tags to an existing group by name and lists them by tag id', async () => {
      const added = await wecom.addCorpTag({ group_name: '客户等级', tag: [{ name: '潜在', order: 3 }] });
      expect(lastBody('externalcontact/add_corp_tag')).to.deep.equal({ group_name: '客户等级', tag: [{ name: '潜在', order: 3 }] });
      expect(added.tag_group.tag.map((t) => t.name)).to.deep.equal(['潜在']);
      const listed = await wecom.getCorpTagList({ tag_id: [added.tag_group.tag[0]!.id] });
      expect(listed.tag_group).to.have.length(1);
      expect(listed.tag_group[0]!.tag.map((t) => t.name)).to.deep.equal(['潜在']);
    });
  });

  describe('externalcontact/add_contact_way', () => {
    it('creates a config with state that comes back on the follower added through it', async () => {
      const body = { type: 1 as const, scene: 2 as const, remark: '门店海报', state: 'store-042', user: ['zhangsan'] };
      const reply = await wecom.addContactWay(body);
      expect(lastBody('externalcontact/add_contact_way')).to.deep.equal(body);
      expect(reply.config_id).to.be.a('string');
      expect(reply.qr_code).to.match(/^https:\/\//);
      const added = sim.control.scanContactWay(reply.config_id, { name: '新客户' });
      expect(added.state).to.equal('store-042');
      const contact = await wecom.getExternalContact(added.external_userid);
      expect(contact.follow_user[0]).to.include({ userid: 'zhangsan', state: 'store-042', add_way: 1 });
    });
  });

  describe('groupchat', () => {
    before(() => {
      sim.control.addGroupChat({ chat_id: 'wrG1', name: '一群', owner: 'zhangsan', members: [{ userid: 'zhangsan', type: 1 }, { userid: 'wmAAA', type: 2, name: '王女士', join_scene: 3 }] });
      sim.control.addGroupChat({ chat_id: 'wrG2', name: '二群', owner: 'zhangsan' });
      sim.control.addGroupChat({ chat_id: 'wrG3', name: '三群', owner: 'lisi' });
    });

    it('lists by owner with cursor paging', async () => {
      const first = await wecom.listGroupChats({ owner_filter: { userid_list: ['zhangsan'] }, limit: 1 });
      const second = await wecom.listGroupChats({ owner_filter: { userid_list: ['zhangsan'] }, limit: 1, cursor: first.next_cursor! });
      expect([...first.group_chat_list, ...second.group_chat_list].map((c) => c.chat_id)).to.deep.equal(['wrG1', 'wrG2']);
      expect(second.next_cursor).to.equal('');
      expect(lastBody('externalcontact/groupchat/list')).to.deep.equal({ owner_filter: { userid_list: ['zhangsan'] }, limit: 1, cursor: first.next_cursor });
    });

    it('gets one group, with member names only when need_name is 1', async () => {
      const plain = await wecom.getGroupChat('wrG1');
      expect(lastBody('externalcontact/groupchat/get')).to.deep.equal({ chat_id: 'wrG1', need_name: 0 });
      expect(plain.group_chat.member_list[1]).to.not.have.property('name');
      const named = await wecom.getGroupChat('wrG1', 1);
      expect(named.group_chat).to.include({ chat_id: 'wrG1', name: '一群', owner: 'zhangsan' });
      expect(named.group_chat.member_list[1]).to.include({ userid: 'wmAAA', type: 2, name: '王女士', join_scene: 3 });
    });
  });

  describe('auth/getuserinfo', () => {
    it('resolves an OAuth code to the staff userid, once', async () => {
      const code = sim.control.issueOAuthCode('zhangsan');
      expect((await wecom.getUserInfo(code)).userid).to.equal('zhangsan');
      expect(lastQuery('auth/getuserinfo')).to.deep.equal({ code });
      const reused = await wecom.getUserInfo(code).catch((e: unknown) => e);
      expect(reused).to.be.instanceOf(WecomApiError).and.include({ errcode: 40029, kind: 'invalid' });
    });

    it('refuses a code older than 5 minutes with 40029', async () => {
      const code = sim.control.issueOAuthCode('lisi');
      clock.advance(5 * 60_000 + 1);
      const err = await wecom.getUserInfo(code).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(WecomApiError).and.include({ errcode: 40029 });
    });
  });
});
