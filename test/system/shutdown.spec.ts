import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { boot } from '../../server/boot.ts';
import { loadConfig } from '../../server/config.ts';
import { openDatabase } from '../../server/db/database.ts';
import { testMongoUri } from '../support/database.ts';
import { connectionRefused, heldRequest } from '../support/http-probes.ts';
import { registerModels } from '../../server/modules.ts';

const KEYS = { SIYU_PHONE_KEY: 'ab'.repeat(32), SIYU_HASH_KEY: 'cd'.repeat(32) };

describe('graceful shutdown', () => {
  it('on SIGTERM stops accepting, finishes the in-flight request, then exits 0', async function () {
    this.timeout(60_000);
    const dbName = `t_shutdown_${process.pid}`;
    const db = await openDatabase(testMongoUri(), dbName, registerModels);
    await db.models.Corp.create({ corpId: 'wwshutdown', name: '关停测试' });
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { ...process.env, ...KEYS, MONGODB_URI: testMongoUri(), MONGODB_DB: dbName, PORT: '0', HOST: '127.0.0.1', SIYU_DEMO: 'false', SIYU_ADMIN_TOKEN: 'shutdown-admin-token-123', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setInterval(() => {
        const m = /Siyu is running — http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m) {
          clearInterval(timer);
          resolve(Number(m[1]));
        }
      }, 50);
      child.once('exit', () => reject(new Error(`exited early:\n${out}`)));
    });

    const body = JSON.stringify({ code: 'LATE', name: '最后一单', city: '上海', region: '华东' });
    const held = heldRequest(port, '/api/stores', body, { 'content-type': 'application/json', authorization: 'Bearer shutdown-admin-token-123' });
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    const refused = await connectionRefused(port);
    const res = await held.finish();
    const [code] = (await once(child, 'exit')) as [number];

    expect(refused, 'new connections are refused after SIGTERM').to.equal(true);
    expect(res.status, res.text).to.equal(201);
    expect(code, out).to.equal(0);
    expect(out).to.include('shutdown complete');
    expect(await db.models.Store.countDocuments({ corpId: 'wwshutdown', code: 'LATE' })).to.equal(1);
    await db.connection.dropDatabase();
    await db.close();
  });

  it('stops the embedded database it started, and a restart keeps the data', async function () {
    this.timeout(120_000);
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'siyu-restart-'));
    const env = { ...process.env, ...KEYS, MONGODB_URI: undefined, SIYU_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', SIYU_ROLES: 'http', SIYU_DEMO: 'true', SIYU_DEMO_ACTIVITY: 'false', LOG_LEVEL: 'silent' };
    const logger = pino({ level: 'silent' });
    try {
      const first = await boot(loadConfig(env), { logger });
      const seeded = await first.db.models.Contact.countDocuments({});
      const store = await first.db.models.Store.findOne({}).lean();
      await first.services.identities.upsert(store!.corpId, { identities: [{ kind: 'unionid', unionid: 'kept-after-restart' }] });
      const port = Number(new URL(first.databaseUri).port);
      await first.stop();
      const stillUp = !(await connectionRefused(port));
      expect(stillUp, 'the embedded database is stopped').to.equal(false);

      const second = await boot(loadConfig(env), { logger });
      try {
        expect(seeded).to.be.within(1900, 2100);
        expect(await second.db.models.Contact.countDocuments({})).to.equal(seeded + 1);
        expect(await second.db.models.Contact.countDocuments({ identityKeys: 'unionid:kept-after-restart' })).to.equal(1);
        expect(await second.db.models.Corp.countDocuments({}), 'not seeded twice').to.equal(1);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
