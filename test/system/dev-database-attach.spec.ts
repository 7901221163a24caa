/**
 * One development database per data directory (issue 13, finding 4): the CLI beside a running server attaches
 * to the server's database instead of failing on the locked store file; a stale record is replaced; processes
 * racing to start it end up on one database; a second server on the same data dir shares it, and a port
 * collision ends in one line; a killed database is started again on its port with its data.
 */
import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { boot, type Running } from '../../server/boot.ts';
import { loadConfig } from '../../server/config.ts';
import { openSharedDevDatabase } from '../../server/db/dev-database.shared.ts';
import { pidAlive, portOpen, readRecord, type DevDatabaseRecord } from '../../server/db/dev-database.registry.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cacheDir = process.env.SIYU_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'siyu');
const KEYS = { SIYU_PHONE_KEY: '55'.repeat(32), SIYU_HASH_KEY: '66'.repeat(32) };
const silent = pino({ level: 'silent' });

/** The environment of `npm start` / `npx siyu` on a data dir, without MONGODB_URI. */
const envFor = (dataDir: string, extra: Record<string, string> = {}) => ({
  ...process.env,
  ...KEYS,
  MONGODB_URI: undefined,
  SIYU_DATA_DIR: dataDir,
  SIYU_CACHE_DIR: cacheDir,
  PORT: '0',
  HOST: '127.0.0.1',
  SIYU_ROLES: 'http',
  SIYU_DEMO: 'false',
  LOG_LEVEL: 'silent',
  ...extra,
});

function siyu(env: NodeJS.ProcessEnv, ...args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [path.join(root, 'bin/siyu.js'), ...args], { cwd: root, env }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await once(child, 'exit');
  return child.pid!;
}

