import { expect } from 'chai';
import { Types } from 'mongoose';
import { BULK_TAG_BOUND, bulkTag } from '../../server/contacts/contact-bulk.ts';
import { csvField } from '../../server/contacts/contact-export.ts';
import { startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { useTestDatabase } from '../support/database.ts';
import { http } from '../support/test-app.ts';

describe('customer list API: filters, count, CSV export, saved filters, bulk tags', () => {
  const t = useTestDatabase('contact_list_api');
  let h: ChannelHarness;
  let api: ReturnType<typeof http>;
  const ids: Record<string, string> = {};
  let tags: { vip: string; regular: string; coffee: string };

  before(async () => {
    h = await startChannelHarness(t.db);
    api = http(h.services);
    const s = h.services;
    const corpId = h.org.corpId;
    const scope = { corpId, storeIds: null };
    const level = h.sim.control.addTagGroup('客户等级', ['VIP', '普通']);
    await s.tags.mirror(corpId, [{ groupId: level.group_id, name: level.group_name, order: 0, tags: level.tag.map((x, i) => ({ tagId: x.id, name: x.name, order: i })) }]);
    const local = await s.tags.createGroup(corpId, { name: '兴趣', tags: [{ name: '咖啡' }] });
    tags = { vip: level.tag[0]!.id, regular: level.tag[1]!.id, coffee: local.tags[0]!.tagId };
    const a2 = await s.org.getStaff(scope, h.org.staff.a2);
    const b1 = await s.org.getStaff(scope, h.org.staff.b1);
    const wecom = async (key: string, name: string, staff: typeof a2, o: { phone?: string; remark?: string; tagIds?: string[]; lifecycle: 'friend' | 'customer' | 'vip'; added: string }) => {
      h.sim.control.addCustomer({ external_userid: `wm-${key}`, name, follow_user: [{ userid: staff.userId, remark: o.remark ?? '', state: '', tags: o.tagIds ?? [] }] });
      const r = await s.identities.upsert(corpId, { identities: [{ kind: 'wecom', externalUserId: `wm-${key}` }], phone: o.phone, profile: { name, lifecycle: o.lifecycle } });
      await s.follows.upsert(corpId, { contactId: r.contact.id, staff, remark: o.remark ?? '', tagIds: o.tagIds ?? [], addedAt: new Date(o.added) });
      // The driver, not the model: mongoose keeps createdAt immutable.
      await t.db.models.Contact.collection.updateOne({ _id: new Types.ObjectId(r.contact.id) }, { $set: { tagIds: o.tagIds ?? [], createdAt: new Date(o.added), remarks: o.remark ? [o.remark] : [] } });
      ids[key] = r.contact.id;
    };
    await wecom('lin', '林小姐', a2, { phone: '13900001111', tagIds: [tags.vip], lifecycle: 'customer', added: '2026-11-01T02:00:00Z' });
    await wecom('li', '李雷', a2, { phone: '13812345678', remark: '老客户李先生', lifecycle: 'friend', added: '2026-11-10T05:00:00Z' });
    await wecom('wang', '王芳', b1, { tagIds: [tags.vip], lifecycle: 'vip', added: '2026-11-20T02:00:00Z' });
    const oa = await s.identities.upsert(corpId, { identities: [{ kind: 'openid', appId: 'wxoa1', openid: 'o-zhang' }], profile: { name: '=张三' } });
    await t.db.models.Contact.collection.updateOne({ _id: new Types.ObjectId(oa.contact.id) }, { $set: { createdAt: new Date('2026-11-21T02:00:00Z') } });
    ids.zhang = oa.contact.id;
  });
  after(async () => h?.stop());

  const names = (res: { body: { items: Array<{ name: string }> } }) => res.body.items.map((c) => c.name).sort();
  const list = async (qs: string, token = h.org.tokens.hq) => {
    const res = await api.get(`/api/contacts?${qs}`, token);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return names(res);
  };

  it('filters by channel', async () => {
    expect(await list('channel=official_account')).to.deep.equal(['=张三']);
    expect(await list('channel=wecom')).to.deep.equal(['李雷', '林小姐', '王芳']);
    expect((await api.get('/api/contacts?channel=fax', h.org.tokens.hq)).status).to.equal(400);
  });

  it('filters by the day added, the end day included (Asia/Shanghai days)', async () => {
    expect(await list('addedFrom=2026-11-05&addedTo=2026-11-10')).to.deep.equal(['李雷']);
    expect(await list('addedFrom=2026-11-20')).to.deep.equal(['=张三', '王芳']);
    expect(await list('addedTo=2026-11-01')).to.deep.equal(['林小姐']);
    expect((await api.get('/api/contacts?addedFrom=yesterday', h.org.tokens.hq)).status).to.equal(400);
  });

  it('searches a name or remark prefix, a masked phone, its last four digits and a full number', async () => {
    expect(await list(`q=${encodeURIComponent('林')}`)).to.deep.equal(['林小姐']);
    expect(await list(`q=${encodeURIComponent('老客户')}`)).to.deep.equal(['李雷']);
    expect(await list('q=1111')).to.deep.equal(['林小姐']);
    expect(await list(`q=${encodeURIComponent('138****5678')}`)).to.deep.equal(['李雷']);
    expect(await list('q=13812345678')).to.deep.equal(['李雷']);
    expect(await list(`q=${encodeURIComponent('+86 139 0000 1111')}`)).to.deep.equal(['林小姐']);
    expect(await list(`q=${encodeURIComponent('小姐')}`), 'prefixes only: an index range, not a scan').to.deep.equal([]);
  });

  it('pages by page number and size (at most 100) and counts the filter', async () => {
    const p1 = await api.get('/api/contacts?limit=3&page=1', h.org.tokens.hq).expect(200);
    const p2 = await api.get('/api/contacts?limit=3&page=2', h.org.tokens.hq).expect(200);
    expect(p1.body.items.map((c: { name: string }) => c.name)).to.have.length(3);
    expect(p2.body.items.map((c: { id: string }) => c.id)).to.deep.equal([ids.lin]);
    expect(p2.body.page).to.equal(2);
    expect((await api.get('/api/contacts?limit=101', h.org.tokens.hq)).status).to.equal(400);
    expect((await api.get(`/api/contacts/count?tagsAny=${tags.vip}`, h.org.tokens.hq).expect(200)).body).to.deep.equal({ total: 2 });
    expect((await api.get('/api/contacts/count', h.org.tokens.hq).expect(200)).body).to.deep.equal({ total: 4 });
  });

  it('scopes a store manager to their store: list, count, export, and a store-B customer answers 404', async () => {
    expect(await list('', h.org.tokens.managerA)).to.deep.equal(['李雷', '林小姐']);
    expect((await api.get(`/api/contacts/count?tagsAny=${tags.vip}`, h.org.tokens.managerA).expect(200)).body).to.deep.equal({ total: 1 });
    expect((await api.get(`/api/contacts/${ids.wang}`, h.org.tokens.managerA)).status).to.equal(404);
    expect((await api.get(`/api/contacts/${ids.wang}`, h.org.tokens.hq)).status).to.equal(200);
    const csv = await api.get('/api/contacts/export.csv', h.org.tokens.managerA).expect(200);
    expect(csv.text).to.include('林小姐').and.not.include('王芳');
  });

  it('exports the filtered set as UTF-8 CSV with a BOM, phones masked unless an HQ admin asks for full numbers', async () => {
    const masked = await api.get(`/api/contacts/export.csv?tagsAny=${tags.vip}`, h.org.tokens.marketer).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(masked.status).to.equal(200);
    expect(masked.headers['content-type']).to.equal('text/csv; charset=utf-8');
    const bytes = masked.body as Buffer;
    expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).trim().split('\r\n');
    expect(lines).to.have.length(3);
    expect(lines[0]).to.match(/^客户ID id,姓名 name,手机 phone/);
    const lin = lines.find((l) => l.includes('林小姐'))!;
    expect(lin).to.include('139****1111').and.include('VIP').and.include('上海一店').and.include('企业微信').and.not.include('13900001111');
    expect((await api.get('/api/contacts/export.csv?phones=full', h.org.tokens.marketer)).status).to.equal(403);
    const full = await api.get(`/api/contacts/export.csv?q=${encodeURIComponent('林')}&phones=full`, h.org.tokens.hq).expect(200);
    expect(full.text).to.include('+8613900001111');
    const zhang = await api.get('/api/contacts/export.csv?channel=official_account', h.org.tokens.hq).expect(200);
    expect(zhang.text, 'a leading = is defused').to.include(",'=张三,").and.include('公众号');
    expect((await api.get('/api/contacts/export.csv', h.org.tokens.staffA)).status).to.equal(403);
    expect(csvField('a,"b"')).to.equal('"a,""b"""');
  });

  it('saves, lists and deletes saved filters (人群包) per corp', async () => {
    const created = await api.post('/api/contact-segments', { name: '上海 VIP', filter: { tagsAny: tags.vip, storeId: h.org.stores.a } }, h.org.tokens.marketer);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body.filter).to.deep.equal({ tagsAny: tags.vip, storeId: h.org.stores.a });
    expect((await api.post('/api/contact-segments', { name: '上海 VIP', filter: { lifecycle: 'vip' } }, h.org.tokens.hq)).status).to.equal(409);
    expect((await api.post('/api/contact-segments', { name: '空', filter: {} }, h.org.tokens.hq)).status).to.equal(400);
    expect((await api.post('/api/contact-segments', { name: '坏', filter: { nope: '1' } }, h.org.tokens.hq)).status).to.equal(400);
    const listed = await api.get('/api/contact-segments', h.org.tokens.managerA).expect(200);
    expect(listed.body.items.map((x: { name: string }) => x.name)).to.deep.equal(['上海 VIP']);
    expect((await api.get('/api/contact-segments', h.org.tokens.otherCorp).expect(200)).body.items).to.deep.equal([]);
    expect((await api.delete(`/api/contact-segments/${created.body.id}`, h.org.tokens.otherCorp)).status).to.equal(404);
    expect((await api.delete(`/api/contact-segments/${created.body.id}`, h.org.tokens.managerA)).status, 'not theirs').to.equal(404);
    const mine = await api.post('/api/contact-segments', { name: '店长的', filter: { lifecycle: 'vip' } }, h.org.tokens.managerA).expect(201);
    await api.delete(`/api/contact-segments/${mine.body.id}`, h.org.tokens.managerA).expect(204);
    await api.delete(`/api/contact-segments/${created.body.id}`, h.org.tokens.hq).expect(204);
    expect((await api.get('/api/contact-segments', h.org.tokens.hq).expect(200)).body.items).to.deep.equal([]);
  });

  it('bulk-tags a filter: a dry run counts, the real call needs the confirmed count, WeCom tags are mirrored with mark_tag', async () => {
    const body = { filter: { storeId: h.org.stores.a }, add: [tags.regular, tags.coffee] };
    const dry = await api.post('/api/contacts/bulk-tags', { ...body, dryRun: true }, h.org.tokens.marketer);
    expect(dry.status, JSON.stringify(dry.body)).to.equal(200);
    expect(dry.body).to.deep.equal({ dryRun: true, count: 2, bound: BULK_TAG_BOUND });
    expect((await t.db.models.Contact.findById(ids.lin).lean())!.tagIds).to.deep.equal([tags.vip]);
    const unconfirmed = await api.post('/api/contacts/bulk-tags', body, h.org.tokens.marketer);
    expect(unconfirmed.status).to.equal(400);
    const moved = await api.post('/api/contacts/bulk-tags', { ...body, confirmedCount: 9 }, h.org.tokens.marketer);
    expect(moved.status).to.equal(409);
    expect(moved.body.error.message).to.match(/^筛选结果已从确认时的 9 位变为 2 位/);
    h.sim.control.clearRequests();
    const done = await api.post('/api/contacts/bulk-tags', { ...body, confirmedCount: 2 }, h.org.tokens.marketer);
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    expect(done.body).to.deep.include({ dryRun: false, count: 2, changed: 2 });
    expect(done.body.mirror).to.include({ mirrored: 2, failed: 0, skipped: 0 });
    const calls = h.sim.control.requests('externalcontact/mark_tag').map((r) => r.body);
    expect(calls, 'local siyu_ tags stay local').to.have.deep.members([
      { userid: 'a2', external_userid: 'wm-lin', add_tag: [tags.regular] },
      { userid: 'a2', external_userid: 'wm-li', add_tag: [tags.regular] },
    ]);
    expect(h.sim.state.follower('a2', 'wm-lin')!.tag_ids).to.have.members([tags.vip, tags.regular]);
    expect((await t.db.models.Contact.findById(ids.lin).lean())!.tagIds).to.have.members([tags.vip, tags.regular, tags.coffee]);
    expect((await t.db.models.Contact.findById(ids.wang).lean())!.tagIds, 'store B untouched').to.deep.equal([tags.vip]);
    const events = await t.db.models.Event.find({ corpId: h.org.corpId, type: 'contact.tags_changed', 'payload.via': 'bulk' }).lean();
    expect(events.map((e) => e.contactId)).to.have.members([ids.lin, ids.li]);
    expect(events[0]!.payload).to.deep.include({ addedNames: ['普通', '咖啡'] });
  });

  it('untags within a store manager’s scope only, and reports a WeCom refusal without undoing the local change', async () => {
    const dry = await api.post('/api/contacts/bulk-tags', { filter: { tagsAny: tags.vip }, remove: [tags.vip], dryRun: true }, h.org.tokens.managerA).expect(200);
    expect(dry.body.count).to.equal(1);
    h.sim.control.injectErrors('externalcontact/mark_tag', 84061);
    const done = await api.post('/api/contacts/bulk-tags', { filter: { tagsAny: tags.vip }, remove: [tags.vip], confirmedCount: 1 }, h.org.tokens.managerA).expect(200);
    expect(done.body.mirror).to.include({ mirrored: 0, failed: 1 });
    expect(done.body.mirror.errors[0]).to.include({ contactId: ids.lin, errcode: 84061 });
    expect((await t.db.models.Contact.findById(ids.lin).lean())!.tagIds).to.not.include(tags.vip);
    expect((await t.db.models.Contact.findById(ids.wang).lean())!.tagIds).to.deep.equal([tags.vip]);
    expect((await api.post('/api/contacts/bulk-tags', { filter: {}, add: [tags.vip], dryRun: true }, h.org.tokens.staffA)).status).to.equal(403);
    expect((await api.post('/api/contacts/bulk-tags', { filter: {}, add: ['et-unknown'], dryRun: true }, h.org.tokens.hq)).status).to.equal(400);
  });

  it('refuses a selection over the bound with a zh-CN reason', async () => {
    const s = h.services;
    const deps = { contacts: s.contacts, follows: s.follows, tags: s.tags, events: s.events, clock: s.clock, wecomAdapter: async () => null, bound: 3 };
    const scope = { corpId: h.org.corpId, storeIds: null };
    const err = await bulkTag(deps, scope, {}, { add: [tags.coffee], remove: [], dryRun: false, confirmedCount: 4, by: 'spec' }).catch((e: Error) => e);
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).message).to.match(/^筛选命中 4 位客户，超过单次批量上限 3 位/);
    expect(await s.contacts.count(scope, { tagsAll: [tags.coffee] })).to.equal(2);
  });
});
