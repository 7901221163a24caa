/**
 * callback-ingest: signed and encrypted add_external_contact callbacks POSTed with 64 in flight to a running
 * server (a separate `server/main.ts` process with the HTTP role, as in production) until N are recorded in
 * the inbox (verify → record → 200), against the raw single-document insert rate of the same database with
 * the same concurrency. Processing happens after the acknowledgement and is not part of this number.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { sealEvent } from '../adapters/wecom/crypto/callback-envelope.ts';
import { externalContactEvent } from '../adapters/wecom/simulator/callback-events.ts';
import { openDatabase } from '../server/db/database.ts';
import { benchDatabase, intArg, pool } from './support.ts';

const CORP = 'wwbenchcorp000001';
const TOKEN = 'benchtoken';
const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';

export async function run(args: string[]) {
  const n = intArg(args, 'n', 20_000);
  const concurrency = intArg(args, 'concurrency', 64);
  const server = await benchDatabase();
  const dbName = `bench_ingest_${Date.now()}`;
  const db = await openDatabase(server.uri, dbName);
  // node:http with a keep-alive agent: fetch costs the load generator more CPU than the server spends per request.
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const app = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      MONGODB_URI: server.uri,
      MONGODB_DB: dbName,
      PORT: '0',
      HOST: '127.0.0.1',
      SIYU_ROLES: 'http',
      SIYU_DEMO: 'false',
      LOG_LEVEL: 'warn',
      SIYU_PHONE_KEY: '01'.repeat(32),
      SIYU_HASH_KEY: '02'.repeat(32),
      WECOM_CORP_ID: CORP,
      WECOM_SECRET: 'bench-secret',
      WECOM_TOKEN: TOKEN,
      WECOM_ENCODING_AES_KEY: AES_KEY,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let out = '';
      app.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /running — (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      app.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
    });
    const url = `${base}/callbacks/wecom`;
    // Sealing is the vendor's work, not ours: done before the clock starts.
    const seal = (i: number) => {
      const xml = externalContactEvent({ corpId: CORP, changeType: 'add_external_contact', userId: `staff${i % 50}`, externalUserId: `wmBench${i}`, state: 'c:bench', welcomeCode: `W${i}`, createTime: 1_795_000_000 + i });
      const s = sealEvent({ token: TOKEN, encodingAESKey: AES_KEY, receiveId: CORP, message: xml, toUserName: CORP });
      return { url: `${url}?msg_signature=${s.msgSignature}&timestamp=${s.timestamp}&nonce=${encodeURIComponent(s.nonce)}`, body: s.body };
    };
    const post = (p: { url: string; body: string }) =>
      new Promise<number>((resolve, reject) => {
        const t0 = performance.now();
        const req = http.request(p.url, { method: 'POST', agent, headers: { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(p.body) } }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => (res.statusCode === 200 && text === 'success' ? resolve(performance.now() - t0) : reject(new Error(`callback refused: ${res.statusCode} ${text}`))));
        });
        req.on('error', reject);
        req.end(p.body);
      });
    const warm = Math.min(2000, Math.ceil(n / 10));
    const warmups = Array.from({ length: warm }, (_, i) => seal(n + i));
    await pool(warm, concurrency, (i) => post(warmups[i]!));

    const payloads = Array.from({ length: n }, (_, i) => seal(i));
    const acks: number[] = new Array(n);
    const t0 = performance.now();
    await pool(n, concurrency, async (i) => {
      acks[i] = await post(payloads[i]!);
    });
    const seconds = (performance.now() - t0) / 1000;
    const stored = (await db.models.InboundRaw.countDocuments({})) - warm;
    if (stored !== n) throw new Error(`expected ${n} recorded callbacks, found ${stored}`);

    const raw = db.connection.db!.collection('raw_inserts');
    await raw.createIndex({ accountId: 1, digest: 1 }, { unique: true });
    await pool(warm, concurrency, (i) => raw.insertOne({ accountId: 'warm', digest: String(i), plaintext: payloads[i % n]!.body, receivedAt: new Date() }));
    const r0 = performance.now();
    await pool(n, concurrency, (i) => raw.insertOne({ accountId: 'a', digest: String(i), plaintext: payloads[i]!.body, status: 'pending', receivedAt: new Date(), nextAttemptAt: new Date() }));
    const rawSeconds = (performance.now() - r0) / 1000;

    acks.sort((a, b) => a - b);
    const p99 = acks[Math.min(n - 1, Math.ceil(n * 0.99) - 1)]!;
    const eventsPerS = n / seconds;
    const rawPerS = n / rawSeconds;
    return {
      bench: 'callback-ingest',
      n,
      events_per_s: Math.round(eventsPerS),
      raw_insert_per_s: Math.round(rawPerS),
      ratio: Number((eventsPerS / rawPerS).toFixed(3)),
      ack_p99_ms: Number(p99.toFixed(2)),
    };
  } finally {
    agent.destroy();
    app.kill('SIGTERM');
    await new Promise((resolve) => (app.exitCode !== null ? resolve(null) : app.once('exit', resolve)));
    await db.connection.dropDatabase().catch(() => undefined);
    await db.close();
    await server.stop();
  }
}