describe('one development database per data directory', function () {
  this.timeout(180_000);
  let dataDir: string;
  beforeEach(async () => (dataDir = await mkdtemp(path.join(os.tmpdir(), 'siyu-devdb-'))));
  afterEach(async () => rm(dataDir, { recursive: true, force: true }));

  it('runs `siyu leads import` while a booted server holds the database, and the server sees the leads', async () => {
    const running = await boot(loadConfig(envFor(dataDir)), { logger: silent });
    try {
      const corpId = 'wwattach';
      await running.services.org.upsertCorp({ corpId, name: '共用数据库' });
      const campaignId = (await running.services.campaigns.campaigns.create({ corpId, storeIds: null }, { name: 'CLI 旁路导入' })).id;
      const file = path.join(dataDir, 'leads.csv');
      await writeFile(file, '手机号,姓名\n13600000011,王女士\n13600000012,李先生\n');
      const recorded = await readRecord(dataDir);

      const cli = await siyu(envFor(dataDir), 'leads', 'import', file, '--campaign', campaignId, '--json');
      expect(cli.code, cli.stderr).to.equal(0);
      expect(cli.stderr).not.to.match(/MVStoreException|file is locked|\n\s+at /);
      expect(JSON.parse(cli.stdout.trim().split('\n').at(-1)!)).to.include({ rows: 2, imported: 2 });

      const leads = await running.db.models.Lead.find({ campaignId }).sort({ line: 1 }).lean();
      expect(leads.map((l) => l.name)).to.deep.equal(['王女士', '李先生']);
      // The CLI attached: it did not stop the server's database, nor record one of its own.
      expect(await readRecord(dataDir)).to.deep.equal(recorded);
      expect(pidAlive(recorded!.javaPid)).to.equal(true);
      expect(await running.services.dbUp()).to.equal(true);
    } finally {
      await running.stop();
    }
    expect(await readRecord(dataDir), 'the record goes with the database').to.equal(null);
  });

  it('replaces a stale record (its java process is gone) with a database of its own', async () => {
    const stale: DevDatabaseRecord = { port: 9, pid: await deadPid(), javaPid: await deadPid(), file: path.join(dataDir, 'devdb.mv'), startedAt: '2026-01-01T00:00:00.000Z' };
    await writeFile(path.join(dataDir, 'devdb.json'), JSON.stringify(stale));
    const db = await openSharedDevDatabase({ cacheDir, dataDir });
    try {
      const record = await readRecord(dataDir);
      expect(db.owned()).to.equal(true);
      expect(record).to.include({ pid: process.pid, javaPid: db.javaPid(), port: db.port });
      expect(record!.javaPid).not.to.equal(stale.javaPid);
      expect(await portOpen(db.port)).to.equal(true);
    } finally {
      await db.stop();
    }
  });

  it('ends with one database when processes race to start it', async () => {
    // Three processes open the stopped database of one data dir at once and hold it: one starts it, two attach.
    const racers = [1, 2, 3].map(() =>
      spawn(process.execPath, ['--import', 'tsx', 'test/support/dev-database-opener.ts'], { cwd: root, env: envFor(dataDir), stdio: ['pipe', 'pipe', 'pipe'] }),
    );
    try {
      const lines = await Promise.all(
        racers.map(
          (child) =>
            new Promise<{ port: number; owned: boolean; javaPid: number }>((resolve, reject) => {
              let out = '';
              child.stdout!.on('data', (d: Buffer) => {
                out += d.toString();
                if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!));
              });
              child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
              child.once('exit', (code) => reject(new Error(`opener exited with ${code}: ${out}`)));
            }),
        ),
      );
      expect(new Set(lines.map((l) => l.port)).size, JSON.stringify(lines)).to.equal(1);
      expect(lines.filter((l) => l.owned), JSON.stringify(lines)).to.have.length(1);
      expect((await readRecord(dataDir))!.javaPid).to.equal(lines.find((l) => l.owned)!.javaPid);
    } finally {
      for (const child of racers) child.stdin!.end();
      await Promise.all(racers.map((child) => (child.exitCode === null ? once(child, 'exit') : null)));
    }

    // And in one process, three openers at once: one starts it, two attach to it.
    const opened = await Promise.all([1, 2, 3].map(() => openSharedDevDatabase({ cacheDir, dataDir })));
    try {
      expect(new Set(opened.map((d) => d.port)).size).to.equal(1);
      expect(opened.filter((d) => d.owned())).to.have.length(1);
      expect((await readRecord(dataDir))!.javaPid).to.equal(opened.find((d) => d.owned())!.javaPid());
    } finally {
      for (const d of opened.filter((x) => !x.owned())) await d.stop();
      expect(await portOpen(opened[0]!.port), 'an attached process does not stop the database').to.equal(true);
      for (const d of opened.filter((x) => x.owned())) await d.stop();
    }
  });

  it('lets a second `npm start` share the database, and a port collision is one line, not a stack trace', async () => {
    const first = await boot(loadConfig(envFor(dataDir)), { logger: silent });
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const busyPort = (blocker.address() as { port: number }).port;
    try {
      await first.services.org.upsertCorp({ corpId: 'wwshared', name: '两个进程' });
      const second = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: root, env: envFor(dataDir, { LOG_LEVEL: 'warn' }), stdio: ['ignore', 'pipe', 'pipe'] });
      const url = await serverUrl(second);
      const health = await fetch(`${url}/healthz`);
      expect(health.status).to.equal(200);
      second.kill('SIGTERM');
      expect((await once(second, 'exit'))[0]).to.equal(0);
      expect(await first.services.dbUp(), 'the second server did not stop the first one’s database').to.equal(true);

      const collide = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        // The demo on, as `npm start` has it: a start that dies on the port must not have seeded or repointed anything.
        const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: root, env: envFor(dataDir, { PORT: String(busyPort), SIYU_ROLES: 'http,scheduler', SIYU_DEMO: 'true' }), stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.once('exit', (code) => resolve({ code, stderr }));
      });
      expect(collide.code).to.not.equal(0);
      expect(collide.stderr.trim().split('\n'), collide.stderr).to.have.length(1);
      expect(collide.stderr).to.match(new RegExp(`^启动失败：端口 ${busyPort} 已被占用`));
      expect(await first.services.dbUp()).to.equal(true);
      expect(await first.services.channelAccounts.listByKind('wecom'), 'no demo simulator account left behind').to.deep.equal([]);
      expect(await first.services.org.listCorps(), 'no demo seeded').to.have.length(1);
    } finally {
      blocker.close();
      await first.stop();
    }
  });

  it('starts its killed database again on the same port, and the data is still there', async () => {
    const running: Running = await boot(loadConfig(envFor(dataDir)), { logger: silent });
    try {
      await running.services.org.upsertCorp({ corpId: 'wwkilled', name: '数据库被杀' });
      const before = (await readRecord(dataDir))!;
      // Wait past the store's background commit, so this test is about the restart, not durability.
      await new Promise((r) => setTimeout(r, 1500));
      process.kill(before.javaPid, 'SIGKILL');
      const deadline = Date.now() + 30_000;
      let status = 0;
      while (Date.now() < deadline) {
        status = await fetch(`${running.url}/healthz`).then((r) => r.status, () => 0);
        if (status === 200 && (await readRecord(dataDir))?.javaPid !== before.javaPid) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).to.equal(200);
      const after = (await readRecord(dataDir))!;
      expect(after.javaPid).to.not.equal(before.javaPid);
      expect(after.port).to.equal(before.port);
      expect(await running.db.models.Corp.countDocuments({ corpId: 'wwkilled' })).to.equal(1);
    } finally {
      await running.stop();
    }
    const left = await readFile(path.join(dataDir, 'devdb.json'), 'utf8').catch(() => null);
    expect(left, 'the restarted database is stopped with the server').to.equal(null);
  });
});

async function serverUrl(child: ReturnType<typeof spawn>): Promise<string> {
  let out = '';
  return new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /running — (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
}
