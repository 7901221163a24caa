import { expect } from 'chai';
import { startWecomSimulator, SIM_AGENT_ID, SIM_CORP_ID, SIM_SECRET, type WecomSimulator } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { useTestDatabase } from '../support/database.ts';
import { http, seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';

describe('/api/channel-accounts', () => {
  const t = useTestDatabase('channel_accounts');
  let sim: WecomSimulator;
  let org: TestOrg;
  let api: ReturnType<typeof http>;
  const config = () => ({ corpId: SIM_CORP_ID, secret: SIM_SECRET, token: 'tok123', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', apiBase: sim.baseUrl });

  before(async () => {
    sim = await startWecomSimulator();
    const s = testServices(t.db, { realClock: true });
    org = await seedTestOrg(s, SIM_CORP_ID);
    api = http(s);
  });
  after(async () => sim.stop());

  it('refuses a config the adapter schema rejects, naming each field', async () => {
    const res = await api.post('/api/channel-accounts', { kind: 'wecom', name: '坏配置', config: { corpId: SIM_CORP_ID, encodingAESKey: 'short' } }, org.tokens.hq).expect(400);
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).to.include.members(['body.config.secret', 'body.config.token', 'body.config.encodingAESKey']);
  });

  it('creates an account, never shows its secrets, and gives its callback path', async () => {
    const res = await api.post('/api/channel-accounts', { kind: 'wecom', name: '华东企业微信', config: config() }, org.tokens.hq).expect(201);
    expect(res.body.config).to.deep.include({ corpId: SIM_CORP_ID, secret: '******', token: '******', encodingAESKey: '******' });
    expect(res.body.callbackPath).to.equal(`/callbacks/wecom/${res.body.id}`);
    const list = await api.get('/api/channel-accounts', org.tokens.hq).expect(200);
    expect(JSON.stringify(list.body)).not.to.include(SIM_SECRET);
    await api.get('/api/channel-accounts', org.tokens.staffA).expect(403);
  });

  it('checks credentials against the vendor: ok, then 40001 for a wrong secret', async () => {
    const good = await api.post('/api/channel-accounts', { kind: 'wecom', name: '好', config: config() }, org.tokens.hq).expect(201);
    expect((await api.post(`/api/channel-accounts/${good.body.id}/check`, undefined, org.tokens.hq).expect(200)).body).to.deep.equal({ ok: true });
    const bad = await api.post('/api/channel-accounts', { kind: 'wecom', name: '错', config: { ...config(), secret: 'wrong-secret' } }, org.tokens.hq).expect(201);
    const check = await api.post(`/api/channel-accounts/${bad.body.id}/check`, undefined, org.tokens.hq).expect(200);
    expect(check.body).to.include({ ok: false, errcode: 40001 });
  });

  it('checks the agentId too: the corp’s app passes, a mistyped one answers 40056 before any 09:00 card is lost', async () => {
    const good = await api.post('/api/channel-accounts', { kind: 'wecom', name: '应用对', config: { ...config(), agentId: String(SIM_AGENT_ID) } }, org.tokens.hq).expect(201);
    expect((await api.post(`/api/channel-accounts/${good.body.id}/check`, undefined, org.tokens.hq).expect(200)).body).to.deep.equal({ ok: true });
    const bad = await api.post('/api/channel-accounts', { kind: 'wecom', name: '应用错', config: { ...config(), agentId: '1000099' } }, org.tokens.hq).expect(201);
    const check = await api.post(`/api/channel-accounts/${bad.body.id}/check`, undefined, org.tokens.hq).expect(200);
    expect(check.body).to.include({ ok: false, errcode: 40056 });
    expect(check.body.message).to.match(/^agent\/get: /);
  });
});

describe('adapters/registry', () => {
  it('validates and builds every channel kind, and names the fields of a bad config', async () => {
    const { accountConfigIssues, createAdapter } = await import('../../adapters/registry.ts');
    const wechaty = { botId: 'bot-1', puppet: 'wechaty-puppet-service', puppetToken: 'puppet_workpro_x' };
    expect(accountConfigIssues('wechaty', wechaty)).to.deep.equal([]);
    expect(createAdapter({ id: 'a', corpId: 'ww', kind: 'wechaty', config: wechaty }).kind).to.equal('wechaty');
    expect(accountConfigIssues('wechaty', { botId: 'has:colon', puppet: 'not-a-puppet' }).map((i) => i.path)).to.have.members(['botId', 'puppet']);
    expect(() => createAdapter({ id: 'a', corpId: 'ww', kind: 'official_account', config: {} })).to.throw(/invalid official_account account config/);
  });
});
