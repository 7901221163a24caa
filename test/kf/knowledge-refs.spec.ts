import { expect } from 'chai';
import { useTestDatabase } from '../support/database.ts';
import { http, seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';

describe('knowledge entries apply to the corp’s own stores and tags (/api/kf/knowledge)', () => {
  const t = useTestDatabase('kf_knowledge_refs');
  let org: TestOrg;
  let api: ReturnType<typeof http>;
  let services: ReturnType<typeof testServices>;
  let vip = '';
  let otherCorpTag = '';
  let otherCorpStore = '';

  before(async () => {
    services = testServices(t.db);
    org = await seedTestOrg(services);
    api = http(services);
    const group = await services.tags.createGroup(org.corpId, { name: '会员等级', tags: [{ name: 'VIP', tagId: 'etVIP0001' }, { name: '已删除', tagId: 'etGONE001' }] });
    vip = group.tags.find((x) => x.name === 'VIP')!.tagId;
    await services.tags.deleteTag(org.corpId, 'etGONE001', services.clock.now());
    otherCorpTag = (await services.tags.createGroup('wwothercorp', { name: '别家', tags: [{ name: '别家的标签', tagId: 'etOTHER01' }] })).tags[0]!.tagId;
    otherCorpStore = (await services.org.createStore({ corpId: 'wwothercorp', storeIds: null }, { code: 'OT01', name: '别家门店', city: '上海', region: '华东', timezone: 'Asia/Shanghai' })).id;
  });

  it('POST refuses store and tag ids the corp does not have, naming each in zh-CN, and writes nothing', async () => {
    const body = { question: '门店有停车位吗？', answer: { text: '地下车库 2 小时免费。' } };
    const res = await api.post('/api/kf/knowledge', { ...body, storeIds: [org.stores.a, otherCorpStore, 'nosuchstore'], tagIds: [vip, otherCorpTag, 'etGONE001'] }, org.tokens.hq).expect(400);
    const message: string = res.body.error.message;
    expect(message).to.include('门店不存在').and.include(otherCorpStore).and.include('nosuchstore').and.not.include(org.stores.a);
    expect(message).to.include('标签不存在').and.include(otherCorpTag).and.include('etGONE001').and.not.include(vip);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['storeIds', 'storeIds', 'tagIds', 'tagIds']);
    expect((await api.get('/api/kf/knowledge', org.tokens.hq).expect(200)).body.total, 'nothing written').to.equal(0);

    const ok = await api.post('/api/kf/knowledge', { ...body, storeIds: [org.stores.a], tagIds: [vip] }, org.tokens.hq).expect(201);
    expect(ok.body).to.deep.include({ storeIds: [org.stores.a], tagIds: [vip] });
  });

  it('PATCH refuses them too and keeps the entry as it was; a patch that leaves stores and tags alone is not checked', async () => {
    const scope = { corpId: org.corpId, storeIds: null };
    const popup = (await services.org.createStore(scope, { code: 'SH09', name: '上海快闪店', city: '上海', region: '华东', timezone: 'Asia/Shanghai' })).id;
    const entry = (await api.post('/api/kf/knowledge', { question: '可以带宠物吗？', answer: { text: '导盲犬可以。' }, storeIds: [popup] }, org.tokens.hq).expect(201)).body;
    const res = await api.patch(`/api/kf/knowledge/${entry.id}`, { storeIds: [org.stores.a, otherCorpStore] }, org.tokens.hq).expect(400);
    expect(res.body.error.message).to.include(`门店不存在：${otherCorpStore}`);
    const tagRes = await api.patch(`/api/kf/knowledge/${entry.id}`, { tagIds: ['etNOPE'] }, org.tokens.hq).expect(400);
    expect(tagRes.body.error.message).to.include('标签不存在：etNOPE');
    const read = (await api.get(`/api/kf/knowledge/${entry.id}`, org.tokens.hq).expect(200)).body;
    expect(read).to.deep.include({ version: 1, storeIds: [popup], tagIds: [] });

    // The store is closed (deleted) later: editing the answer alone still works.
    await services.org.deleteStore(scope, popup);
    const edited = await api.patch(`/api/kf/knowledge/${entry.id}`, { answer: { text: '导盲犬和小型犬可以。' } }, org.tokens.hq).expect(200);
    expect(edited.body).to.deep.include({ version: 2, storeIds: [popup] });
  });
});
