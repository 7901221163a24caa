/**
 * sop-fanout: an audience SOP whose first step is a WeCom 1:1 send is enabled over N contacts: enrollAudience
 * enrolls them in batches and plans every first touch (our layer: routing, re-entry, the run and its touch),
 * against inserting N ledger-shaped documents (same shape and indexes as sop_touches) with the raw driver in
 * batches of the same size, into the same database. Seeding is not timed; both paths are warmed first.
 * Memory must stay flat in N (`--n 1000000`): the timed pass reports this process's peak RSS when its
 * 100,000th touch was handed to the ledger (`rss_at_100k_mb`) and over the whole pass (`rss_at_n_mb`).
 * Past 200,000 contacts the development server keeps its documents compact (BSON bytes: a million contacts with
 * their follows, runs, touches and the raw side are about five million documents, which do not fit its heap as
 * maps) with a heap of 60 % of the machine's memory, at most 14 GB; `store` says which. The raw side's first
 * pass is dropped before ours (its collection recreated with the same indexes), so the server never holds both.
 */
import os from 'node:os';
import { Types } from 'mongoose';
import { openDatabase, type Database } from '../server/db/database.ts';
import { type Modules, registerModels, type Models } from '../server/modules.ts';
import { SopRegistry } from '../server/sop/runtime/sop-registry.ts';
import { enrollAudience } from '../server/sop/runtime/triggers.ts';
import { benchDatabase, benchServices, intArg, ledgerTouch, rssSampler } from './support.ts';
import { gcEvery } from '../server/shared/heap-relief.ts';

const BATCH = 1000;
/** Above this many contacts the server's documents are kept compact (see the header). */
const COMPACT_ABOVE = 200_000;
const STAFF = 50;

export async function run(args: string[]) {
  const n = intArg(args, 'n', 100_000);
  const compact = n > COMPACT_ABOVE;
  const server = await benchDatabase(compact ? { compact, heapMb: Math.min(14_336, Math.floor((os.totalmem() * 0.6) / 1024 / 1024)) } : {});
  const dbName = `bench_fanout_${Date.now()}`;
  const db = await openDatabase(server.uri, dbName, registerModels);
  const rss = rssSampler();
  try {
    const services = benchServices(db);
    const registry = new SopRegistry(services);
    // The ledger's inserts are counted on their way in (no extra query in the timed pass) to catch the 100,000th.
    let handed = 0;
    let rssAt100k: number | null = null;
    let rssAtN = 0;
    const insertNew = services.ledger.touches.insertNew.bind(services.ledger.touches);
    services.ledger.touches.insertNew = async (docs) => {
      const before = handed;
      handed += docs.length;
      if (before < 100_000 && handed >= 100_000 && rssAt100k === null) rssAt100k = Math.round(process.memoryUsage.rss() / 1024 / 1024);
      return insertNew(docs);
    };
    const raw = db.connection.db!.collection('sop_touches_raw');
    const rawIndexes = async () => {
      for (const spec of await db.models.Touch.collection.indexes()) {
        if (spec.name !== '_id_') await raw.createIndex(spec.key, { unique: spec.unique ?? false });
      }
    };
    await rawIndexes();
    // The ledger shape as a hand-written raw insert of a touch writes it.
    // The raw side's batches are garbage at once; like seeding, its pass is relieved with a full GC now and then
    // (every 100,000 rows: a few tens of milliseconds in a pass of a minute), so the process peak is not the bench's own.
    const rawRelief = gcEvery(100_000);
    const rawInsert = async (corpId: string, count: number) => {
      for (let from = 0; from < count; from += BATCH) {
        const now = new Date();
        const docs = Array.from({ length: Math.min(BATCH, count - from) }, (_, k) =>
          ledgerTouch({ corpId, sopId: 'fanout', contactId: String(new Types.ObjectId()), storeId: 'store', staffId: `staff${(from + k) % STAFF}`, templateId: 'tpl-fanout', dueAt: now, localDay: '2026-11-22', now }),
        );
        await raw.insertMany(docs, { ordered: false });
        rawRelief(docs.length);
      }
    };
    const fanout = async (corpId: string, count: number, beforeTiming: () => Promise<unknown> = async () => undefined) => {
      await seed(services, db, corpId, count);
      await registry.publish(corpId, { id: 'fanout', name: '全员触达', trigger: { type: 'audience', lifecycle: ['friend'] }, steps: [{ id: 'hello', type: 'send', channel: 'wecom_1to1', template: 'tpl-fanout' }, { id: 'later', type: 'wait', duration: '3d' }, { id: 'again', type: 'send', channel: 'wecom_1to1', template: 'tpl-fanout-2' }] }, 'api');
      const sop = await registry.setStatus(corpId, 'fanout', 'enabled');
      await beforeTiming();
      const pass = rssSampler();
      const t0 = performance.now();
      const r = await enrollAudience(services, sop, services.clock.now());
      const seconds = (performance.now() - t0) / 1000;
      rssAtN = pass.stop();
      const planned = await db.models.Touch.countDocuments({ corpId, sopId: 'fanout' });
      if (r.enrolled !== count || planned !== count) throw new Error(`expected ${count} runs and touches, got ${r.enrolled} runs and ${planned} touches`);
      return seconds;
    };

    // Warm both paths first (the JVM behind the development server and V8 compile hot code late).
    const warm = Math.min(10_000, Math.ceil(n / 5));
    await fanout('wwwarm', warm);
    await rawInsert('wwwarm', warm);

    const settle = () => new Promise((resolve) => setTimeout(resolve, 2000));
    // The raw rate is measured just before and just after our pass and averaged: the development server's JVM
    // slows as its heap fills, and a single raw run on either side of ours varied from 20,000 to 33,000 per second.
    let rssRaw = 0;
    const timeRaw = async (corpId: string) => {
      await settle();
      const sampler = rssSampler();
      const r0 = performance.now();
      await rawInsert(corpId, n);
      const seconds = (performance.now() - r0) / 1000;
      rssRaw = Math.max(rssRaw, sampler.stop());
      return seconds;
    };
    const rawBefore = await timeRaw('wwrawbefore');
    await raw.drop();
    await rawIndexes();
    const oursSeconds = await fanout('wwbench', n, async () => {
      await settle();
      handed = 0;
      rssAt100k = null;
    });
    const rawAfter = await timeRaw('wwbench');
    const ours = n / oursSeconds;
    const rawRate = (n / rawBefore + n / rawAfter) / 2;
    return {
      bench: 'sop-fanout',
      n,
      planned_per_s: Math.round(ours),
      raw_insert_per_s: Math.round(rawRate),
      raw_before_after_per_s: [Math.round(n / rawBefore), Math.round(n / rawAfter)],
      ratio: Number((ours / rawRate).toFixed(3)),
      store: compact ? 'compact' : 'memory',
      peak_rss_mb: rss.stop(),
      rss_at_100k_mb: rssAt100k,
      rss_at_n_mb: rssAtN,
      // The raw side's passes (the bench's own inserts, not our code).
      rss_raw_mb: rssRaw,
    };
  } finally {
    await db.connection.dropDatabase().catch(() => undefined);
    await db.close();
    await server.stop();
  }
}

