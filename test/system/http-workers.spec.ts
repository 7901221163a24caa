import { expect } from 'chai';
import { once } from 'node:events';
import http from 'node:http';
import pino from 'pino';
import { sealEvent } from '../../adapters/wecom/crypto/callback-envelope.ts';
import { externalContactEvent } from '../../adapters/wecom/simulator/callback-events.ts';
import { boot, type Running } from '../../server/boot.ts';
import { loadConfig } from '../../server/config.ts';
import { nextRestartDelay } from '../../server/http/http-workers.ts';
import { testMongoUri, useTestDatabase } from '../support/database.ts';
import { connectionRefused, heldRequest } from '../support/http-probes.ts';

const CORP = 'wwhttpworkers0001';
const TOKEN = 'workers-token';
const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const ADMIN = 'workers-admin-token-123';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Status and body of one request on its own connection (no agent: each call is a fresh connection). */
function request(port: number, method: string, path: string, body = '', headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent: false, headers: { 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('SIYU_HTTP_WORKERS: the HTTP role in worker processes', function () {
  this.timeout(60_000);
  const t = useTestDatabase('http_workers');
  let running: Running;
  let port: number;

  before(async () => {
    await t.db.models.Corp.create({ corpId: CORP, name: '多进程测试' });
    const env = {
      MONGODB_URI: testMongoUri(),
      MONGODB_DB: t.name,
      PORT: '0',
      HOST: '127.0.0.1',
      SIYU_HTTP_WORKERS: '2',
      SIYU_DEMO: 'false',
      SIYU_ADMIN_TOKEN: ADMIN,
      SIYU_PHONE_KEY: 'ab'.repeat(32),
      SIYU_HASH_KEY: 'cd'.repeat(32),
      LOG_LEVEL: 'silent',
      WECOM_CORP_ID: CORP,
      WECOM_SECRET: 'workers-secret',
      WECOM_TOKEN: TOKEN,
      WECOM_ENCODING_AES_KEY: AES_KEY,
    };
    running = await boot(loadConfig(env), { logger: pino({ level: 'silent' }) });
    port = Number(new URL(running.url!).port);
  });
  after(async () => running?.stop());

  it('refuses a worker count that is not a positive integer', () => {
    expect(() => loadConfig({ SIYU_HTTP_WORKERS: '0' })).to.throw(/SIYU_HTTP_WORKERS/);
    expect(() => loadConfig({ SIYU_HTTP_WORKERS: 'two' })).to.throw(/SIYU_HTTP_WORKERS/);
  });

  it('restarts a worker that keeps dying young ever more slowly, and a long-lived one after a second', () => {
    let delay = 1000;
    const delays = [1, 2, 3, 4, 5, 6, 7].map(() => (delay = nextRestartDelay(delay, 2000)));
    expect(delays).to.deep.equal([2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
    expect(nextRestartDelay(60_000, 10 * 60_000)).to.equal(1000);
  });

  it('serves from two worker processes, not from the primary', async () => {
    const pids = running.httpWorkerPids();
    expect(pids).to.have.length(2);
    expect(new Set(pids).size).to.equal(2);
    expect(pids).not.to.include(process.pid);
    for (let i = 0; i < 4; i++) expect((await request(port, 'GET', '/healthz')).status).to.equal(200);
  });

  it('records a signed callback once and wakes the primary’s inbound processor', async () => {
    const woken = once(running.services.signals, 'inbound');
    const xml = externalContactEvent({ corpId: CORP, changeType: 'add_external_contact', userId: 'staff1', externalUserId: 'wmWorkers1', createTime: 1_795_000_000 });
    const s = sealEvent({ token: TOKEN, encodingAESKey: AES_KEY, receiveId: CORP, message: xml, toUserName: CORP });
    const path = `/callbacks/wecom?msg_signature=${s.msgSignature}&timestamp=${s.timestamp}&nonce=${encodeURIComponent(s.nonce)}`;
    // Twice, on two connections, so both workers see it: still one row.
    for (let i = 0; i < 2; i++) expect(await request(port, 'POST', path, s.body, { 'content-type': 'text/xml' })).to.deep.equal({ status: 200, text: 'success' });
    await woken;
    expect(await t.db.models.InboundRaw.countDocuments({ corpId: CORP, plaintext: { $regex: 'wmWorkers1' } })).to.equal(1);
  });

  it('answers GET /metrics from any worker with the sum over every process', async () => {
    const healthz = async () => {
      const { status, text } = await request(port, 'GET', '/metrics');
      expect(status).to.equal(200);
      const line = /^siyu_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} (\d+)$/m.exec(text);
      return Number(line?.[1] ?? 0);
    };
    const before = await healthz();
    // Fresh connections in strict rotation: three requests land on each worker.
    for (let i = 0; i < 6; i++) expect((await request(port, 'GET', '/healthz')).status).to.equal(200);
    expect(await healthz()).to.equal(before + 6);
    expect(await healthz(), 'asked of the other worker').to.equal(before + 6);
  });

  it('replaces a worker that dies, and keeps serving meanwhile', async () => {
    const [victim, survivor] = running.httpWorkerPids() as [number, number];
    process.kill(victim, 'SIGKILL');
    await until('the dead worker to leave the rotation', () => (running.httpWorkerPids().includes(victim) ? undefined : true));
    expect((await request(port, 'GET', '/healthz')).status).to.equal(200);
    const pids = await until('a replacement worker', () => {
      const now = running.httpWorkerPids();
      return now.length === 2 ? now : undefined;
    });
    expect(pids).to.include(survivor);
    expect(pids).not.to.include(victim);
    for (let i = 0; i < 4; i++) expect((await request(port, 'GET', '/healthz')).status).to.equal(200);
  });

  it('on stop finishes the in-flight request, then refuses connections and ends every worker', async () => {
    const pids = running.httpWorkerPids();
    const body = JSON.stringify({ code: 'W1', name: '多进程门店', city: '上海', region: '华东' });
    const held = heldRequest(port, '/api/stores', body, { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` });
    await new Promise((r) => setTimeout(r, 200));
    const stopped = running.stop();
    await new Promise((r) => setTimeout(r, 300));
    const refused = await connectionRefused(port);
    const res = await held.finish();
    await stopped;
    expect(refused, 'new connections are refused once stopping').to.equal(true);
    expect(res.status, res.text).to.equal(201);
    expect(await t.db.models.Store.countDocuments({ corpId: CORP, code: 'W1' })).to.equal(1);
    expect(pids.filter(alive), 'workers still running after stop()').to.deep.equal([]);
  });
});
