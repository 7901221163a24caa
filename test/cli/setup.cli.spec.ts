/**
 * `siyu setup` as an operator runs it (node bin/siyu.js) against an empty test database with production settings:
 * MONGODB_URI, keys, SIYU_DEMO=false, WeCom and official-account settings in the environment.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { SetupResult } from '../../server/setup/setup.service.ts';
import { testMongoUri, useTestDatabase } from '../support/database.ts';
import { http, testServices } from '../support/test-app.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CORP = 'wwsetupcorp0001';
const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';

describe('siyu setup (CLI)', function () {
  this.timeout(180_000);
  const t = useTestDatabase('setup_cli');
  let dir: string;

  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = {
      ...process.env,
      MONGODB_URI: testMongoUri(),
      MONGODB_DB: t.name,
      SIYU_DEMO: 'false',
      SIYU_PHONE_KEY: '55'.repeat(32),
      SIYU_HASH_KEY: '66'.repeat(32),
      LOG_LEVEL: 'silent',
      WECOM_CORP_ID: CORP,
      WECOM_SECRET: 'setup-secret',
      WECOM_TOKEN: 'setuptoken',
      WECOM_ENCODING_AES_KEY: AES_KEY,
      OA_APP_ID: 'wxsetupoa0000001',
      OA_APP_SECRET: 'oa-secret',
      OA_TOKEN: 'oatoken',
      ...extra,
    };
    delete e.WECHATY_PUPPET;
    for (const [k, v] of Object.entries(e)) if (v === '') delete e[k]; // '' in `extra`: unset
    return e;
  };
  const siyu = (args: string[], extra: Record<string, string> = {}) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [path.join(root, 'bin/siyu.js'), 'setup', ...args], { cwd: root, env: env(extra) }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });
  const STORES = ['--store', 'code=SH01,name=上海一店,city=上海,region=华东', '--store', 'code=BJ01,name=北京一店,city=北京,region=华北,timezone=Asia/Shanghai,address=朝阳区建国路 1 号'];
  const counts = async () => ({
    corps: await t.db.models.Corp.countDocuments({}),
    stores: await t.db.models.Store.countDocuments({ corpId: CORP }),
    tokens: await t.db.models.Token.countDocuments({ corpId: CORP, role: 'hq_admin' }),
    accounts: await t.db.models.ChannelAccount.countDocuments({ corpId: CORP }),
  });

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'siyu-setup-cli-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  let hqToken = '';

  it('sets up an empty database: corp, stores, the first HQ token (shown once), the accounts from the environment', async () => {
    expect(await counts()).to.deep.equal({ corps: 0, stores: 0, tokens: 0, accounts: 0 });
    const run = await siyu(['--corp-name', '某某乳业', ...STORES, '--json']);
    expect(run.code, run.stderr).to.equal(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).to.have.length(1);
    const result = JSON.parse(lines[0]!) as SetupResult;
    expect(result.changed).to.equal(true);
    expect(result.corp).to.deep.equal({ corpId: CORP, name: '某某乳业', timezone: 'Asia/Shanghai', status: 'created' });
    expect(result.stores.map((s) => [s.code, s.status])).to.deep.equal([['SH01', 'created'], ['BJ01', 'created']]);
    expect(result.hqToken.status).to.equal('issued');
    hqToken = (result.hqToken as { token: string }).token;
    expect(hqToken).to.match(/^siyu_[0-9a-f]{48}$/);
    expect(result.accounts.map((a) => [a.kind, a.status])).to.deep.equal([['wecom', 'created'], ['official_account', 'created']]);
    expect(await counts()).to.deep.equal({ corps: 1, stores: 2, tokens: 1, accounts: 2 });
    const bj = await t.db.models.Store.findOne({ corpId: CORP, code: 'BJ01' }).lean();
    expect(bj).to.include({ name: '北京一店', city: '北京', region: '华北', timezone: 'Asia/Shanghai', address: '朝阳区建国路 1 号' });
  });

  it('the issued HQ token works against the API: POST /api/stores creates a store in the new corp', async () => {
    const api = http(testServices(t.db));
    const created = await api.post('/api/stores', { code: 'GZ01', name: '广州一店', city: '广州', region: '华南' }, hqToken).expect(201);
    expect(created.body).to.include({ corpId: CORP, code: 'GZ01' });
    const list = await api.get('/api/stores', hqToken).expect(200);
    expect((list.body as { items: Array<{ code: string }> }).items.map((s) => s.code)).to.deep.equal(['BJ01', 'GZ01', 'SH01']);
  });

  it('a second run changes nothing, says so, and never shows a token again', async () => {
    const before = await counts();
    const storesBefore = await t.db.models.Store.find({ corpId: CORP }).sort({ code: 1 }).lean();
    const json = await siyu(['--corp-name', '某某乳业', ...STORES, '--json']);
    expect(json.code, json.stderr).to.equal(0);
    const result = JSON.parse(json.stdout.trim()) as SetupResult;
    expect(result.changed).to.equal(false);
    expect(result.corp.status).to.equal('exists');
    expect(result.stores.map((s) => s.status)).to.deep.equal(['exists', 'exists']);
    expect(result.hqToken).to.deep.equal({ status: 'exists' });
    expect(result.accounts.map((a) => a.status)).to.deep.equal(['unchanged', 'unchanged']);

    const text = await siyu(['--corp-name', '某某乳业', ...STORES]);
    expect(text.code, text.stderr).to.equal(0);
    expect(text.stdout).to.include('无变化').and.include('Nothing changed');
    expect(text.stdout).to.not.match(/siyu_[0-9a-f]{48}/);
    expect(await counts()).to.deep.equal(before);
    expect(await t.db.models.Store.find({ corpId: CORP }).sort({ code: 1 }).lean()).to.deep.equal(storesBefore);
  });

  it('--new-token issues another HQ token; the first keeps working', async () => {
    const run = await siyu(['--new-token', '--token-name', 'second', '--json']);
    expect(run.code, run.stderr).to.equal(0);
    const result = JSON.parse(run.stdout.trim()) as SetupResult;
    expect(result.hqToken.status).to.equal('issued');
    const second = (result.hqToken as { token: string }).token;
    expect(second).to.not.equal(hqToken);
    expect(await t.db.models.Token.countDocuments({ corpId: CORP, role: 'hq_admin' })).to.equal(2);
    const api = http(testServices(t.db));
    await api.get('/api/stores', second).expect(200);
    await api.get('/api/stores', hqToken).expect(200);
  });

  it('reads the corp and stores from a YAML file', async () => {
    const file = path.join(dir, 'setup.yaml');
    await writeFile(file, `corp:\n  corpId: ${CORP}\nstores:\n  - { code: SZ01, name: 深圳一店, city: 深圳, region: 华南, address: "南山区科技园, 2 栋" }\n`);
    const run = await siyu(['--file', file, '--json']);
    expect(run.code, run.stderr).to.equal(0);
    const result = JSON.parse(run.stdout.trim()) as SetupResult;
    expect(result.stores).to.have.length(1);
    expect(result.stores[0]).to.include({ code: 'SZ01', status: 'created' });
    expect(result.hqToken).to.deep.equal({ status: 'exists' });
  });

  it('refuses bad input with exit 2 and writes nothing', async () => {
    const before = await counts();
    const badStore = await siyu(['--store', 'code=XX01,name=缺城市']);
    expect(badStore.code).to.equal(2);
    expect(badStore.stderr).to.include('stores.0.city');
    const notPairs = await siyu(['--store', 'XX01,某店,上海,华东']);
    expect(notPairs.code).to.equal(2);
    expect(notPairs.stderr).to.include('key=value');
    const otherCorp = await siyu(['--corp-id', 'wwsomeoneelse', '--corp-name', '别家']);
    expect(otherCorp.code).to.equal(2);
    expect(otherCorp.stderr).to.include('WECOM_CORP_ID');
    const noName = await siyu([], { WECOM_CORP_ID: 'wwnotyetcreated' });
    expect(noName.code).to.equal(2);
    expect(noName.stderr).to.include('需要名称');
    const noKeys = await siyu(['--corp-name', 'x'], { SIYU_PHONE_KEY: '' });
    expect(noKeys.code).to.equal(2);
    expect(noKeys.stderr).to.include('必须配置 SIYU_PHONE_KEY');
    expect(await counts()).to.deep.equal(before);
    expect(await t.db.models.Corp.countDocuments({ corpId: { $ne: CORP } })).to.equal(0);
  });
});
