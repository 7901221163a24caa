import { expect } from 'chai';
import net from 'node:net';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { openDatabase, type Database } from '../../server/db/database.ts';
import { buildModules, registerModels, type Models } from '../../server/modules.ts';
import { fixedClock } from '../../server/shared/clock.ts';
import { createMetrics } from '../../server/system/metrics.ts';
import { testMongoUri, useTestDatabase } from '../support/database.ts';
import { http, seedTestOrg, testServices, TEST_KEYS, type TestOrg } from '../support/test-app.ts';

type ErrorBody = { error: { code: string; message: string; details: unknown } };
const expectError = (body: ErrorBody, code: string) => {
  expect(body).to.have.keys('error');
  expect(body.error).to.have.keys('code', 'message', 'details');
  expect(body.error.code).to.equal(code);
};

/**
 * A TCP relay in front of the test database that can stop relaying: the database "hangs" (connections stay open,
 * nothing is answered), as a database stopped with SIGSTOP or behind a dead network path does.
 */
async function hangableRelay(target: { host: string; port: number }) {
  let hung = false;
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket; held: Buffer[] }>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    const pair = { client, upstream, held: [] as Buffer[] };
    pairs.add(pair);
    client.on('data', (d: Buffer) => (hung ? pair.held.push(d) : upstream.write(d)));
    upstream.on('data', (d: Buffer) => client.write(d));
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    hang: () => (hung = true),
    resume: () => {
      hung = false;
      for (const p of pairs) for (const d of p.held.splice(0)) p.upstream.write(d);
    },
    close: async () => {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('HTTP edges: unknown methods, bad URL bytes, request timeout, framing', () => {
  const t = useTestDatabase('http_edges');
  let org: TestOrg;
  let api: ReturnType<typeof http>;

  before(async () => {
    const s = testServices(t.db);
    org = await seedTestOrg(s);
    api = http(s);
  });

  describe('methods a route does not serve', () => {
    it('answers TRACE with 405 and the Allow list on every kind of route', async () => {
      for (const [path, allowed] of [
        ['/api/stores', ['GET', 'POST']],
        ['/healthz', ['GET']],
        ['/callbacks/wecom', ['GET', 'POST']],
        ['/sidebar', ['GET']],
        ['/hq', ['GET']],
      ] as const) {
        const res = await api.raw().trace(path).set('Authorization', `Bearer ${org.tokens.hq}`);
        expect(res.status, `TRACE ${path}`).to.equal(405);
        expectError(res.body as ErrorBody, 'method_not_allowed');
        const allow = String(res.headers.allow).split(', ');
        expect(allow, `Allow of ${path}`).to.include.members([...allowed]);
        expect(allow).to.not.include('TRACE');
        expect((res.body as ErrorBody).error.message).to.match(/^不支持的请求方法 TRACE/);
      }
    });

    it('answers other unsupported methods the same way, and keeps 404 for paths that do not exist', async () => {
      const put = await api.raw().put('/api/stores').expect(405);
      expect(String(put.headers.allow).split(', ')).to.include.members(['GET', 'POST']);
      const connect = await api.raw().delete('/healthz').expect(405);
      expect(connect.headers.allow).to.include('GET');
      const missing = await api.raw().trace('/api/nothing-here').expect(404);
      expectError(missing.body as ErrorBody, 'not_found');
      expect(missing.headers.allow).to.equal(undefined);
      await api.raw().trace('/nowhere').expect(404);
    });
  });

  describe('bytes no route can use in the URL', () => {
    it('answers a NUL byte in a query string with 400, not a database error', async () => {
      const res = await api.get('/api/contacts?q=%00', org.tokens.hq).expect(400);
      expectError(res.body as ErrorBody, 'bad_request');
      expect((res.body as ErrorBody).error.message).to.match(/^请求地址含有空字符/);
      await api.get('/api/contacts?q=a%00b', org.tokens.hq).expect(400);
      await api.get('/api/stores/%00', org.tokens.hq).expect(400);
    });

    it('answers malformed or non-UTF-8 percent-encoding with 400', async () => {
      for (const q of ['%E6%9D', '%FF', '%ZZ', '100%']) {
        const res = await api.get(`/api/contacts?q=${q}`, org.tokens.hq);
        expect(res.status, q).to.equal(400);
        expect((res.body as ErrorBody).error.message).to.match(/^请求地址的编码无效/);
      }
    });

    it('still serves well-formed queries, Chinese included', async () => {
      await api.get('/api/contacts?q=%E6%9D%8E', org.tokens.hq).expect(200);
      await api.get('/api/contacts?q=a+b', org.tokens.hq).expect(200);
    });
  });

  describe('request timeout', () => {
    let relay: Awaited<ReturnType<typeof hangableRelay>>;
    let hungDb: Database<Models>;
    let server: ReturnType<ReturnType<typeof createApp>['callback']>;

    before(async function () {
      const target = new URL(testMongoUri());
      // The relay stands in front of one host; a multi-host or SRV MONGODB_URI cannot be relayed this simply.
      if (target.protocol !== 'mongodb:' || target.host.includes(',')) this.skip();
      relay = await hangableRelay({ host: target.hostname, port: Number(target.port || 27017) });
      const relayed = new URL(target.href);
      relayed.hostname = '127.0.0.1';
      relayed.port = String(relay.port);
      relayed.searchParams.set('directConnection', 'true');
      hungDb = await openDatabase(relayed.href, t.name, registerModels);
      const config = loadConfig({ LOG_LEVEL: 'silent', SIYU_REQUEST_TIMEOUT_MS: '400', SIYU_UPLOAD_TIMEOUT_MS: '1500' });
      const services = buildModules({ config, db: hungDb, clock: fixedClock('2026-11-22T02:00:00Z'), logger: pino({ level: 'silent' }), metrics: createMetrics(), keys: TEST_KEYS });
      server = createApp(services).callback();
    });
    after(async () => {
      relay?.resume();
      await hungDb?.close().catch(() => undefined);
      await relay?.close();
    });

    it('answers 503 with the standard error body when the database hangs, then serves again when it is back', async () => {
      await request(server).get('/api/stores').set('Authorization', `Bearer ${org.tokens.hq}`).expect(200);
      relay.hang();
      const started = Date.now();
      const res = await request(server).get('/api/stores').set('Authorization', `Bearer ${org.tokens.hq}`);
      const took = Date.now() - started;
      expect(res.status).to.equal(503);
      expectError(res.body as ErrorBody, 'unavailable');
      expect((res.body as ErrorBody).error.message).to.match(/^请求超时：0\.4 秒内未完成/);
      expect((res.body as ErrorBody).error.details).to.deep.equal({ timeoutMs: 400 });
      expect(took).to.be.within(350, 3000);
      relay.resume();
      await request(server).get('/api/stores').set('Authorization', `Bearer ${org.tokens.hq}`).expect(200);
    });

    it('gives multipart uploads (the lead CSV import) the longer upload budget', async () => {
      relay.hang();
      try {
        const started = Date.now();
        const res = await request(server)
          .post('/api/campaigns/0123456789abcdef01234567/leads/import')
          .set('Authorization', `Bearer ${org.tokens.hq}`)
          .attach('file', Buffer.from('phone\n13800000000\n'), 'leads.csv');
        const took = Date.now() - started;
        expect(res.status).to.equal(503);
        expect((res.body as ErrorBody).error.details).to.deep.equal({ timeoutMs: 1500 });
        expect(took).to.be.at.least(1400);
      } finally {
        relay.resume();
      }
    });
  });

  describe('framing headers', () => {
    it('lets WeCom frame the chat toolbar page (/sidebar), and only WeCom', async () => {
      const res = await api.raw().get('/sidebar').expect(200);
      expect(res.headers['x-frame-options']).to.equal(undefined);
      const csp = String(res.headers['content-security-policy']);
      expect(csp).to.include('frame-ancestors https://work.weixin.qq.com https://*.qq.com');
      expect(csp).to.not.include("frame-ancestors 'none'");
      expect(csp).to.include("default-src 'none'").and.include("script-src 'self'");
      // The WeCom OAuth sign-in lands on /sidebar/oauth inside the same frame before redirecting to /sidebar.
      const signIn = await api.raw().get('/sidebar/oauth?code=not-a-real-code');
      expect(signIn.status).to.equal(302);
      expect(signIn.headers['x-frame-options']).to.equal(undefined);
      expect(String(signIn.headers['content-security-policy'])).to.include('frame-ancestors https://work.weixin.qq.com https://*.qq.com');
    });

    it('keeps every other page unframeable', async () => {
      for (const path of ['/hq', '/m', '/experiments', '/hq/campaigns', '/stores/nearest']) {
        const res = await api.raw().get(path).expect(200);
        expect(res.headers['x-frame-options'], path).to.equal('DENY');
        expect(String(res.headers['content-security-policy']), path).to.include("frame-ancestors 'none'");
      }
    });
  });
});
