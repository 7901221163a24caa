/**
 * dispatch: N due WeCom 1:1 touches for contacts of 50 staff members, sent by 3 worker processes
 * (bench/dispatch-worker.ts, each running TouchDispatcher.drain) to the WeCom simulator running in this process.
 * Counted at the simulator: how often each recipient was in an add_msg_template (duplicates = deliveries past
 * the first; lost = touches not sent or recipients never delivered). `--kill` SIGKILLs one worker while it holds
 * a claim and starts another: the dead worker's touches are reconciled with the vendor (findSent) by whichever
 * worker takes them over. The workers share a host, as a restarted scheduler shares its predecessor's, so they see
 * its pid gone and take its touches over within about a second (`takeover: "pid"`); with `--other-hosts` each
 * worker names itself after a host of its own, and the dead worker's touches wait out the lease (`"lease"`).
 *
 * The lease (`--lease=<seconds>`, default the dispatcher's own, LEASE_MS) only decides how long a killed
 * worker's touches wait: a live worker extends its lease every third of it while a claim is in hand, checks it
 * again before each vendor call and sends only the rows it still holds, so no touch is sent twice.
 * `max_claim_s` reports the longest time from a claim to its send.
 *
 * The clock starts when the workers, loaded and connected, are told to go (a deployment's workers are long up;
 * a killed worker's replacement starts cold, inside the clock) and `per_s` counts to the last touch sent;
 * `run_s` is the whole run including the workers' last polls and exits.
 *
 * The raw side (`raw_update_per_s`): single-document updates by id of ledger-shaped rows in a collection with the
 * ledger's indexes, in the same database, as many at once as there are workers; measured just before and just
 * after the workers run and averaged (the development server slows as its heap fills). `ratio` = per_s / raw.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { Types } from 'mongoose';
import { startWecomSimulator, SIM_CORP_ID, SIM_SECRET } from '../adapters/wecom/simulator/wecom-simulator.ts';
import { openDatabase, type Database } from '../server/db/database.ts';
import { type Modules, registerModels, type Models } from '../server/modules.ts';
import { localDate as localDay } from '../server/shared/local-date.ts';
import { SopRegistry } from '../server/sop/runtime/sop-registry.ts';
import { LEASE_MS } from '../server/sop/runtime/dispatcher.ts';
import { benchDatabase, benchServices, intArg, ledgerTouch, pool } from './support.ts';

const STAFF = 50;
const WORKERS = 3;
/** 11:00 in Shanghai on a Monday: outside quiet hours, whatever the time of day the bench runs at. */
const BENCH_TIME = Date.parse('2026-11-23T03:00:00Z');
const KEYS = { SIYU_PHONE_KEY: '01'.repeat(32), SIYU_HASH_KEY: '02'.repeat(32) };

