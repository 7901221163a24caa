/**
 * Composition root: config → database → services → scheduler → HTTP, and the reverse on stop.
 * `main.ts` adds signal handling; tests call boot() directly.
 */
import type { Server } from 'node:http';
import { once } from 'node:events';
import pino, { type Logger } from 'pino';
import { startDemoChannels, type DemoChannels } from '../adapters/registry.ts';
import { startScheduler, type Scheduler } from '../jobs/scheduler.ts';
import { createApp } from './app.ts';
import { closeServer } from './http/close-server.ts';
import { startHttpWorkers, type HttpWorkers } from './http/http-workers.ts';
import type { InboundProcessor, PushListeners } from './channels/index.ts';
import type { SopEngine } from './sop/index.ts';
import { mergeStoredKfDuplicates } from './contacts/index.ts';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/database.ts';
import { openSharedDevDatabase, type SharedDevDatabase } from './db/dev-database.shared.ts';
import { DEMO_KF_QUESTIONS, demoWorld, seedDemo, setUpDemo } from './demo/index.ts';
import { loadOrCreateDevSecrets } from './dev-secrets.ts';
import { buildModules, type Modules, registerModels, type Models } from './modules.ts';
import { systemClock, type Clock } from './shared/clock.ts';
import { processLeaseOwner } from './shared/process-lease.ts';
import { createMetrics } from './system/metrics.ts';

export type Running = {
  services: Modules;
  /** The database handle (the scheduler's agenda, operators' scripts); domains never see it. */
  db: Database<Models>;
  url: string | null;
  /** The HTTP worker processes' ids when SIYU_HTTP_WORKERS > 1, else empty. */
  httpWorkerPids(): number[];
  databaseUri: string;
  adminToken: string | undefined;
  stop(): Promise<void>;
  /** While stop() runs: the parts not stopped yet. */
  stillStopping(): string[];
  /** Demo mode's simulator and simulated customers, when they run (tests play the customer and the staff member). */
  demo?: DemoChannels;
};

/** The database, keys and services every process needs before its roles start; `close()` releases them. */
export type OpenedServices = {
  services: Modules;
  db: Database<Models>;
  databaseUri: string;
  /** The bootstrap admin token: SIYU_ADMIN_TOKEN, or the development one when the demo is on. */
  adminToken: string | undefined;
  close(): Promise<void>;
};

/**
 * Connects to MONGODB_URI, or starts the file-persisted development database in the data dir without it, then
 * builds the services (development keys from the data dir when none are configured). Used by boot() and the CLI.
 */
export async function openServices(config: Config, opts: { clock?: Clock; logger?: Logger; onDatabaseLost?: (err: Error) => void } = {}): Promise<OpenedServices> {
  const logger = opts.logger ?? pino({ level: config.logLevel });
  const clock = opts.clock ?? systemClock;
  let devDb: SharedDevDatabase | undefined;
  let uri = config.db.uri;
  if (!uri) {
    devDb = await openSharedDevDatabase({
      cacheDir: config.db.cacheDir,
      dataDir: config.db.dataDir,
      log: (line) => logger.info(line),
      // Answering 500s forever helps nobody: exit so a supervisor (or the user) starts us again.
      onLost: opts.onDatabaseLost ?? ((err) => {
        logger.fatal({ err }, '开发数据库已丢失 the development database is gone and could not be restarted');
        process.exit(1);
      }),
    });
    uri = devDb.uri;
    logger.info({ uri }, 'development database %s (file-persisted, data in %s)', devDb.owned() ? 'started' : 'attached', config.db.dataDir);
  }
  let db: Database<Models> | undefined;
  try {
    db = await openDatabase(uri, config.db.name, registerModels);
    const needsDevSecrets = !config.security.phoneKey || !config.security.hashKey || (!config.security.adminToken && config.demo.enabled);
    const dev = needsDevSecrets ? await loadOrCreateDevSecrets(config.db.dataDir) : undefined;
    if (dev && (!config.security.phoneKey || !config.security.hashKey)) logger.warn('SIYU_PHONE_KEY / SIYU_HASH_KEY unset: using development keys from %s', config.db.dataDir);
    const adminToken = config.security.adminToken ?? (config.demo.enabled ? dev?.adminToken : undefined);
    const services = buildModules({
      config: { ...config, security: { ...config.security, adminToken } },
      db,
      clock,
      logger,
      metrics: createMetrics({ defaultMetrics: true }),
      keys: { phoneKeyHex: config.security.phoneKey ?? dev!.phoneKeyHex, hashKeyHex: config.security.hashKey ?? dev!.hashKeyHex },
    });
    const openDb = db;
    return { services, db: openDb, databaseUri: uri, adminToken, close: () => closeDatabase(openDb, devDb) };
  } catch (err) {
    await closeDatabase(db, devDb).catch(() => undefined);
    throw err;
  }
}

