/**
 * Composition root: config → database → services → scheduler → HTTP, and the reverse on stop.
 * `main.ts` adds signal handling; tests call boot() directly.
 */
import type { Server } from 'node:http';
import { once } from 'node:events';
import pino, { type Logger } from 'pino';
import { startScheduler, type Scheduler } from '../jobs/scheduler.ts';
import { createApp } from './app.ts';
import { InboundProcessor } from './channels/inbound-processor.ts';
import { upsertDefaultAccounts } from './channels/default-accounts.ts';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/database.ts';
import { startDevDatabase, type DevDatabase } from './db/dev-database.ts';
import { seedDemo } from './demo/seed-demo.ts';
import { loadOrCreateDevSecrets } from './dev-secrets.ts';
import { buildServices, type Services } from './services.ts';
import { systemClock, type Clock } from './shared/clock.ts';
import { createMetrics } from './system/metrics.ts';

export type Running = {
  services: Services;
  url: string | null;
  databaseUri: string;
  adminToken: string | undefined;
  stop(): Promise<void>;
};

export async function boot(config: Config, opts: { clock?: Clock; logger?: Logger } = {}): Promise<Running> {
  const logger = opts.logger ?? pino({ level: config.logLevel });
  const clock = opts.clock ?? systemClock;
  let devDb: DevDatabase | undefined;
  let uri = config.db.uri;
  if (!uri) {
    devDb = await startDevDatabase({
      cacheDir: config.db.cacheDir,
      store: { file: `${config.db.dataDir}/devdb.mv` },
      log: (line) => logger.info(line),
    });
    uri = devDb.uri;
    logger.info({ uri }, 'development database started (file-persisted, data in %s)', config.db.dataDir);
  }
  let db: Database | undefined;
  let scheduler: Scheduler | undefined;
  let processor: InboundProcessor | undefined;
  let server: Server | undefined;
  try {
    db = await openDatabase(uri, config.db.name);
    const needsDevSecrets = !config.security.phoneKey || !config.security.hashKey || (!config.security.adminToken && config.demo.enabled);
    const dev = needsDevSecrets ? await loadOrCreateDevSecrets(config.db.dataDir) : undefined;
    if (dev && (!config.security.phoneKey || !config.security.hashKey)) logger.warn('SIYU_PHONE_KEY / SIYU_HASH_KEY unset: using development keys from %s', config.db.dataDir);
    const adminToken = config.security.adminToken ?? (config.demo.enabled ? dev?.adminToken : undefined);
    const services = buildServices({
      config: { ...config, security: { ...config.security, adminToken } },
      db,
      clock,
      logger,
      metrics: createMetrics({ defaultMetrics: true }),
      keys: { phoneKeyHex: config.security.phoneKey ?? dev!.phoneKeyHex, hashKeyHex: config.security.hashKey ?? dev!.hashKeyHex },
    });
    if (config.demo.enabled) {
      const seeded = await seedDemo(services);
      if (seeded) logger.info(seeded, 'demo organisation seeded');
    }
    await upsertDefaultAccounts(services, logger);
    if (config.roles.includes('scheduler')) {
      scheduler = await startScheduler({ db, clock, logger, metrics: services.metrics, roles: config.roles });
      processor = new InboundProcessor(services, logger.child({ component: 'inbound' }));
      const wake = () => processor?.notify();
      services.signals.on('inbound', wake);
      processor.start();
    }
    let url: string | null = null;
    if (config.roles.includes('http')) {
      server = createApp(services).listen(config.http.port, config.http.host);
      await once(server, 'listening');
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : config.http.port;
      url = config.http.publicUrl ?? `http://127.0.0.1:${port}`;
    }
    const openDb = db;
    let stopping: Promise<void> | undefined;
    return {
      services,
      url,
      databaseUri: uri,
      adminToken,
      stop: () => (stopping ??= shutdown({ server, scheduler, processor, db: openDb, devDb, logger })),
    };
  } catch (err) {
    await shutdown({ server, scheduler, processor, db, devDb, logger }).catch(() => undefined);
    throw err;
  }
}

/** Stop accepting, let in-flight requests finish, stop the scheduler, close the database, stop the dev server. */
async function shutdown(parts: { server?: Server; scheduler?: Scheduler; processor?: InboundProcessor; db?: Database; devDb?: DevDatabase; logger: Logger }): Promise<void> {
  const { server, scheduler, processor, db, devDb, logger } = parts;
  if (server) {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), 10_000);
    await closed;
    clearTimeout(force);
    logger.info('http server closed');
  }
  if (processor) await processor.stop();
  if (scheduler) await scheduler.stop();
  if (db) await db.close();
  if (devDb) await devDb.stop();
  logger.info('shutdown complete');
}