export async function run(args: string[]) {
  const n = intArg(args, 'n', 20_000);
  const kill = args.includes('--kill');
  const otherHosts = args.includes('--other-hosts');
  // `--lease=<seconds>` (a bare number would be taken for n): how long a claim holds its touches.
  const leaseMs = Number(args.find((a) => a.startsWith('--lease='))?.slice(8) ?? LEASE_MS / 1000) * 1000;
  if (!(leaseMs > 0)) throw new Error('--lease=<seconds> must be positive');
  const server = await benchDatabase();
  const dbName = `bench_dispatch_${Date.now()}`;
  const db = await openDatabase(server.uri, dbName, registerModels);
  // Workers and simulator share one clock: real time moved to BENCH_TIME, so leases lapse in real time.
  const offset = BENCH_TIME - Date.now();
  const clock = { now: () => new Date(Date.now() + offset) };
  const sim = await startWecomSimulator({ clock });
  const workers = new Map<string, ChildProcess>();
  try {
    const services = benchServices(db, clock, { phoneKeyHex: KEYS.SIYU_PHONE_KEY, hashKeyHex: KEYS.SIYU_HASH_KEY });
    const recipients = await seed(services, db, sim, n);

    let started = 0;
    /** Spawns a worker; `ready` resolves once it is connected and waiting for `go()`; `exit` with its exit code. */
    const start = () => {
      const name = `worker-${++started}`;
      const host = otherHosts ? { SIYU_BENCH_WORKER_HOST: `bench-host-${started}` } : {};
      const worker = spawn(process.execPath, ['--import', 'tsx', 'bench/dispatch-worker.ts'], {
        env: { ...process.env, ...KEYS, ...host, MONGODB_URI: server.uri, MONGODB_DB: dbName, SIYU_BENCH_LEASE_MS: String(leaseMs), SIYU_BENCH_CLOCK_OFFSET_MS: String(offset) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      workers.set(name, worker);
      const exit = new Promise<number | null>((resolve) =>
        worker.once('exit', (code) => {
          workers.delete(name);
          resolve(code);
        }),
      );
      const ready = new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        void exit.then((code) => reject(new Error(`dispatch worker ${name} exited (${code}) before it was ready`)));
      });
      return { ready, exit, go: () => worker.send('go') };
    };
    const rawBefore = await rawUpdateRate(db, n);
    // The workers load their code and connect before the clock starts, as a running deployment's workers are up.
    const first = Array.from({ length: WORKERS }, start);
    await Promise.all(first.map((w) => w.ready));
    const t0 = clock.now().getTime();
    for (const w of first) w.go();
    const exits = first.map((w) => w.exit);
    // The replacement for a killed worker starts cold, inside the clock: its loading is part of the recovery.
    if (kill)
      exits.push(
        killOneMidway(db, n, workers, otherHosts ? 'bench-host-1' : os.hostname(), () => {
          const w = start();
          void w.ready.then(w.go, () => undefined);
          return w.exit;
        }),
      );
    const codes = await Promise.all(exits);
    const runSeconds = (clock.now().getTime() - t0) / 1000;
    const rawAfter = await rawUpdateRate(db, n);
    const raw = (rawBefore + rawAfter) / 2;
    // The killed worker exits with null (signal); every other one must finish cleanly.
    if (codes.some((c) => c !== 0 && c !== null)) throw new Error(`a dispatch worker failed (exit codes ${codes.join(', ')})`);

    const deliveries = new Map<string, number>();
    for (const mass of sim.state.massSends.values()) {
      for (const row of mass.rows) if (row.external_userid) deliveries.set(row.external_userid, (deliveries.get(row.external_userid) ?? 0) + 1);
    }
    const touches = await db.models.Touch.find({ corpId: SIM_CORP_ID }).select('contactId status sendStartedAt sentAt attempts').lean();
    // Sent per second: up to the last send (the workers' clock is this clock); `run_s` adds their polling and exit.
    const lastSent = Math.max(t0 + 1, ...touches.map((t) => t.sentAt?.getTime() ?? 0));
    const seconds = (lastSent - t0) / 1000;
    const sent = touches.filter((t) => t.status === 'sent').length;
    const lost = touches.filter((t) => t.status !== 'sent' || !deliveries.get(recipients.get(t.contactId)!)).length;
    const duplicates = [...deliveries.values()].reduce((sum, k) => sum + Math.max(0, k - 1), 0);
    return {
      bench: 'dispatch',
      n,
      sent,
      duplicates,
      lost,
      per_s: Math.round(sent / seconds),
      raw_update_per_s: Math.round(raw),
      ratio: Number((sent / seconds / raw).toFixed(3)),
      ...(kill ? { killed: 1, reclaimed: touches.filter((t) => t.attempts > 1).length, takeover: otherHosts ? 'lease' : 'pid' } : {}),
      run_s: Number(runSeconds.toFixed(1)),
      lease_s: leaseMs / 1000,
      // The longest time from a claim to its send (a killed worker's touches include the wait for its lease).
      max_claim_s: Math.round(Math.max(0, ...touches.map((t) => (t.sentAt && t.sendStartedAt ? t.sentAt.getTime() - t.sendStartedAt.getTime() : 0))) / 1000),
    };
  } finally {
    for (const w of workers.values()) w.kill('SIGKILL');
    await sim.stop();
    await db.connection.dropDatabase().catch(() => undefined);
    await db.close();
    await server.stop();
  }
}

/**
 * Single-document updates per second: `min(n, 5000)` ledger-shaped rows in `sop_touches_raw` (the ledger's
 * indexes), each set sent by id with one `updateOne`, WORKERS at a time. Fresh rows each call.
 */
async function rawUpdateRate(db: Database<Models>, n: number): Promise<number> {
  const raw = db.connection.db!.collection('sop_touches_raw');
  if (!(await raw.indexes().catch(() => [])).some((i) => i.name !== '_id_')) {
    for (const spec of await db.models.Touch.collection.indexes()) if (spec.name !== '_id_') await raw.createIndex(spec.key, { unique: spec.unique ?? false });
  }
  const now = new Date();
  const rows = Array.from({ length: Math.min(n, 5000) }, (_, i) =>
    ledgerTouch({ corpId: `wwraw${now.getTime()}`, sopId: 'raw', contactId: `raw${i}`, storeId: 'st', staffId: `s${i % STAFF}`, templateId: 'tpl', dueAt: now, localDay: '2026-11-23', now }),
  );
  for (let i = 0; i < rows.length; i += 1000) await raw.insertMany(rows.slice(i, i + 1000), { ordered: false });
  const t0 = performance.now();
  await pool(rows.length, WORKERS, (i) => raw.updateOne({ _id: rows[i]!._id }, { $set: { status: 'sent', vendorId: 'v', text: 'raw', sentAt: new Date(), leaseOwner: null, leaseUntil: null } }));
  return rows.length / ((performance.now() - t0) / 1000);
}

/**
 * Waits until a third of the touches are sent and the first worker holds a claim, SIGKILLs it, and starts a new
 * worker in its place; resolves with the new worker's exit code.
 */
async function killOneMidway(db: Database<Models>, n: number, workers: Map<string, ChildProcess>, host: string, start: () => Promise<number | null>): Promise<number | null> {
  const m = db.models;
  // The worker's lease owner, as dispatch-worker.ts names it.
  const owner = `${host}:${workers.get('worker-1')?.pid}`;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const [sent, holding] = await Promise.all([m.Touch.countDocuments({ status: 'sent' }), m.Touch.countDocuments({ status: 'sending', leaseOwner: owner })]);
    if (sent >= n / 3 && holding > 0) break;
    if (sent >= n) throw new Error('--kill: every touch was sent before worker-1 could be caught holding a claim');
  }
  workers.get('worker-1')?.kill('SIGKILL');
  return start();
}