export async function boot(config: Config, opts: { clock?: Clock; logger?: Logger } = {}): Promise<Running> {
  const logger = opts.logger ?? pino({ level: config.logLevel });
  const clock = opts.clock ?? systemClock;
  const core = await openServices(config, { clock, logger });
  const { services } = core;
  let scheduler: Scheduler | undefined;
  let processor: InboundProcessor | undefined;
  let listeners: PushListeners | undefined;
  let demo: DemoChannels | undefined;
  let sopEngine: SopEngine | undefined;
  let server: Server | undefined;
  let httpWorkers: HttpWorkers | undefined;
  const still = new Set<string>();
  try {
    let seededNow: string | undefined;
    if (config.demo.enabled) {
      const seeded = await seedDemo(services);
      if (seeded) logger.info(seeded, 'demo organisation seeded');
      seededNow = seeded?.corpId;
    }
    await services.channels.upsertDefaultAccounts(logger);
    const mergedContacts = await mergeStoredKfDuplicates(services);
    if (mergedContacts) logger.info({ mergedContacts }, '已合并重复客户 kf contacts merged into their WeCom contacts');
    const published = await services.sop.publishFiles();
    if (published) logger.info({ published }, 'SOP templates published from sop-templates/ (as drafts until enabled)');
    demo = await startDemoChannelsIfWanted(config, services, logger);
    // Right after the first seed only: a restart keeps whatever the user has enabled or paused since.
    if (demo && seededNow) logger.info(await setUpDemo(services, seededNow, logger), 'demo: store codes, campaign codes created and SOPs enabled');
    if (config.roles.includes('scheduler')) {
      // The 09:00 cards link to the staff page: the public URL when one is configured, else this host.
      const staffPageUrl = `${config.http.publicUrl ?? `http://127.0.0.1:${config.http.port}`}/m`;
      scheduler = await startScheduler({ services, db: core.db, logger, roles: config.roles, staffPageUrl });
      processor = services.channels.processor(logger.child({ component: 'inbound' }));
      const wake = () => processor?.notify();
      services.signals.on('inbound', wake);
      processor.start();
      listeners = services.channels.pushListeners(logger.child({ component: 'push' }), processLeaseOwner());
      await listeners.start();
      sopEngine = services.sop.engine(processLeaseOwner(), logger.child({ component: 'sop' }));
      sopEngine.start();
      // The due touches' backlog is reported where they are sent, next to the inbox's (siyu_touches_due …).
      services.metrics.watchBacklog({ touches: () => services.ledger.touches.dueBacklog(services.clock.now()) });
    }
    let url: string | null = null;
    if (config.roles.includes('http')) {
      let port: number;
      if (config.http.workers > 1) {
        httpWorkers = await startHttpWorkers(config, { databaseUri: core.databaseUri, signals: services.signals, metrics: services.metrics, logger });
        port = httpWorkers.port;
      } else {
        server = createApp(services).listen(config.http.port, config.http.host);
        await once(server, 'listening');
        const address = server.address();
        port = typeof address === 'object' && address ? address.port : config.http.port;
      }
      url = config.http.publicUrl ?? `http://127.0.0.1:${port}`;
      demo?.startActivity(`http://127.0.0.1:${port}/callbacks/wecom`, config.demo.activityIntervalMs);
    }
    let stopping: Promise<void> | undefined;
    return {
      services,
      db: core.db,
      url,
      httpWorkerPids: () => httpWorkers?.pids() ?? [],
      databaseUri: core.databaseUri,
      adminToken: core.adminToken,
      stop: () => (stopping ??= shutdown({ server, httpWorkers, scheduler, processor, listeners, demo, sopEngine, core, logger, timeoutMs: config.shutdownTimeoutMs, still })),
      stillStopping: () => [...still],
      ...(demo ? { demo } : {}),
    };
  } catch (err) {
    await shutdown({ server, httpWorkers, scheduler, processor, listeners, demo, sopEngine, core, logger, timeoutMs: config.shutdownTimeoutMs, still }).catch(() => undefined);
    throw err;
  }
}

