/**
 * One worker process of the dispatch bench: drains due touches with TouchDispatcher until no touch is due or
 * being sent (a touch left in `sending` by a killed worker is waited for until it is taken over), then exits.
 * Reads from the environment the database (MONGODB_URI, MONGODB_DB), the host it names itself after in its lease
 * owner (SIYU_BENCH_WORKER_HOST; this host's name, as in production, when absent), the lease
 * (SIYU_BENCH_LEASE_MS) and the clock offset the bench gives the simulator too (SIYU_BENCH_CLOCK_OFFSET_MS).
 * With an IPC channel it sends `ready` once connected and waits for any message before it starts.
 */
import { benchServices } from './support.ts';
import { openDatabase } from '../server/db/database.ts';
import { TouchDispatcher } from '../server/sop/runtime/dispatcher.ts';
import { processLeaseOwner } from '../server/shared/process-lease.ts';
import type { TouchRenderer } from '../server/sop/runtime/touch-renderer.ts';
import { registerModels } from '../server/modules.ts';

// Benchmarks are tools, like tests: they may read the environment directly.
const { MONGODB_URI, MONGODB_DB, SIYU_BENCH_WORKER_HOST, SIYU_BENCH_LEASE_MS, SIYU_BENCH_CLOCK_OFFSET_MS, SIYU_PHONE_KEY, SIYU_HASH_KEY } = process.env;
if (!MONGODB_URI || !MONGODB_DB || !SIYU_PHONE_KEY || !SIYU_HASH_KEY) throw new Error('dispatch-worker: MONGODB_URI, MONGODB_DB, SIYU_PHONE_KEY and SIYU_HASH_KEY are required');
const offset = Number(SIYU_BENCH_CLOCK_OFFSET_MS ?? 0);
const clock = { now: () => new Date(Date.now() + offset) };

/** One text per template, so the touches of one staff member go out as one mass send. */
const benchRenderer: TouchRenderer = async (touch) => ({ text: `【${touch.templateId}】本周新品到店，欢迎来看看` });

const db = await openDatabase(MONGODB_URI, MONGODB_DB, registerModels);
const services = benchServices(db, clock, { phoneKeyHex: SIYU_PHONE_KEY, hashKeyHex: SIYU_HASH_KEY });
// Started with an IPC channel, the worker says it is ready and waits for the bench's go: the clock measures
// dispatching, not loading the code (a running deployment's workers are long up).
if (process.send) {
  const go = new Promise((resolve) => process.once('message', resolve));
  process.send('ready');
  await go;
}
const owner = SIYU_BENCH_WORKER_HOST ? `${SIYU_BENCH_WORKER_HOST}:${process.pid}` : processLeaseOwner();
const dispatcher = new TouchDispatcher(services, owner, benchRenderer, SIYU_BENCH_LEASE_MS ? Number(SIYU_BENCH_LEASE_MS) : undefined);
for (;;) {
  if ((await dispatcher.drain()) > 0) continue;
  const open = await db.models.Touch.countDocuments({ $or: [{ status: 'scheduled', dueAt: { $lte: clock.now() } }, { status: 'sending' }] });
  if (!open) break;
  await new Promise((resolve) => setTimeout(resolve, 250));
}
await db.close();
process.exit(0);
