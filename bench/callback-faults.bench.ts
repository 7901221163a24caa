/**
 * callback-faults: nothing acknowledged is lost when a process dies. The server runs as in development (a
 * `server/main.ts` child on a fresh SIYU_DATA_DIR, no MONGODB_URI: its file-persisted development database) and
 * N distinct, signed and encrypted WeCom callbacks are POSTed with 16 in flight. Part-way through, round
 * `kill-database` sends SIGKILL to the java database (the server must start it again), round `kill-server`
 * sends SIGKILL to the server (the bench starts it again on the same data dir and port). A callback not answered
 * `200 success` is sent again, freshly sealed, as WeCom retries; one answered is never sent again.
 *
 * Afterwards the bench attaches to the server's database (as the CLI does) and counts, per round:
 * acked (answered `success`), stored (acked callbacks found in `inbound_raw`), lost (acked, not stored) and
 * duplicates (rows beyond one per callback). Exit code 1 when anything is lost or duplicated, or when the budget
 * ran out before every callback was acknowledged. One JSON line per
 * round on stdout; timings on stderr. Only 127.0.0.1; each round's posting (restart included) is bounded by
 * --budget-s (default 60 s; on a quiet machine a round takes about 15 s).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sealEvent } from '../adapters/wecom/crypto/callback-envelope.ts';
import { externalContactEvent } from '../adapters/wecom/simulator/callback-events.ts';
import { openDatabase } from '../server/db/database.ts';
import { openSharedDevDatabase } from '../server/db/dev-database.shared.ts';
import { readRecord } from '../server/db/dev-database.registry.ts';
import type { BenchResult } from './run.ts';
import { intArg } from './support.ts';
import { registerModels } from '../server/modules.ts';

const CORP = 'wwfaultcorp000001';
const TOKEN = 'faulttoken';
const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const DB_NAME = 'siyu_faults';
const cacheDir = process.env.SIYU_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'siyu');

type Round = 'kill-database' | 'kill-server';

export async function run(args: string[]): Promise<BenchResult[]> {
  const n = intArg(args, 'n', 2000);
  const concurrency = intArg(args, 'concurrency', 16);
  const budgetS = intArg(args, 'budget-s', 60);
  const only = args.includes('--round') ? (args[args.indexOf('--round') + 1] as Round) : undefined;
  const rounds: Round[] = only ? [only] : ['kill-database', 'kill-server'];
  const results: BenchResult[] = [];
  for (const round of rounds) {
    const result = await runRound(round, n, concurrency, budgetS * 1000);
    console.log(JSON.stringify(result));
    results.push(result);
    if (result.lost !== 0 || result.duplicates !== 0 || result.acked !== n) process.exitCode = 1;
  }
  return results;
}

async function runRound(round: Round, n: number, concurrency: number, budgetMs: number): Promise<BenchResult> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `siyu-faults-${round}-`));
  const port = await freePort();
  const messages = Array.from({ length: n }, (_, i) =>
    externalContactEvent({ corpId: CORP, changeType: 'add_external_contact', userId: `staff${i % 20}`, externalUserId: `wmFault${i}`, state: 'c:faults', createTime: 1_795_000_000 + i }),
  );
  const t0 = performance.now();
  let server = await startServer(dataDir, port);
  const tPosting = performance.now();
  const deadline = Date.now() + budgetMs;
  console.error(`[${round}] server up in ${Math.round(tPosting - t0)} ms`);
  const faultAt = Math.floor(n * 0.4);
  const acked = new Set<number>();
  const queue = Array.from({ length: n }, (_, i) => i);
  let attempts = 0;
  let faultedAt = 0;
  let recoveredAt = 0;
  let restarting: Promise<void> | undefined;

  const fault = async () => {
    faultedAt = performance.now();
    if (round === 'kill-database') {
      const record = await readRecord(dataDir);
      if (!record) throw new Error('no development database recorded in the data dir');
      process.kill(record.javaPid, 'SIGKILL');
      console.error(`[${round}] SIGKILL java ${record.javaPid} after ${acked.size} acks`);
    } else {
      server.child.kill('SIGKILL');
      console.error(`[${round}] SIGKILL server ${server.child.pid} after ${acked.size} acks`);
      await once(server.child, 'exit');
      restarting = startServer(dataDir, port).then((s) => {
        server = s;
        console.error(`[${round}] server started again (${Math.round(performance.now() - faultedAt)} ms after the kill)`);
      });
    }
  };

  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < deadline) {
          const i = queue.shift();
          if (i === undefined) {
            if (acked.size === n) return;
            await sleep(50); // others' callbacks may still come back for a retry
            continue;
          }
          attempts++;
          const sent = performance.now();
          const ok = await post(port, messages[i]!);
          if (ok) {
            acked.add(i);
            if (faultedAt && !recoveredAt && sent > faultedAt) recoveredAt = performance.now();
            if (acked.size === faultAt) await fault();
          } else {
            queue.push(i);
            await sleep(100);
          }
        }
      }),
    );
    await restarting;
    if (acked.size < n) console.error(`[${round}] time budget spent: ${acked.size} of ${n} acknowledged`);
    const seconds = (performance.now() - tPosting) / 1000;
    console.error(`[${round}] ${attempts} posts for ${n} callbacks in ${seconds.toFixed(1)} s; first ack of a callback sent after the kill: ${recoveredAt ? Math.round(recoveredAt - faultedAt) : '-'} ms after it`);

    // Count through the server's own database, attached as the CLI attaches.
    const shared = await openSharedDevDatabase({ cacheDir, dataDir });
    const db = await openDatabase(shared.uri, DB_NAME, registerModels);
    try {
      const rows = await db.models.InboundRaw.find({}, { digest: 1 }).lean();
      const perDigest = new Map<string, number>();
      for (const r of rows) perDigest.set(r.digest, (perDigest.get(r.digest) ?? 0) + 1);
      let stored = 0;
      for (const i of acked) if (perDigest.has(sha256(messages[i]!))) stored++;
      const duplicates = [...perDigest.values()].reduce((sum, k) => sum + (k - 1), 0);
      return { bench: 'callback-faults', round, acked: acked.size, stored, lost: acked.size - stored, duplicates };
    } finally {
      await db.close();
      await shared.stop();
    }
  } finally {
    await restarting?.catch(() => undefined);
    server.child.kill('SIGTERM');
    if (server.child.exitCode === null && server.child.signalCode === null) await once(server.child, 'exit');
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** One delivery, sealed afresh (new nonce and timestamp) as each of WeCom's attempts is. */
async function post(port: number, message: string): Promise<boolean> {
  const s = sealEvent({ token: TOKEN, encodingAESKey: AES_KEY, receiveId: CORP, message, toUserName: CORP });
  const url = `http://127.0.0.1:${port}/callbacks/wecom?msg_signature=${s.msgSignature}&timestamp=${s.timestamp}&nonce=${encodeURIComponent(s.nonce)}`;
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: s.body, signal: AbortSignal.timeout(15_000) });
    return res.status === 200 && (await res.text()) === 'success';
  } catch {
    return false; // refused while the server restarts, or timed out
  }
}

async function startServer(dataDir: string, port: number): Promise<{ child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      MONGODB_URI: undefined,
      MONGODB_DB: DB_NAME,
      SIYU_DATA_DIR: dataDir,
      SIYU_CACHE_DIR: cacheDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      SIYU_ROLES: 'http',
      SIYU_DEMO: 'false',
      LOG_LEVEL: process.env.FAULTS_SERVER_LOG ? 'info' : 'warn',
      SIYU_PHONE_KEY: '01'.repeat(32),
      SIYU_HASH_KEY: '02'.repeat(32),
      WECOM_CORP_ID: CORP,
      WECOM_SECRET: 'fault-secret',
      WECOM_TOKEN: TOKEN,
      WECOM_ENCODING_AES_KEY: AES_KEY,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (process.env.FAULTS_SERVER_LOG) process.stderr.write(d);
      if (out.includes('Siyu is running')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
  child.stdout!.resume(); // FAULTS_SERVER_LOG=1 copies the server's log to stderr (the handler above stays)
  return { child };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  probe.close();
  return port;
}
