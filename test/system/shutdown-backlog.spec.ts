/**
 * Shutdown with work in hand: stop() takes no new inbox row, gives the row it holds back within the bound
 * (SIYU_SHUTDOWN_TIMEOUT_MS) without counting its attempt, and stops the demo simulators only after every worker
 * that may call them. The WeCom API here is a server that never answers, so the row in hand cannot finish.
 */
import { expect } from 'chai';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import pino from 'pino';
import { kfMsgOrEvent } from '../../adapters/wecom/simulator/callback-events.ts';
import { boot } from '../../server/boot.ts';
import { loadConfig } from '../../server/config.ts';
import { openDatabase, type Database } from '../../server/db/database.ts';
import { testMongoUri } from '../support/database.ts';
import { registerModels, type Models } from '../../server/modules.ts';

const KEYS = { SIYU_PHONE_KEY: 'ab'.repeat(32), SIYU_HASH_KEY: 'cd'.repeat(32) };
const CORP = 'wwbacklog';
const BACKLOG = 3000;

/** A pino logger whose lines can be read back in order. */
function capturedLogger() {
  const lines: Array<{ msg: string; part?: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as { msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('shutdown with a backlog', function () {
  this.timeout(120_000);
  let db: Database<Models>;
  let dbName: string;

  beforeEach(async () => {
    dbName = `t_shutdown_backlog_${process.pid}_${Date.now()}`;
    db = await openDatabase(testMongoUri(), dbName, registerModels);
  });
  afterEach(async () => {
    await db.connection.dropDatabase();
    await db.close();
  });

  it('resolves within the bound, spends no attempt, and releases the row in hand for the next start', async () => {
    const held = new Set<ServerResponse>();
    const hanging: Server = createServer((_req, res) => void held.add(res));
    hanging.listen(0, '127.0.0.1');
    await once(hanging, 'listening');
    const address = hanging.address();
    const apiBase = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    await db.models.Corp.create({ corpId: CORP, name: '积压关停' });
    const { logger, lines } = capturedLogger();
    const running = await boot(
      loadConfig({
        ...process.env,
        ...KEYS,
        MONGODB_URI: testMongoUri(),
        MONGODB_DB: dbName,
        SIYU_ROLES: 'scheduler',
        SIYU_DEMO: 'false',
        SIYU_SHUTDOWN_TIMEOUT_MS: '1500',
        WECOM_CORP_ID: CORP,
        WECOM_SECRET: 'secret',
        WECOM_TOKEN: 'QDG6eK',
        WECOM_ENCODING_AES_KEY: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
        WECOM_API_BASE: apiBase,
      }),
      { logger },
    );
    try {
      const account = (await running.services.channelAccounts.listByKind('wecom'))[0]!;
      // Each row asks kf/sync_msg, which never answers: the processor holds one row and the rest wait.
      await Promise.all(Array.from({ length: BACKLOG }, (_, i) => running.services.inbox.record(account, kfMsgOrEvent({ corpId: CORP, token: `T${i}`, openKfId: 'wkBACKLOG', createTime: 1_795_200_000 + i }), running.services.adapterFor(account))));
      running.services.signals.emit('inbound');
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && (await db.models.InboundRaw.countDocuments({ status: 'processing' })) === 0) await new Promise((r) => setTimeout(r, 50));
      const inHand = await db.models.InboundRaw.findOne({ status: 'processing' }).lean();
      expect(inHand, 'the processor holds a row').to.not.equal(null);
      expect(inHand!.attempts).to.equal(1);

      const started = Date.now();
      await running.stop();
      const took = Date.now() - started;
      expect(took, 'the bound (1.5 s) plus closing, not the backlog').to.be.lessThan(5_000);
    } finally {
      for (const res of held) res.destroy();
      hanging.closeAllConnections();
      hanging.close();
    }
    expect(await db.models.InboundRaw.countDocuments({})).to.equal(BACKLOG);
    expect(await db.models.InboundRaw.countDocuments({ attempts: { $ne: 0 } }), 'no attempt spent by the shutdown').to.equal(0);
    expect(await db.models.InboundRaw.countDocuments({ status: 'pending', leaseUntil: null, nextAttemptAt: { $lte: new Date() } }), 'every row is due for the next start').to.equal(BACKLOG);
    expect(lines.some((l) => l.msg === 'inbound processor stopped; work still in hand was released')).to.equal(true);
  });

  it('stops the demo simulators after the inbound processor, the SOP engine and the scheduler, and the database last', async function () {
    const { logger, lines } = capturedLogger();
    const running = await boot(
      loadConfig({ ...process.env, ...KEYS, MONGODB_URI: testMongoUri(), MONGODB_DB: dbName, PORT: '0', HOST: '127.0.0.1', SIYU_DEMO: 'true', SIYU_DEMO_ACTIVITY: 'true', SIYU_SHUTDOWN_TIMEOUT_MS: '2000' }),
      { logger },
    );
    expect(lines.some((l) => /WeCom simulator started/.test(l.msg)), 'the demo simulator runs').to.equal(true);
    await running.stop();
    const at = (msg: string) => lines.findIndex((l) => l.msg.startsWith(msg));
    const demo = at('demo simulators stopped');
    expect(demo).to.be.greaterThan(-1);
    for (const worker of ['inbound processor stopped', 'sop engine stopped', 'scheduler stopped', 'http server stopped']) {
      expect(at(worker), worker).to.be.greaterThan(-1).and.lessThan(demo);
    }
    expect(at('database stopped')).to.be.greaterThan(demo);
    expect(at('shutdown complete')).to.be.greaterThan(at('database stopped'));
  });
});
