import { expect } from 'chai';
import { useTestDatabase } from '../support/database.ts';
import { http, seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';

describe('GET /api/contacts and contact detail', () => {
  const t = useTestDatabase('contacts_http');
  let org: TestOrg;
  let api: ReturnType<typeof http>;
  let s: ReturnType<typeof testServices>;
  const ids: Record<string, string> = {};
  let tags: { vip: string; milk: string; yogurt: string };

  before(async () => {
    s = testServices(t.db);
    org = await seedTestOrg(s);
    api = http(s);
    const group = await s.tags.createGroup(org.corpId, { name: '偏好', tags: [{ name: 'VIP' }, { name: '鲜奶' }, { name: '酸奶' }] });
    const [vip, milk, yogurt] = group.tags.map((x) => x.tagId) as [string, string, string];
    tags = { vip, milk, yogurt };
    const all = { corpId: org.corpId, storeIds: null };
    const a2 = await s.org.getStaff(all, org.staff.a2);
    const b1 = await s.org.getStaff(all, org.staff.b1);
    const make = async (key: string, name: string, tagIds: string[], staff: typeof a2, lifecycle: 'friend' | 'customer' | 'vip', remark = '') => {
      const r = await s.identities.upsert(org.corpId, { identities: [{ kind: 'wecom', externalUserId: `wm-${key}` }, { kind: 'unionid', unionid: `un-${key}` }], profile: { name, lifecycle } });
      await s.follows.upsert(org.corpId, { contactId: r.contact.id, staff, remark, tagIds, addedAt: new Date(), state: `c:test:${key}` });
      await t.db.models.Contact.updateOne({ _id: r.contact.id }, { $set: { tagIds, lifecycle } });
      ids[key] = r.contact.id;
    };
    await make('li', '李雷', [tags.vip, tags.milk], a2, 'vip', '老客户李先生');
    await make('han', '韩梅梅', [tags.milk], a2, 'customer');
    await make('wang', '王小明', [tags.yogurt], b1, 'friend', '周末来店');
    await make('zhao', '赵四', [], b1, 'friend');
  });

  const names = (res: { body: { items: Array<{ name: string }> } }) => res.body.items.map((c) => c.name).sort();

  it('filters by tags all / any / none', async () => {
    expect(names(await api.get(`/api/contacts?tagsAll=${tags.vip},${tags.milk}`, org.tokens.hq).expect(200))).to.deep.equal(['李雷']);
    expect(names(await api.get(`/api/contacts?tagsAny=${tags.milk},${tags.yogurt}`, org.tokens.hq).expect(200))).to.deep.equal(['李雷', '王小明', '韩梅梅']);
    expect(names(await api.get(`/api/contacts?tagsNone=${tags.milk}`, org.tokens.hq).expect(200))).to.deep.equal(['王小明', '赵四']);
  });

  it('filters by store, staff, lifecycle and text on name or remark', async () => {
    expect(names(await api.get(`/api/contacts?storeId=${org.stores.b}`, org.tokens.hq).expect(200))).to.deep.equal(['王小明', '赵四']);
    expect(names(await api.get(`/api/contacts?staffId=${org.staff.a2}`, org.tokens.hq).expect(200))).to.deep.equal(['李雷', '韩梅梅']);
    expect(names(await api.get('/api/contacts?lifecycle=vip,customer', org.tokens.hq).expect(200))).to.deep.equal(['李雷', '韩梅梅']);
    expect(names(await api.get(`/api/contacts?q=${encodeURIComponent('周末')}`, org.tokens.hq).expect(200))).to.deep.equal(['王小明']);
    expect(names(await api.get(`/api/contacts?q=${encodeURIComponent('李')}`, org.tokens.hq).expect(200))).to.deep.equal(['李雷']);
    expect(names(await api.get(`/api/contacts?q=${encodeURIComponent('.*')}`, org.tokens.hq).expect(200))).to.deep.equal([]);
  });

  it('looks a contact up by any channel identity', async () => {
    expect(names(await api.get('/api/contacts?identity=wecom:wm-han', org.tokens.hq).expect(200))).to.deep.equal(['韩梅梅']);
    expect(names(await api.get('/api/contacts?identity=unionid:un-wang', org.tokens.hq).expect(200))).to.deep.equal(['王小明']);
    await s.identities.upsert(org.corpId, { identities: [{ kind: 'openid', appId: 'wxoa1', openid: 'o-zhao' }, { kind: 'unionid', unionid: 'un-zhao' }] });
    expect(names(await api.get('/api/contacts?identity=openid:wxoa1:o-zhao', org.tokens.hq).expect(200))).to.deep.equal(['赵四']);
  });

  it('pages with a cursor that stays stable while new contacts arrive', async () => {
    const first = await api.get('/api/contacts?limit=2', org.tokens.hq).expect(200);
    expect(first.body.items).to.have.length(2);
    expect(first.body.nextCursor).to.be.a('string');
    await s.identities.upsert(org.corpId, { identities: [{ kind: 'wecom', externalUserId: 'wm-new' }], profile: { name: '新来的', homeStoreId: org.stores.a } });
    const second = await api.get(`/api/contacts?limit=2&cursor=${first.body.nextCursor}`, org.tokens.hq).expect(200);
    const third = second.body.nextCursor ? await api.get(`/api/contacts?limit=2&cursor=${second.body.nextCursor}`, org.tokens.hq).expect(200) : { body: { items: [], nextCursor: null } };
    const seen = [...first.body.items, ...second.body.items, ...third.body.items].map((c: { name: string }) => c.name);
    expect(seen).to.have.members(['李雷', '韩梅梅', '王小明', '赵四']);
    expect(new Set(seen).size).to.equal(seen.length);
    expect(third.body.nextCursor).to.equal(null);
  });

  it('shows channels, follows with their state, tags with names and groups', async () => {
    await s.groups.upsert(org.corpId, { chatId: 'wr-1', name: '鲜奶福利群', ownerUserId: 'a2', storeId: org.stores.a, members: [{ memberType: 'external', userId: 'wm-li', contactId: ids.li!, joinTime: new Date('2026-11-01T00:00:00Z'), joinScene: 3 }] });
    const res = await api.get(`/api/contacts/${ids.li}`, org.tokens.staffA).expect(200);
    expect(res.body.identities.externalUserId).to.equal('wm-li');
    expect(res.body.identities.unionid).to.equal('un-li');
    expect(res.body.follows).to.have.length(1);
    expect(res.body.follows[0]).to.include({ staffUserId: 'a2', remark: '老客户李先生', state: 'c:test:li' });
    expect(res.body.tags.map((x: { name: string }) => x.name).sort()).to.deep.equal(['VIP', '鲜奶']);
    expect(res.body.groups).to.have.length(1);
    expect(res.body.groups[0]).to.include({ chatId: 'wr-1', name: '鲜奶福利群' });
  });

  it('adds and removes tags, and records the change on the timeline newest first', async () => {
    const res = await api.post(`/api/contacts/${ids.han}/tags`, { add: [tags.vip], remove: [tags.milk] }, org.tokens.staffA).expect(200);
    expect(res.body.tagIds).to.deep.equal([tags.vip]);
    s.clock.advance(60_000);
    await api.post(`/api/contacts/${ids.han}/tags`, { add: [tags.yogurt] }, org.tokens.staffA).expect(200);
    const timeline = await api.get(`/api/contacts/${ids.han}/timeline?limit=1`, org.tokens.staffA).expect(200);
    expect(timeline.body.items).to.have.length(1);
    expect(timeline.body.items[0].payload.added).to.deep.equal([tags.yogurt]);
    const older = await api.get(`/api/contacts/${ids.han}/timeline?limit=1&cursor=${timeline.body.nextCursor}`, org.tokens.staffA).expect(200);
    expect(older.body.items[0].payload).to.deep.include({ added: [tags.vip], removed: [tags.milk] });
  });

  it('keeps concurrent tag changes from two staff members', async () => {
    await Promise.all([
      api.post(`/api/contacts/${ids.zhao}/tags`, { add: [tags.vip] }, org.tokens.hq).expect(200),
      api.post(`/api/contacts/${ids.zhao}/tags`, { add: [tags.milk] }, org.tokens.staffB).expect(200),
      api.post(`/api/contacts/${ids.zhao}/tags`, { add: [tags.yogurt] }, org.tokens.marketer).expect(200),
    ]);
    const res = await api.get(`/api/contacts/${ids.zhao}`, org.tokens.hq).expect(200);
    expect(res.body.tagIds).to.have.members([tags.vip, tags.milk, tags.yogurt]);
  });

  it('upserts by identity over HTTP: 201 when new, 200 and the same id when the unionid matches', async () => {
    const created = await api.post('/api/contacts', { identities: [{ kind: 'unionid', unionid: 'un-http' }], name: '接口客户', phone: '13912345678' }, org.tokens.marketer).expect(201);
    expect(created.body.contact.phone).to.deep.equal({ masked: '139****5678' });
    const again = await api.post('/api/contacts', { identities: [{ kind: 'openid', appId: 'wxoa', openid: 'o-http' }], phone: '+86 139-1234-5678' }, org.tokens.marketer).expect(200);
    expect(again.body.contact.id).to.equal(created.body.contact.id);
    const bad = await api.post('/api/contacts', { identities: [{ kind: 'wecom' }] }, org.tokens.marketer).expect(400);
    expect(bad.body.error.details[0].path).to.match(/^body\.identities\.0/);
  });

  it('opts a contact out and back in, once each, with an event the engine and experiments read; store scoping holds', async () => {
    await api.post(`/api/contacts/${ids.wang}/consent`, { optedOut: true }, org.tokens.staffA).expect(404);
    const out = await api.post(`/api/contacts/${ids.wang}/consent`, { optedOut: true, reason: '客户回复退订' }, org.tokens.staffB).expect(200);
    expect(out.body.changed).to.equal(true);
    expect(out.body.contact.consent).to.deep.equal({ optedOut: true, reachable: true });
    const again = await api.post(`/api/contacts/${ids.wang}/consent`, { optedOut: true }, org.tokens.staffB).expect(200);
    expect(again.body.changed, 'already opted out: nothing new recorded').to.equal(false);
    s.clock.advance(60_000);
    await api.post(`/api/contacts/${ids.wang}/consent`, { optedOut: false }, org.tokens.hq).expect(200);
    const events = await t.db.models.Event.find({ corpId: org.corpId, contactId: ids.wang, type: /^contact\.opted_/ }).sort({ occurredAt: 1 }).lean();
    expect(events.map((e) => [e.type, (e.payload as { reason?: string }).reason])).to.deep.equal([
      ['contact.opted_out', '客户回复退订'],
      ['contact.opted_in', null],
    ]);
    const row = await t.db.models.Contact.findById(ids.wang).lean();
    expect(row!.consent).to.deep.include({ optedOut: false, optedOutAt: null });
    await api.post(`/api/contacts/${ids.wang}/consent`, { optedOut: 'yes' }, org.tokens.hq).expect(400);
  });
});
