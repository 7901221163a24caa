import { expect } from 'chai';
import { segmentRouter } from '../../server/http/segment-router.ts';
import { useTestDatabase } from '../support/database.ts';
import { http, seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';

describe('request validation and error rendering', () => {
  const t = useTestDatabase('validation');
  let org: TestOrg;
  let api: ReturnType<typeof http>;

  before(async () => {
    const s = testServices(t.db, { bodyLimitBytes: 2048 });
    org = await seedTestOrg(s);
    api = http(s);
  });

  const expectError = (body: { error: { code: string; message: string; details: unknown } }, code: string) => {
    expect(body).to.have.keys('error');
    expect(body.error).to.have.keys('code', 'message', 'details');
    expect(body.error.code).to.equal(code);
  };

  it('answers malformed JSON with 400 malformed_json', async () => {
    const res = await api.raw().post('/api/stores').set('Authorization', `Bearer ${org.tokens.hq}`).set('Content-Type', 'application/json').send('{"code": ').expect(400);
    expectError(res.body, 'malformed_json');
  });

  it('rejects unknown fields in bodies and query strings', async () => {
    const body = await api.post('/api/stores', { code: 'S9', name: 'n', city: 'c', region: 'r', color: 'red' }, org.tokens.hq).expect(400);
    expectError(body.body, 'validation_failed');
    expect(body.body.error.details).to.deep.equal([{ path: 'body', message: '未知字段：color Unknown field(s): color' }]);
    const query = await api.get('/api/contacts?colour=red', org.tokens.hq).expect(400);
    expect(query.body.error.details[0].message).to.match(/colour/);
  });

  it('words every zod issue zh-CN first, then English', async () => {
    const res = await api.post('/api/stores', { code: 'S8', name: 'n', city: 'c', region: 7 }, org.tokens.hq).expect(400);
    expectError(res.body, 'validation_failed');
    const detail = res.body.error.details.find((d: { path: string }) => d.path === 'body.region');
    expect(detail.message).to.match(/^[^A-Za-z]*[\u4e00-\u9fa5].* Invalid input: expected string, received number$/);
  });

  it('names each invalid field with its path', async () => {
    const res = await api.post('/api/stores', { code: 'has space', name: '', city: 'c', region: 'r', timezone: 'Mars/Base' }, org.tokens.hq).expect(400);
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).to.have.members(['body.code', 'body.name', 'body.timezone']);
  });

  it('checks path ids, query enums, limits and cursors', async () => {
    expectError((await api.get('/api/contacts/not-an-id', org.tokens.hq).expect(400)).body, 'validation_failed');
    expectError((await api.get('/api/contacts?lifecycle=friend,alien', org.tokens.hq).expect(400)).body, 'validation_failed');
    expectError((await api.get('/api/contacts?limit=5000', org.tokens.hq).expect(400)).body, 'validation_failed');
    expectError((await api.get('/api/contacts?cursor=garbage', org.tokens.hq).expect(400)).body, 'bad_request');
    expectError((await api.get('/api/contacts?identity=wecom', org.tokens.hq).expect(400)).body, 'bad_request');
    expectError((await api.get('/api/contacts/0123456789abcdef01234567', org.tokens.hq).expect(404)).body, 'not_found');
  });

  it('refuses a body over the limit with 413 and stores nothing', async () => {
    const before = await t.db.models.Store.countDocuments({});
    const res = await api.post('/api/stores', { code: 'BIG', name: 'x'.repeat(5000), city: 'c', region: 'r' }, org.tokens.hq).expect(413);
    expectError(res.body, 'payload_too_large');
    expect(await t.db.models.Store.countDocuments({})).to.equal(before);
  });

  it('refuses a body that is not JSON with 415', async () => {
    const res = await api.raw().post('/api/stores').set('Authorization', `Bearer ${org.tokens.hq}`).set('Content-Type', 'text/plain').send('code=1').expect(415);
    expectError(res.body, 'unsupported_media_type');
  });

  it('answers conflicts with 409 and keeps the stored row', async () => {
    await api.post('/api/stores', { code: 'DUP', name: '原店', city: 'c', region: 'r' }, org.tokens.hq).expect(201);
    const res = await api.post('/api/stores', { code: 'DUP', name: '新店', city: 'c', region: 'r' }, org.tokens.hq).expect(409);
    expectError(res.body, 'conflict');
    const kept = await t.db.models.Store.findOne({ code: 'DUP' }).lean();
    expect(kept!.name).to.equal('原店');
  });

  it('refuses to close a store that still has active staff', async () => {
    const res = await api.delete(`/api/stores/${org.stores.a}`, org.tokens.hq).expect(409);
    expect(res.body.error.message).to.match(/active staff/);
  });

  it('refuses unknown tags and empty tag changes', async () => {
    const s = testServices(t.db);
    const c = await s.identities.upsert(org.corpId, { identities: [{ kind: 'wecom', externalUserId: 'wm-v' }] });
    const unknown = await api.post(`/api/contacts/${c.contact.id}/tags`, { add: ['nope'] }, org.tokens.hq).expect(400);
    expect(unknown.body.error.message).to.match(/^标签不存在：nope Unknown tag ids: nope$/);
    await api.post(`/api/contacts/${c.contact.id}/tags`, {}, org.tokens.hq).expect(400);
  });

  it('renders unknown routes and wrong methods as JSON errors', async () => {
    expectError((await api.get('/api/nothing-here', org.tokens.hq).expect(404)).body, 'not_found');
    const res = await api.raw().put('/api/stores').expect(405);
    expectError(res.body, 'method_not_allowed');
    // Routes are split by first path segment: an unknown segment, a bare `/` and a wrong method in another
    // segment answer as before, and matching stays case-insensitive with an optional trailing slash.
    expectError((await api.raw().get('/nowhere/at/all').expect(404)).body, 'not_found');
    expectError((await api.raw().get('/').expect(404)).body, 'not_found');
    expectError((await api.raw().delete('/callbacks/wecom').expect(405)).body, 'method_not_allowed');
    await api.raw().get('/HEALTHZ/').expect(200);
  });

  it('refuses to mount a route whose first path segment is not literal', () => {
    const route = { method: 'get', path: '/:tenant/contacts', tag: 't', summary: 's', roles: 'public', handler: async () => undefined } as const;
    expect(() => segmentRouter([route as never], () => undefined)).to.throw(/first path segment must be literal/);
  });

  it('echoes a sane X-Request-Id and makes one up otherwise', async () => {
    const res = await api.raw().get('/healthz').set('X-Request-Id', 'req-123').expect(200);
    expect(res.headers['x-request-id']).to.equal('req-123');
    const other = await api.raw().get('/healthz').set('X-Request-Id', 'bad id with spaces').expect(200);
    expect(other.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
  });
});
