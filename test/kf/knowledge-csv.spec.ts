import { expect } from 'chai';
import iconv from 'iconv-lite';
import { readKnowledgeCsv, writeKnowledgeCsv } from '../../server/kf/knowledge-csv.ts';
import type { KnowledgeDto } from '../../server/kf/knowledge.repository.ts';
import { useTestDatabase } from '../support/database.ts';
import { http, seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';

const A = '订单详情 → 申请退货，7 天内可退。';
const B = '7 天无理由退货：快递员上门取件 | 运费我们出。';

const read = (text: string) => readKnowledgeCsv(Buffer.from(text, 'utf8'));
const entry = (over: Partial<KnowledgeDto>): KnowledgeDto => ({
  id: '0'.repeat(24), question: '怎么退货？', similar: ['买错了能退吗'], answer: { text: '订单详情里申请退货。', attachments: [] }, category: '售后',
  storeIds: [], tagIds: [], variants: [], enabled: true, version: 1, createdAt: new Date(0), updatedAt: new Date(0), ...over,
});

describe('knowledge CSV: answer variants in the 变体 column', () => {
  it('reads A=…|B=… (also line breaks and full-width ＝ ｜), keeping a "|" inside an answer', () => {
    const [row] = read(`标准问题,答案,变体\n怎么退货？,订单详情里申请退货。,"A=${A}|B=${B}"\n`);
    expect(row).to.deep.equal({ line: 2, input: { question: '怎么退货？', answer: { text: '订单详情里申请退货。' }, variants: [{ key: 'A', answer: A }, { key: 'B', answer: B }] } });
    const [broken] = read('问题,答案,variants\n能退吗,能,"a = 能退\nb＝七天内能退｜c=可以"\n');
    expect(broken && 'input' in broken && broken.input.variants).to.deep.equal([{ key: 'a', answer: '能退' }, { key: 'b', answer: '七天内能退' }, { key: 'c', answer: '可以' }]);
  });

  it('leaves variants alone without the column and clears them with an empty cell', () => {
    const [without] = read('标准问题,答案\n怎么退货？,申请退货\n');
    expect(without && 'input' in without && 'variants' in without.input).to.equal(false);
    const [empty] = read('标准问题,答案,变体\n怎么退货？,申请退货,\n');
    expect(empty && 'input' in empty && empty.input.variants).to.deep.equal([]);
  });

  it('refuses a bad 变体 cell with its line and the reason in zh-CN first', () => {
    const rows = read([
      '标准问题,答案,变体',
      '一个变体,答案,A=只有一个',
      '重复标识,答案,A=一|a=二',
      '没写标识,答案,随便写写',
      '空答案,答案,A=一|B=',
      `太多,答案,${['A', 'B', 'C', 'D', 'E', 'F'].map((k) => `${k}=答案${k}`).join('|')}`,
      `太长,答案,A=一|B=${'长'.repeat(2001)}`,
      '好的,答案,A=一|B=二',
    ].join('\n'));
    expect(rows.map((r) => ('error' in r ? r.error : 'ok'))).to.deep.equal([
      '第 2 行：至少 2 个变体才能做 A/B 测试（或不填） Line 2: give at least 2 variants, or none',
      '第 3 行：变体标识不能重复 Line 3: variant keys must be distinct',
      '第 4 行：「变体」要写成 A=答案|B=答案，标识只能是 1–16 个字母、数字、_ 或 - Line 4: variants are written A=answer|B=answer, keys of 1–16 letters, digits, _ or -',
      '第 5 行：变体 B 的答案为空 Line 5: variant B has no answer',
      '第 6 行：最多 5 个变体 Line 6: at most 5 variants',
      '第 7 行：变体 B 的答案超过 2000 字 Line 7: variant B is longer than 2000',
      'ok',
    ]);
  });

  it('writes the 变体 column that reads back to the same variants', () => {
    const bytes = writeKnowledgeCsv([entry({ variants: [{ key: 'A', answer: A }, { key: 'B', answer: B }] }), entry({ question: '没有变体' })]);
    const text = bytes.toString('utf8');
    expect(text.split('\r\n')[0]).to.equal('\uFEFF标准问题,相似问题,答案,分类,启用,变体');
    expect(text).to.contain(`怎么退货？,买错了能退吗,订单详情里申请退货。,售后,是,A=${A}|B=${B}\r\n`);
    const rows = readKnowledgeCsv(bytes);
    expect(rows.map((r) => 'input' in r && r.input.variants)).to.deep.equal([[{ key: 'A', answer: A }, { key: 'B', answer: B }], []]);
  });
});

describe('knowledge CSV import with variants (/api/kf/knowledge/import)', () => {
  const t = useTestDatabase('kf_knowledge_csv_variants');
  let org: TestOrg;
  let api: ReturnType<typeof http>;
  let services: ReturnType<typeof testServices>;
  const csv = (text: string) => api.raw().post('/api/kf/knowledge/import').set('Authorization', `Bearer ${org.tokens.hq}`).set('Content-Type', 'text/csv').send(iconv.encode(text, 'gbk'));

  before(async () => {
    services = testServices(t.db);
    org = await seedTestOrg(services);
    api = http(services);
  });

  it('creates an entry with variants whose A/B test runs, reports a bad row, and stops the test when the cell is emptied', async () => {
    const res = await csv(`标准问题,答案,变体\r\n怎么退货？,订单详情里申请退货。,"A=${A}|B=${B}"\r\n坏的,答案,A=只有一个\r\n`).expect(200);
    expect(res.body).to.deep.equal({ created: 1, updated: 0, unchanged: 0, errors: [{ line: 3, message: '第 3 行：至少 2 个变体才能做 A/B 测试（或不填） Line 3: give at least 2 variants, or none' }] });
    const [created] = (await api.get('/api/kf/knowledge', org.tokens.hq).expect(200)).body.items;
    expect(created.variants).to.deep.equal([{ key: 'A', answer: A }, { key: 'B', answer: B }]);
    const experiment = await services.experiments.get(org.corpId, `kf-knowledge-${created.id}`);
    expect(experiment).to.include({ name: '知识库：怎么退货？', status: 'running' });

    const exported = await api.raw().get('/api/kf/knowledge/export').set('Authorization', `Bearer ${org.tokens.hq}`).expect(200);
    expect(exported.text).to.contain(`A=${A}|B=${B}`);

    const cleared = await csv('标准问题,答案,变体\r\n怎么退货？,订单详情里申请退货。,\r\n').expect(200);
    expect(cleared.body).to.deep.include({ updated: 1 });
    expect((await api.get(`/api/kf/knowledge/${created.id}`, org.tokens.hq).expect(200)).body).to.include({ version: 2 }).and.deep.include({ variants: [] });
    expect((await services.experiments.get(org.corpId, `kf-knowledge-${created.id}`)).status).to.equal('stopped');
  });
});