/** A corp with one store, 50 staff members and `n` contacts, each a friend of one staff member, with a due touch. */
async function seed(services: Modules, db: Database<Models>, sim: Awaited<ReturnType<typeof startWecomSimulator>>, n: number): Promise<Map<string, string>> {
  const corpId = SIM_CORP_ID;
  const scope = { corpId, storeIds: null };
  await services.org.upsertCorp({ corpId, name: '压测企业' });
  const store = await services.org.createStore(scope, { code: 'SH01', name: '上海店', city: '上海', region: '华东', timezone: 'Asia/Shanghai' });
  const staff: Array<{ id: string; userId: string }> = [];
  for (let i = 0; i < STAFF; i++) {
    staff.push(await services.org.createStaff(scope, { userId: `s${i}`, name: `导购${i}`, storeId: store.id, role: 'staff' }));
    sim.control.addStaff(`s${i}`);
  }
  await services.channelAccounts.upsertDefault({ corpId, kind: 'wecom', name: 'sim', config: { corpId: SIM_CORP_ID, secret: SIM_SECRET, token: 'tok', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', apiBase: sim.baseUrl } });
  const registry = new SopRegistry(services);
  await registry.publish(corpId, { id: 'dispatch', name: '到店提醒', trigger: { type: 'event', event: 'friend_added' }, steps: [{ id: 'hello', type: 'send', channel: 'wecom_1to1', template: 'tpl-dispatch' }] }, 'api');
  await registry.setStatus(corpId, 'dispatch', 'enabled');

  const m = db.models;
  const recipients = new Map<string, string>();
  const due = new Date(services.clock.now().getTime() - 60_000);
  for (let from = 0; from < n; from += 1000) {
    const now = new Date();
    const ids = Array.from({ length: Math.min(1000, n - from) }, () => new Types.ObjectId());
    const owner = (k: number) => staff[(from + k) % STAFF]!;
    const ext = (k: number) => `wmdispatch${from + k}`;
    ids.forEach((id, k) => {
      recipients.set(String(id), ext(k));
      sim.control.addCustomer({ external_userid: ext(k), name: `客户${from + k}`, follow_user: [{ userid: owner(k).userId }] });
    });
    await m.Contact.collection.insertMany(
      ids.map((_id, k) => ({ _id, corpId, identityKeys: [`wecom:${ext(k)}`], externalUserId: ext(k), openids: [], kfIds: [], wechatyIds: [], name: `客户${from + k}`, gender: 0, lifecycle: 'friend', consent: { optedOut: false, optedOutAt: null, reachable: true }, homeStoreId: store.id, storeIds: [store.id], staffIds: [owner(k).id], tagIds: [], remarks: [], lastInteractionAt: null, mergedInto: null, mergedKeys: [], unsubscribedKeys: [], createdAt: now, updatedAt: now })),
    );
    await m.Follow.collection.insertMany(
      ids.map((_id, k) => ({ corpId, contactId: String(_id), staffId: owner(k).id, staffUserId: owner(k).userId, storeId: store.id, remark: '', description: '', tagIds: [], addWay: 0, state: '', addedAt: now, deletedAt: null, deletedBy: null, createdAt: now, updatedAt: now })),
    );
    await m.Touch.collection.insertMany(
      ids.map((_id, k) => ledgerTouch({ corpId, sopId: 'dispatch', contactId: String(_id), storeId: store.id, staffId: owner(k).id, templateId: 'tpl-dispatch', dueAt: due, localDay: localDay(due, 'Asia/Shanghai'), now })),
    );
  }
  return recipients;
}