/**
 * Every worker stops taking work at once and together: HTTP stops accepting and finishes the requests in flight,
 * the inbound processor, the SOP engine and the scheduler finish what they hold within `timeoutMs` and release
 * the rest (leases cleared, no attempt counted). Only then are the simulators stopped (until then a worker may
 * call them), and the database closed last. `still` names the parts not stopped yet (main.ts logs them if its
 * hard deadline passes).
 */
async function shutdown(parts: {
  server?: Server;
  httpWorkers?: HttpWorkers;
  scheduler?: Scheduler;
  processor?: InboundProcessor;
  listeners?: PushListeners;
  demo?: DemoChannels;
  sopEngine?: SopEngine;
  core: OpenedServices;
  logger: Logger;
  timeoutMs: number;
  still: Set<string>;
}): Promise<void> {
  const { server, httpWorkers, scheduler, processor, listeners, demo, sopEngine, core, logger, timeoutMs, still } = parts;
  const part = async (name: string, present: unknown, stop: () => Promise<unknown>) => {
    if (!present) return;
    still.add(name);
    try {
      const finished = await stop();
      logger.info({ part: name, ...(finished === false ? { released: true } : {}) }, finished === false ? '%s stopped; work still in hand was released' : '%s stopped', name);
    } catch (err) {
      logger.error({ err, part: name }, '%s failed to stop cleanly', name);
    } finally {
      still.delete(name);
    }
  };
  // The simulated customers stop first (their callbacks would meet a closed server); the simulator itself last.
  demo?.stopActivity();
  await Promise.all([
    part('http server', server, () => closeServer(server!, timeoutMs)),
    part('http workers', httpWorkers, () => httpWorkers!.stop()),
    part('inbound processor', processor, () => processor!.stop(timeoutMs)),
    part('sop engine', sopEngine, () => sopEngine!.stop(timeoutMs)),
    part('push listeners', listeners, () => listeners!.stop()),
    part('scheduler', scheduler, () => scheduler!.stop(timeoutMs)),
  ]);
  await part('demo simulators', demo, () => demo!.stop());
  await part('database', true, () => core.close());
  logger.info('shutdown complete');
}

async function closeDatabase(db: Database<Models> | undefined, devDb: SharedDevDatabase | undefined): Promise<void> {
  try {
    // A connection to a database that just went away can take long to close; the database is stopped regardless,
    // or the process would keep it (and itself) running.
    if (db) await Promise.race([db.close(), new Promise((r) => setTimeout(r, 5000).unref())]);
  } finally {
    if (devDb) await devDb.stop();
  }
}

/**
 * Demo mode without WECOM_* settings: a local WeCom simulator becomes the default WeCom account and a stream of
 * simulated customer activity is played through the real callback path once HTTP is up.
 */
async function startDemoChannelsIfWanted(config: Config, services: Modules, logger: Logger): Promise<DemoChannels | undefined> {
  if (!config.demo.activity || config.channels.wecom || !config.roles.includes('http')) return undefined;
  const corp = (await services.org.listCorps())[0];
  if (!corp) return undefined;
  const staff = await services.org.listStaff({ corpId: corp.corpId, storeIds: null }, { status: 'active' });
  const world = await demoWorld(services, corp.corpId);
  const demo = await startDemoChannels({ corpId: corp.corpId, staff: staff.map((s) => ({ userId: s.userId, name: s.name })), world, kfQuestions: DEMO_KF_QUESTIONS, clock: services.clock, log: (msg, fields) => logger.warn(fields ?? {}, msg) });
  await services.channelAccounts.upsertDefault({ corpId: corp.corpId, kind: 'wecom', name: '企业微信（演示模拟器）', config: demo.wecomConfig });
  logger.info({ apiBase: demo.wecomConfig.apiBase }, 'demo: WeCom simulator started; simulated customer activity will follow');
  return demo;
}
