/** Shared bench plumbing: a database (MONGODB_URI or a fresh in-memory dev server), args, RSS sampling, pools. */
import { Types } from 'mongoose';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../server/config.ts';
import type { Database } from '../server/db/database.ts';
import { startDevDatabase, type DevDatabase } from '../server/db/dev-database.ts';
import { buildModules, type Modules, type Models } from '../server/modules.ts';
import { systemClock, type Clock } from '../server/shared/clock.ts';
import { createMetrics } from '../server/system/metrics.ts';

/**
 * MONGODB_URI, or a fresh development database: in memory, or with `{ durable: true }` on a file in a temporary
 * directory (the store `npm start` uses, which commits journaled writes to its file before acknowledging them).
 */
export async function benchDatabase(opts: { durable?: boolean; compact?: boolean; heapMb?: number } = {}): Promise<{ uri: string; stop(): Promise<void> }> {
  // Benchmarks are tools, like tests: they may read the environment directly.
  const external = process.env.MONGODB_URI;
  if (external) return { uri: external, stop: async () => {} };
  const dir = opts.durable ? await mkdtemp(path.join(os.tmpdir(), 'siyu-bench-db-')) : undefined;
  const dev: DevDatabase = await startDevDatabase({
    cacheDir: process.env.SIYU_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'siyu'),
    // SIYU_BENCH_STORE=compact keeps every benchmark's documents as BSON bytes (see DevDatabaseOptions.store).
    store: dir ? { file: path.join(dir, 'devdb.mv') } : opts.compact || process.env.SIYU_BENCH_STORE === 'compact' ? 'compact' : 'memory',
    // SIYU_BENCH_JVM=zgc-25 (generational ZGC on JDK 25, JAVA25_HOME or Temurin's path) or g1-17 (default);
    // SIYU_BENCH_DB_HEAP_MB caps the heap: the comparison in docs/decisions/0003-dev-database-jvm.md.
    jvm: { kind: process.env.SIYU_BENCH_JVM === 'zgc-25' ? 'zgc-25' : 'g1-17', javaHome: process.env.JAVA25_HOME, heapMb: process.env.SIYU_BENCH_DB_HEAP_MB ? Number(process.env.SIYU_BENCH_DB_HEAP_MB) : opts.heapMb },
  });
  return {
    uri: dev.uri,
    async stop() {
      await dev.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export function intArg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  // A bare number is N (`npm run bench -- sop-fanout 5000`), unless it is the value of a `--flag`.
  const positional = args.find((a, k) => /^\d+$/.test(a) && !args[k - 1]?.startsWith('--'));
  const raw = i >= 0 ? args[i + 1] : name === 'n' ? positional : undefined;
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
  return n;
}

/** Peak resident set size of this process, sampled every 50 ms (Node has no portable peak counter). */
export function rssSampler(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.round(Math.max(peak, process.memoryUsage.rss()) / 1024 / 1024);
    },
  };
}

/** Runs `work(i)` for i in [0, n) with at most `concurrency` in flight. */
export async function pool(n: number, concurrency: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) await work(next++);
    }),
  );
}


/**
 * A `sop_touches` row as a hand-written raw insert would write it: every field of the ledger, one literal (the
 * fanout bench inserts these as its raw baseline, the dispatch bench seeds its due touches with them).
 */
export function ledgerTouch(t: { corpId: string; sopId: string; contactId: string; storeId: string; staffId: string; templateId: string; dueAt: Date; localDay: string; now: Date }) {
  return {
    _id: new Types.ObjectId(),
    corpId: t.corpId,
    key: `${t.sopId}:${t.contactId}:1:hello`,
    sopId: t.sopId,
    sopVersion: 1,
    enrollmentId: String(new Types.ObjectId()),
    contactId: t.contactId,
    storeId: t.storeId,
    staffId: t.staffId,
    stepId: 'hello',
    channel: 'wecom_1to1',
    templateId: t.templateId,
    templateVersion: null,
    experiment: null,
    variant: null,
    priority: 50,
    tz: 'Asia/Shanghai',
    dueAt: t.dueAt,
    localDay: t.localDay,
    status: 'scheduled',
    reason: null,
    deferrals: [],
    text: null,
    leaseOwner: null,
    leaseUntil: null,
    attempts: 0,
    sendStartedAt: null,
    reclaimed: false,
    vendorId: null,
    error: { errcode: null, kind: null, message: null },
    sentAt: null,
    __v: 0,
    createdAt: t.now,
    updatedAt: t.now,
  };
}

/** The phone keys every bench uses (hex, 32 bytes each); worker processes get them through the environment. */
export const BENCH_KEYS = { phoneKeyHex: '01'.repeat(32), hashKeyHex: '02'.repeat(32) };

/** The app's services over a bench database: silent logs, fresh metrics, the bench keys, the given clock. */
export function benchServices(db: Database<Models>, clock: Clock = systemClock, keys = BENCH_KEYS): Modules & { db: Database<Models> } {
  return { ...buildModules({ config: loadConfig({ LOG_LEVEL: 'silent' }), db, clock, logger: pino({ level: 'silent' }), metrics: createMetrics(), keys }), db };
}
