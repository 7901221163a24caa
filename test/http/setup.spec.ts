import { expect } from 'chai';
import type { SetupResult } from '../../server/setup/setup.service.ts';
import { useTestDatabase } from '../support/database.ts';
import { ADMIN_TOKEN, http, testServices } from '../support/test-app.ts';

type ErrorBody = { error: { code: string; message: string; details: unknown } };

describe('POST /api/setup (first run for the bootstrap admin)', () => {
  const t = useTestDatabase('setup_http');
  let api: ReturnType<typeof http>;
  const body = {
    corp: { corpId: 'wwapisetup01', name: '接口乳业', timezone: 'Asia/Shanghai' },
    stores: [
      { code: 'HZ01', name: '杭州一店', city: '杭州', region: '华东' },
      { code: 'NJ01', name: '南京一店', city: '南京', region: '华东', timezone: 'Asia/Shanghai' },
    ],
  };
  let hq = '';

  before(() => {
    api = http(testServices(t.db));
  });

  it('an empty database has no corp: the bootstrap admin cannot create a store yet', async () => {
    const res = await api.post('/api/stores', { code: 'X1', name: 'x', city: 'c', region: 'r' }, ADMIN_TOKEN).expect(404);
    expect((res.body as ErrorBody).error.message).to.match(/corp/);
  });

  it('creates the corp, its stores and an HQ token (201); the token creates stores', async () => {
    const res = await api.post('/api/setup', body, ADMIN_TOKEN).expect(201);
    const result = res.body as SetupResult;
    expect(result.changed).to.equal(true);
    expect(result.corp).to.deep.equal({ corpId: 'wwapisetup01', name: '接口乳业', timezone: 'Asia/Shanghai', status: 'created' });
    expect(result.stores.map((s) => [s.code, s.status])).to.deep.equal([['HZ01', 'created'], ['NJ01', 'created']]);
    expect(result.accounts).to.deep.equal([]);
    hq = (result.hqToken as { token: string }).token;
    expect(hq).to.match(/^siyu_/);
    const store = await api.post('/api/stores', { code: 'SZ01', name: '苏州一店', city: '苏州', region: '华东' }, hq).expect(201);
    expect(store.body).to.include({ corpId: 'wwapisetup01' });
  });

  it('a second call changes nothing (200) and shows no token', async () => {
    const tokensBefore = await t.db.models.Token.countDocuments({});
    const res = await api.post('/api/setup', body, ADMIN_TOKEN).expect(200);
    const result = res.body as SetupResult;
    expect(result.changed).to.equal(false);
    expect(result.corp.status).to.equal('exists');
    expect(result.stores.map((s) => s.status)).to.deep.equal(['exists', 'exists']);
    expect(result.hqToken).to.deep.equal({ status: 'exists' });
    expect(JSON.stringify(res.body)).to.not.match(/siyu_[0-9a-f]{48}/);
    expect(await t.db.models.Token.countDocuments({})).to.equal(tokensBefore);
    const again = await api.post('/api/setup', { ...body, newToken: true }, ADMIN_TOKEN).expect(201);
    expect((again.body as SetupResult).hqToken.status).to.equal('issued');
  });

  it('answers 403 to every token but the bootstrap admin, and 401 without one', async () => {
    const res = await api.post('/api/setup', body, hq).expect(403);
    expect((res.body as ErrorBody).error.code).to.equal('forbidden');
    expect((res.body as ErrorBody).error.message).to.match(/^只有引导管理员/);
    await api.post('/api/setup', { ...body, corp: { corpId: 'wwintruder', name: '外人' } }, hq).expect(403);
    await api.post('/api/setup', body).expect(401);
    expect(await t.db.models.Corp.countDocuments({ corpId: 'wwintruder' })).to.equal(0);
  });

  it('validates the body: a new corp needs a name, store codes are unique, closed store codes are refused', async () => {
    const noName = await api.post('/api/setup', { corp: { corpId: 'wwnoname' } }, ADMIN_TOKEN).expect(400);
    expect((noName.body as ErrorBody).error.message).to.match(/需要名称/);
    await api.post('/api/setup', { ...body, stores: [body.stores[0], body.stores[0]] }, ADMIN_TOKEN).expect(400);
    await api.post('/api/setup', { ...body, extra: 1 }, ADMIN_TOKEN).expect(400);
    const sz = await t.db.models.Store.findOne({ code: 'SZ01' }).lean();
    await api.delete(`/api/stores/${String(sz!._id)}`, hq).expect(204);
    const closed = await api.post('/api/setup', { corp: body.corp, stores: [{ code: 'SZ01', name: '苏州', city: '苏州', region: '华东' }, { code: 'WX01', name: '无锡', city: '无锡', region: '华东' }] }, ADMIN_TOKEN).expect(409);
    expect((closed.body as ErrorBody).error.message).to.include('SZ01');
    expect(await t.db.models.Store.countDocuments({ code: 'WX01' }), 'nothing half done').to.equal(0);
    expect(await t.db.models.Corp.countDocuments({ corpId: 'wwnoname' })).to.equal(0);
  });

  it('is declared in the OpenAPI document', async () => {
    const doc = (await api.raw().get('/openapi.json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    expect(doc.paths['/api/setup']).to.have.property('post');
  });
});
