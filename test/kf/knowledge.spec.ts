import { expect } from 'chai';
import iconv from 'iconv-lite';
import { useTestDatabase } from '../support/database.ts';
import { http, seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';

describe('knowledge base API (/api/kf/knowledge)', () => {
  const t = useTestDatabase('kf_knowledge_http');
  let org: TestOrg;
  let api: ReturnType<typeof http>;
  let services: ReturnType<typeof testServices>;

  const create = (body: object, token = org.tokens.hq) => api.post('/api/kf/knowledge', body, token);
  const match = (text: string, token = org.tokens.staffA) => api.post('/api/kf/knowledge/match', { text }, token).expect(200);
  const csv = (body: Buffer | string, query = '') => api.raw().post(`/api/kf/knowledge/import${query}`).set('Authorization', `Bearer ${org.tokens.marketer}`).set('Content-Type', 'text/csv').send(Buffer.from(body));

  before(async () => {
    services = testServices(t.db);
    org = await seedTestOrg(services);
    api = http(services);
    await create({ question: '鲜奶保质期多久？', similar: ['鲜奶能放几天', '牛奶开封后多久要喝完'], answer: { text: '冷藏保质期 7 天。' }, category: '产品' }).expect(201);
    await create({ question: '门店几点开门？', similar: ['营业时间是几点', '晚上几点关门'], answer: { text: '每天 7:00–22:00。' }, category: '门店' }).expect(201);
    await create({ question: '怎么开发票？', similar: ['电子发票怎么开'], answer: { text: '订单详情里申请开票。' }, category: '支付' }).expect(201);
  });

  it('creates an entry at version 1 and reads it back; store staff read, they do not write', async () => {
    const res = await create({ question: '积分怎么用？', similar: ['积分能换什么', '积分能换什么', '积分怎么用？'], answer: { text: '100 分抵 1 元。', attachments: [{ type: 'link', url: 'https://example.com/points', title: '积分规则' }] } }).expect(201);
    expect(res.body).to.include({ question: '积分怎么用？', version: 1, enabled: true, category: '' });
    expect(res.body.similar, 'paraphrases de-duplicated, never the question itself').to.deep.equal(['积分能换什么']);
    const read = await api.get(`/api/kf/knowledge/${res.body.id}`, org.tokens.staffA).expect(200);
    expect(read.body.answer.attachments).to.deep.equal([{ type: 'link', url: 'https://example.com/points', title: '积分规则' }]);
    await create({ question: '员工写的', answer: { text: 'x' } }, org.tokens.staffA).expect(403);
    await create({ question: '积分怎么用？', answer: { text: '重复' } }).expect(409);
    await create({ question: '图片没有素材', answer: { text: 'x', attachments: [{ type: 'image' }] } }).expect(400);
  });

  it('answers a paraphrased question, suggests or hands over the rest, and always hands over a complaint', async () => {
    const answered = await match('请问 鲜奶能放几天呀？？😂');
    expect(answered.body.decision).to.equal('answer');
    expect(answered.body.candidates[0]).to.include({ question: '鲜奶保质期多久？' });
    expect(answered.body.candidates[0].score).to.be.within(0, 1);
    expect((await match('你们招聘配送员吗')).body.decision).to.equal('handover');
    const complaint = await match('鲜奶保质期才几天，我要投诉');
    expect(complaint.body.decision).to.equal('handover');
    expect(complaint.body.candidates[0].question, 'candidates still shown to the agent').to.equal('鲜奶保质期多久？');
  });

  it('keeps what an old version said when an edit makes a new one, and matches the new text at once', async () => {
    const { body: entry } = await create({ question: '可以自提吗？', answer: { text: '可以，到店自提。' } }).expect(201);
    expect((await match('能到店自提吗')).body.candidates[0]).to.include({ entryId: entry.id, version: 1 });
    const patched = await api.patch(`/api/kf/knowledge/${entry.id}`, { answer: { text: '可以，下单选到店自提，凭取货码取。' }, similar: ['线上下单去门店拿'] }, org.tokens.marketer).expect(200);
    expect(patched.body.version).to.equal(2);
    const v1 = await api.get(`/api/kf/knowledge/${entry.id}/versions/1`, org.tokens.staffA).expect(200);
    expect(v1.body.answer.text).to.equal('可以，到店自提。');
    expect((await api.get(`/api/kf/knowledge/${entry.id}/versions/2`, org.tokens.hq).expect(200)).body.similar).to.deep.equal(['线上下单去门店拿']);
    const after = await match('线上下单去门店拿可以吗');
    expect(after.body.candidates[0]).to.include({ entryId: entry.id, version: 2 });
    const same = await api.patch(`/api/kf/knowledge/${entry.id}`, { category: '' }, org.tokens.hq).expect(200);
    expect(same.body.version, 'nothing changed, no new version').to.equal(2);
  });

  it('disables entries in bulk (they stop matching, no new version), deletes softly, and keeps old versions readable', async () => {
    const { body: e } = await create({ question: '有停车位吗？', similar: ['开车去好停车吗'], answer: { text: '商场停车场，满 50 免 1 小时。' } }).expect(201);
    expect((await match('开车去有地方停车吗')).body.candidates[0]?.entryId).to.equal(e.id);
    const bulk = await api.post('/api/kf/knowledge/bulk', { action: 'disable', ids: [e.id] }, org.tokens.hq).expect(200);
    expect(bulk.body).to.deep.equal({ matched: 1, modified: 1 });
    expect((await match('开车去有地方停车吗')).body.candidates.map((c: { entryId: string }) => c.entryId)).to.not.include(e.id);
    expect((await api.get(`/api/kf/knowledge/${e.id}`, org.tokens.hq).expect(200)).body).to.include({ enabled: false, version: 1 });
    await api.post('/api/kf/knowledge/bulk', { action: 'enable', ids: [e.id] }, org.tokens.hq).expect(200);
    await api.delete(`/api/kf/knowledge/${e.id}`, org.tokens.hq).expect(204);
    await api.get(`/api/kf/knowledge/${e.id}`, org.tokens.hq).expect(404);
    await api.get(`/api/kf/knowledge/${e.id}/versions/1`, org.tokens.hq).expect(200);
    expect(await t.db.models.KnowledgeEntry.countDocuments({ _id: e.id }), 'the row stays').to.equal(1);
  });

  it('lists entries paged, filtered by category, enabled and text, and never another corp’s', async () => {
    const page = await api.get('/api/kf/knowledge?category=%E4%BA%A7%E5%93%81&pageSize=10', org.tokens.staffA).expect(200);
    expect(page.body.items.map((e: { question: string }) => e.question)).to.deep.equal(['鲜奶保质期多久？']);
    expect(page.body).to.include({ total: 1, page: 1, pageSize: 10 });
    const found = await api.get(`/api/kf/knowledge?search=${encodeURIComponent('营业时间')}`, org.tokens.hq).expect(200);
    expect(found.body.items.map((e: { question: string }) => e.question)).to.deep.equal(['门店几点开门？']);
    const paged = await api.get('/api/kf/knowledge?pageSize=2&page=2&enabled=true', org.tokens.hq).expect(200);
    expect(paged.body.items).to.have.length(2);
    const other = await api.get('/api/kf/knowledge', org.tokens.otherCorp).expect(200);
    expect(other.body.total).to.equal(0);
    expect((await api.post('/api/kf/knowledge/match', { text: '鲜奶能放几天' }, org.tokens.otherCorp).expect(200)).body).to.deep.equal({ decision: 'handover', candidates: [] });
  });

  it('reads and replaces the corp’s settings; a raised answer threshold turns an answer into a suggestion', async () => {
    const defaults = await api.get('/api/kf/settings', org.tokens.staffA).expect(200);
    expect(defaults.body.handoverKeywords).to.include.members(['投诉', '人工', '退款']);
    const put = { ...defaults.body, answerThreshold: 0.99, handoverKeywords: ['投诉', '经理'], synonyms: [['营业时间', '开门', '关门']] };
    await api.raw().put('/api/kf/settings').set('Authorization', `Bearer ${org.tokens.staffA}`).send(put).expect(403);
    const bad = await api.raw().put('/api/kf/settings').set('Authorization', `Bearer ${org.tokens.hq}`).send({ ...put, suggestThreshold: 0.995 }).expect(400);
    expect(bad.body.error.details[0].path).to.equal('body.suggestThreshold');
    await api.raw().put('/api/kf/settings').set('Authorization', `Bearer ${org.tokens.hq}`).send(put).expect(200);
    expect((await match('鲜奶能放几天')).body.decision).to.equal('suggest');
    expect((await match('找你们经理')).body.decision).to.equal('handover');
    await api.raw().put('/api/kf/settings').set('Authorization', `Bearer ${org.tokens.hq}`).send(defaults.body).expect(200);
    expect((await match('鲜奶能放几天')).body.decision).to.equal('answer');
  });

  it('imports a GBK CSV through the same checks, with per-row errors in zh-CN, updating known questions', async () => {
    const file = [
      '标准问题,相似问题,答案,分类,启用',
      '会员日是哪天？,周三有什么活动|会员日优惠,每周三会员日，鲜奶第二件半价。,会员,是',
      ',没有问题,有答案,会员,是',
      '没有答案,,,会员,是',
      '"怎么开发票？",电子发票怎么开,"订单详情里申请开票，1 个工作日内发到邮箱。",支付,是',
      '门店几点开门？,营业时间是几点|晚上几点关门,每天 7:00–22:00。,门店,是',
      '状态乱填,,答案,其他,也许',
    ].join('\r\n');
    const res = await csv(iconv.encode(file, 'gbk')).expect(200);
    expect(res.body).to.deep.include({ created: 1, updated: 1, unchanged: 1 });
    expect(res.body.errors).to.deep.equal([
      { line: 3, message: '第 3 行：缺少标准问题 Line 3: the question is empty' },
      { line: 4, message: '第 4 行：缺少答案 Line 4: the answer is empty' },
      { line: 7, message: '第 7 行：「启用」只能填 是 或 否 Line 7: enabled must be 是 or 否' },
    ]);
    const invoice = (await api.get(`/api/kf/knowledge?search=${encodeURIComponent('怎么开发票')}`, org.tokens.hq).expect(200)).body.items[0];
    expect(invoice).to.include({ version: 2 });
    expect(invoice.answer.text).to.equal('订单详情里申请开票，1 个工作日内发到邮箱。');
    expect((await match('周三会员日有啥优惠')).body.candidates[0].question).to.equal('会员日是哪天？');
    await csv('问题,说明\n一,二\n').expect(400);
    const bare = await csv('问题,答案\n门店几点开门？,每天 7:00–22:00，节假日照常。\n').expect(200);
    expect(bare.body).to.deep.include({ updated: 1, errors: [] });
    const hours = (await api.get(`/api/kf/knowledge?search=${encodeURIComponent('门店几点开门')}`, org.tokens.hq).expect(200)).body.items[0];
    expect(hours, 'columns the file lacks are left alone').to.deep.include({ category: '门店', similar: ['营业时间是几点', '晚上几点关门'], enabled: true });
    await api.raw().post('/api/kf/knowledge/import').set('Authorization', `Bearer ${org.tokens.staffA}`).set('Content-Type', 'text/csv').send('x').expect(403);
  });

  it('exports a UTF-8 CSV with BOM that imports back unchanged', async () => {
    const res = await api.raw().get('/api/kf/knowledge/export').set('Authorization', `Bearer ${org.tokens.hq}`).buffer(true).parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(res.headers['content-type']).to.match(/^text\/csv/);
    const bytes = res.body as Buffer;
    expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text).to.contain('标准问题,相似问题,答案,分类,启用');
    expect(text).to.contain('鲜奶保质期多久？,鲜奶能放几天|牛奶开封后多久要喝完,冷藏保质期 7 天。,产品,是');
    const live = (await api.get('/api/kf/knowledge?pageSize=200', org.tokens.hq).expect(200)).body.total;
    const again = await csv(bytes).expect(200);
    expect(again.body).to.deep.equal({ created: 0, updated: 0, unchanged: live, errors: [] });
  });
});