/** A corp with two stores in two zones, 50 staff members, and `count` friend contacts, one follow each. */
async function seed(services: Modules, db: Database<Models>, corpId: string, count: number): Promise<void> {
  const scope = { corpId, storeIds: null };
  await services.org.upsertCorp({ corpId, name: '压测企业' });
  const stores = [
    await services.org.createStore(scope, { code: 'SH01', name: '上海店', city: '上海', region: '华东', timezone: 'Asia/Shanghai' }),
    await services.org.createStore(scope, { code: 'UR01', name: '乌鲁木齐店', city: '乌鲁木齐', region: '西北', timezone: 'Asia/Urumqi' }),
  ];
  const staff: Array<{ id: string; userId: string; storeId: string }> = [];
  for (let i = 0; i < STAFF; i++) staff.push(await services.org.createStaff(scope, { userId: `s${i}`, name: `导购${i}`, storeId: stores[i % 2]!.id, role: 'staff' }));
  const m = db.models;
  // The seeding is the bench's own setup, not the pass it measures; left to V8 its garbage peaked at 416–459 MB
  // RSS in some runs (the pass itself stays near 300). The same relief the app's long passes use keeps it down.
  const relieve = gcEvery(10_000);
  for (let from = 0; from < count; from += 1000) {
    relieve(1000);
    const now = new Date();
    const ids = Array.from({ length: Math.min(1000, count - from) }, () => new Types.ObjectId());
    const owner = (k: number) => staff[(from + k) % STAFF]!;
    await m.Contact.collection.insertMany(
      ids.map((_id, k) => ({ _id, corpId, identityKeys: [`wecom:wmfan${from + k}`], externalUserId: `wmfan${from + k}`, openids: [], kfIds: [], wechatyIds: [], name: `客户${from + k}`, gender: 0, lifecycle: 'friend', consent: { optedOut: false, optedOutAt: null, reachable: true }, homeStoreId: owner(k).storeId, storeIds: [owner(k).storeId], staffIds: [owner(k).id], tagIds: [], remarks: [], lastInteractionAt: null, mergedInto: null, mergedKeys: [], unsubscribedKeys: [], createdAt: now, updatedAt: now })),
    );
    await m.Follow.collection.insertMany(
      ids.map((_id, k) => ({ corpId, contactId: String(_id), staffId: owner(k).id, staffUserId: owner(k).userId, storeId: owner(k).storeId, remark: '', description: '', tagIds: [], addWay: 0, state: '', addedAt: now, deletedAt: null, deletedBy: null, createdAt: now, updatedAt: now })),
    );
  }
}
