import { expect } from 'chai';
import { startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { useTestDatabase } from '../support/database.ts';
import { http } from '../support/test-app.ts';
import { SIDEBAR_CUSTOMER, seedSidebarCustomer, type SidebarSeed } from '../support/sidebar-seed.ts';

describe('console detail APIs: customer profile, tag usage and merge, groups', () => {
  const t = useTestDatabase('console_detail');
  let h: ChannelHarness;
  let seed: SidebarSeed;
  let api: ReturnType<typeof http>;

  before(async () => {
    h = await startChannelHarness(t.db);
    seed = await seedSidebarCustomer(h);
    api = http(h.services);
  });
  after(async () => h?.stop());

  describe('GET /api/contacts/:id/profile', () => {
    it('joins relations (remark, add way, channel code), tags, groups, notes, SOP runs, touches, arms and leads', async () => {
      const res = await api.get(`/api/contacts/${seed.contactId}/profile`, h.org.tokens.hq);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      const p = res.body;
      expect(p.contact).to.include({ id: seed.contactId, name: '林小姐', lifecycle: 'customer' });
      expect(p.relations).to.have.length(1);
      expect(p.relations[0]).to.include({ staffName: '导购乙', storeName: '上海一店', remark: '林姐', state: 'lc-poster', staffUserId: 'a2' });
      expect(p.tags).to.deep.equal([{ tagId: seed.tags.vip, name: 'VIP', group: '客户等级' }]);
      expect(p.sops.map((s: { name: string; status: string }) => `${s.name}:${s.status}`)).to.deep.equal(['新客七日关怀:active']);
      expect(p.touches).to.have.length(2);
      expect(p.experiments.map((x: { experimentId: string; arm: string }) => `${x.experimentId}=${x.arm}`)).to.have.members(['exp-welcome=b', 'exp-moments=holdout']);
      expect(p.notes.map((n: { text: string }) => n.text)).to.have.members(['喜欢拿铁，周末到店', '北京店的备注']);
      expect(p.leads).to.deep.equal([]);
    });

    it('answers 404 to a store manager of another store, and shows only the own store’s notes to one of this store', async () => {
      const b = await h.services.tokens.issue({ corpId: h.org.corpId, role: 'store_manager', name: 'b-manager', staffId: h.org.staff.b1 });
      expect((await api.get(`/api/contacts/${seed.contactId}/profile`, b.token)).status).to.equal(404);
      const a = await api.get(`/api/contacts/${seed.contactId}/profile`, h.org.tokens.managerA);
      expect(a.status).to.equal(200);
      expect(a.body.notes.map((n: { text: string }) => n.text)).to.deep.equal(['喜欢拿铁，周末到店']);
    });
  });

  describe('GET /api/contacts/:id/activity', () => {
    it('merges events, touches and tasks newest first and pages through ties without skipping or repeating', async () => {
      const corpId = h.org.corpId;
      for (const i of [1, 2]) await api.post(`/api/contacts/${seed.contactId}/consent`, { optedOut: i === 1 }, h.org.tokens.hq).expect(200);
      const tie = new Date('2026-11-21T08:00:00Z');
      for (const k of ['a', 'b', 'c']) await h.services.events.append(corpId, { key: `tie-${k}`, direction: 'inbound', channel: 'wecom', type: 'message_received', contactId: seed.contactId, occurredAt: tie, payload: { text: `消息${k}` } });
      await h.services.tasks.createOnce({ corpId, key: 'task-call-lin', storeId: h.org.stores.a, staffId: h.org.staff.a2, kind: 'call', title: '回访林小姐', contactIds: [seed.contactId], localDate: '2026-11-21', dueAt: tie });
      const all = await api.get(`/api/contacts/${seed.contactId}/activity?limit=100`, h.org.tokens.hq).expect(200);
      expect(all.body.nextCursor).to.equal(null);
      const kinds = new Set(all.body.items.map((x: { kind: string }) => x.kind));
      expect([...kinds]).to.have.members(['event', 'touch', 'task']);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: Array<{ id: string }>; nextCursor: string | null } } = await api.get(`/api/contacts/${seed.contactId}/activity?limit=2${cursor ? `&cursor=${cursor}` : ''}`, h.org.tokens.hq).expect(200);
        expect(page.body.items.length).to.be.at.most(2);
        seen.push(...page.body.items.map((x) => x.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).to.deep.equal(all.body.items.map((x: { id: string }) => x.id));
      const times = all.body.items.map((x: { at: string }) => x.at);
      expect(times).to.deep.equal([...times].sort().reverse());
      const b = await h.services.tokens.issue({ corpId, role: 'store_manager', name: 'b-manager-2', staffId: h.org.staff.b1 });
      await api.get(`/api/contacts/${seed.contactId}/activity`, b.token).expect(404);
    });
  });

  describe('tag usage and merge', () => {
    it('counts customers per tag and says which tags are mirrored with WeCom', async () => {
      const res = await api.get('/api/tags/usage', h.org.tokens.marketer).expect(200);
      const byId = new Map(res.body.items.map((x: { tagId: string }) => [x.tagId, x]));
      expect(byId.get(seed.tags.vip)).to.include({ customers: 1, mirrored: true });
      expect(byId.get(seed.tags.regular)).to.include({ customers: 0, mirrored: true });
      expect(byId.get(seed.tags.local)).to.include({ customers: 0, mirrored: false });
      const b = await h.services.tokens.issue({ corpId: h.org.corpId, role: 'store_manager', name: 'b-manager-usage', staffId: h.org.staff.b1 });
      const other = await api.get('/api/tags/usage', b.token).expect(200);
      expect(other.body.items.find((x: { tagId: string }) => x.tagId === seed.tags.vip).customers, 'another store’s customers are not counted').to.equal(0);
    });

    it('reports a WeCom refusal in zh-CN and changes nothing locally', async () => {
      h.sim.control.injectErrors('externalcontact/mark_tag', 84061);
      const res = await api.post(`/api/tags/${seed.tags.vip}/merge`, { into: seed.tags.regular }, h.org.tokens.marketer);
      expect(res.status, JSON.stringify(res.body)).to.equal(502);
      expect(res.body.error.details.errcode).to.equal(84061);
      expect(res.body.error.message).to.match(/^企业微信拒绝了合并标签/);
      const contact = await t.db.models.Contact.findById(seed.contactId).lean();
      expect(contact!.tagIds).to.deep.equal([seed.tags.vip]);
      expect((await t.db.models.Tag.findOne({ tagId: seed.tags.vip }).lean())!.deletedAt).to.equal(null);
    });

    it('merges X into Y: WeCom re-marks every relation and deletes X, then contacts and relations carry Y and X is gone', async () => {
      h.sim.control.clearRequests();
      const res = await api.post(`/api/tags/${seed.tags.vip}/merge`, { into: seed.tags.regular }, h.org.tokens.marketer);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.deep.include({ customers: 1, mirror: { status: 'mirrored', relations: 1 } });
      expect(h.sim.control.requests('externalcontact/mark_tag').map((r) => r.body)).to.deep.equal([{ userid: 'a2', external_userid: SIDEBAR_CUSTOMER, add_tag: [seed.tags.regular], remove_tag: [seed.tags.vip] }]);
      expect(h.sim.control.requests('externalcontact/del_corp_tag').map((r) => r.body)).to.deep.equal([{ tag_id: [seed.tags.vip] }]);
      expect(h.sim.state.findTag(seed.tags.vip), 'deleted at WeCom').to.equal(undefined);
      expect((await t.db.models.Contact.findById(seed.contactId).lean())!.tagIds).to.deep.equal([seed.tags.regular]);
      expect((await t.db.models.Follow.findOne({ contactId: seed.contactId }).lean())!.tagIds).to.deep.equal([seed.tags.regular]);
      const tags = await api.get('/api/tags', h.org.tokens.marketer).expect(200);
      expect(tags.body.items.flatMap((g: { tags: Array<{ tagId: string }> }) => g.tags.map((x) => x.tagId))).to.not.include(seed.tags.vip);
      await api.post(`/api/tags/${seed.tags.regular}/merge`, { into: seed.tags.regular }, h.org.tokens.marketer).expect(400);
      await api.post(`/api/tags/${seed.tags.regular}/merge`, { into: seed.tags.local }, h.org.tokens.staffA).expect(403);
    });
  });

  describe('GET /api/groups and /api/groups/:chatId', () => {
    const at = (d: string) => new Date(`2026-${d}T02:00:00Z`);
    before(async () => {
      const corpId = h.org.corpId;
      await h.services.groups.syncMembers(corpId, { chatId: 'wr-sh-coffee', name: '上海咖啡群', ownerUserId: 'a2', storeId: h.org.stores.a, notice: '', members: [
        { memberType: 'staff', userId: 'a2', joinTime: at('11-01') },
        { memberType: 'external', userId: SIDEBAR_CUSTOMER, contactId: seed.contactId, joinTime: at('11-02'), joinScene: 3 },
        { memberType: 'external', userId: 'wm-quit', joinTime: at('11-03'), joinScene: 1 },
      ] }, at('11-03'));
      await h.services.groups.syncMembers(corpId, { chatId: 'wr-sh-coffee', name: '上海咖啡群', ownerUserId: 'a2', storeId: h.org.stores.a, notice: '', members: [
        { memberType: 'staff', userId: 'a2', joinTime: at('11-01') },
        { memberType: 'external', userId: SIDEBAR_CUSTOMER, contactId: seed.contactId, joinTime: at('11-02'), joinScene: 3 },
      ] }, at('11-05'));
      await h.services.groups.syncMembers(corpId, { chatId: 'wr-bj-tea', name: '北京茶友群', ownerUserId: 'b1', storeId: h.org.stores.b, notice: '', members: [{ memberType: 'staff', userId: 'b1', joinTime: at('11-01') }] }, at('11-01'));
      await t.db.models.Enrollment.create({ corpId, sopId: 'sop-onboarding', contactId: 'group:wr-sh-coffee', storeId: h.org.stores.a, tz: 'Asia/Shanghai', rotation: 0, enteredAt: at('11-04'), status: 'completed', cursorAt: at('11-04') });
    });
    const names = (body: { items: Array<{ name: string }> }) => body.items.map((g) => g.name);

    it('lists the corp’s groups for HQ and filters by owner, store and name', async () => {
      expect(names((await api.get('/api/groups', h.org.tokens.hq).expect(200)).body)).to.have.members(['北京茶友群', '上海咖啡群']);
      expect(names((await api.get('/api/groups?owner=b1', h.org.tokens.hq).expect(200)).body)).to.deep.equal(['北京茶友群']);
      expect(names((await api.get(`/api/groups?storeId=${h.org.stores.a}`, h.org.tokens.hq).expect(200)).body)).to.deep.equal(['上海咖啡群']);
      expect(names((await api.get(`/api/groups?q=${encodeURIComponent('咖啡')}`, h.org.tokens.hq).expect(200)).body)).to.deep.equal(['上海咖啡群']);
      const first = (await api.get('/api/groups?limit=1', h.org.tokens.hq).expect(200)).body;
      const second = (await api.get(`/api/groups?limit=1&cursor=${first.nextCursor}`, h.org.tokens.hq).expect(200)).body;
      expect([...names(first), ...names(second)], 'two pages of one, together the whole list').to.have.members(['北京茶友群', '上海咖啡群']);
      expect(second.nextCursor).to.equal(null);
      const row = (await api.get('/api/groups?owner=a2', h.org.tokens.hq).expect(200)).body.items[0];
      expect(row).to.include({ ownerName: '导购乙', storeName: '上海一店', members: 2, externalMembers: 1, quits: 1 });
    });

    it('scopes a store manager to their store: another store’s group is not listed and answers 404', async () => {
      expect(names((await api.get('/api/groups', h.org.tokens.managerA).expect(200)).body)).to.deep.equal(['上海咖啡群']);
      await api.get('/api/groups/wr-bj-tea', h.org.tokens.managerA).expect(404);
    });

    it('shows one group: members with join time and scene, quits, the member trend and its group SOPs', async () => {
      const res = await api.get('/api/groups/wr-sh-coffee', h.org.tokens.hq);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      const g = res.body;
      expect(g).to.include({ name: '上海咖啡群', ownerName: '导购乙', storeName: '上海一店' });
      expect(g.members.map((m: { userId: string; joinScene: number }) => `${m.userId}:${m.joinScene}`)).to.deep.equal([`${SIDEBAR_CUSTOMER}:3`, 'a2:0']);
      expect(g.members.map((m: { name: string | null }) => m.name)).to.deep.equal(['林小姐', '导购乙']);
      expect(g.quits.map((m: { userId: string; quitTime: string }) => `${m.userId}@${m.quitTime}`)).to.deep.equal(['wm-quit@2026-11-05T02:00:00.000Z']);
      expect(g.trend).to.have.length(30);
      expect(g.sops).to.deep.equal([{ sopId: 'sop-onboarding', name: '新客七日关怀', status: 'completed', stepId: null, enteredAt: '2026-11-04T02:00:00.000Z', endedAt: null }]);
    });
  });
});
