import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../../server/config.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// Nothing listens there: a process that tried to connect would hang on server selection, not exit 2 at once.
const PRODUCTION = { MONGODB_URI: 'mongodb://127.0.0.1:9/siyu', SIYU_DEMO: 'false', LOG_LEVEL: 'silent' };
const KEYS = { SIYU_PHONE_KEY: 'ab'.repeat(32), SIYU_HASH_KEY: 'cd'.repeat(32) };

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root, env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

/** The environment of the test process without the variables this spec controls. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SIYU_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'siyu-keys-')) };
  for (const k of ['MONGODB_URI', 'SIYU_PHONE_KEY', 'SIYU_HASH_KEY', 'WECOM_CORP_ID', 'OA_APP_ID', 'WECHATY_PUPPET']) delete env[k];
  return env;
}

describe('production keys (MONGODB_URI set)', () => {
  it('loadConfig refuses production without SIYU_PHONE_KEY / SIYU_HASH_KEY, naming what is missing and how to make it', () => {
    expect(() => loadConfig(PRODUCTION)).to.throw(ConfigError, /SIYU_PHONE_KEY 和 SIYU_HASH_KEY[\s\S]*openssl rand -hex 32/);
    expect(() => loadConfig({ ...PRODUCTION, SIYU_PHONE_KEY: KEYS.SIYU_PHONE_KEY })).to.throw(ConfigError, /必须配置 SIYU_HASH_KEY（/);
    expect(() => loadConfig({ ...PRODUCTION, SIYU_HASH_KEY: KEYS.SIYU_HASH_KEY })).to.throw(ConfigError, /必须配置 SIYU_PHONE_KEY（/);
    expect(() => loadConfig({ ...PRODUCTION, SIYU_PHONE_KEY: 'short', SIYU_HASH_KEY: KEYS.SIYU_HASH_KEY })).to.throw(ConfigError, /SIYU_PHONE_KEY: must be 64 hex/);
  });

  it('loadConfig accepts production with both keys, and development without any', () => {
    expect(loadConfig({ ...PRODUCTION, ...KEYS }).security).to.include({ phoneKey: KEYS.SIYU_PHONE_KEY, hashKey: KEYS.SIYU_HASH_KEY });
    expect(loadConfig({ LOG_LEVEL: 'silent' }).security).to.include({ phoneKey: undefined, hashKey: undefined });
  });

  it('npm start exits 2 with the message, before connecting to anything', async function () {
    this.timeout(60_000);
    const started = Date.now();
    const res = await run(['--import', 'tsx', 'server/main.ts'], { ...baseEnv(), ...PRODUCTION, PORT: '0' });
    expect(res.code, res.stderr).to.equal(2);
    expect(res.stderr).to.match(/^生产环境（已设置 MONGODB_URI）必须配置 SIYU_PHONE_KEY 和 SIYU_HASH_KEY/);
    expect(res.stderr).to.include('Production (MONGODB_URI is set) requires SIYU_PHONE_KEY and SIYU_HASH_KEY');
    expect(Date.now() - started, 'no server selection wait').to.be.below(30_000);
  });

  it('the CLI (which opens services as the server does) exits 2 with the same message', async function () {
    this.timeout(60_000);
    const res = await run([path.join(root, 'bin/siyu.js'), 'leads', 'import', 'nothing.csv', '--campaign', '0123456789abcdef01234567'], { ...baseEnv(), ...PRODUCTION });
    expect(res.code, res.stderr).to.equal(2);
    expect(res.stderr).to.include('必须配置 SIYU_PHONE_KEY 和 SIYU_HASH_KEY');
  });
});
