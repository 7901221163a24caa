/**
 * Which development database serves a data directory: `<dataDir>/devdb.json` records the port and the process
 * ids of the one running, and `<dataDir>/devdb.lock` (created exclusively) makes starting one a critical
 * section, so two processes that find no live database do not both start one on the same store file.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import mongoose from 'mongoose';
import { DevDatabaseError } from './dev-database.ts';

export type DevDatabaseRecord = {
  port: number;
  /** The process that started the database (it stops it when it stops). */
  pid: number;
  /** The java process serving the port. */
  javaPid: number;
  file: string;
  startedAt: string;
};

const recordPath = (dataDir: string) => path.join(dataDir, 'devdb.json');
const lockPath = (dataDir: string) => path.join(dataDir, 'devdb.lock');

export async function readRecord(dataDir: string): Promise<DevDatabaseRecord | null> {
  try {
    const parsed = JSON.parse(await readFile(recordPath(dataDir), 'utf8')) as Partial<DevDatabaseRecord>;
    return Number.isInteger(parsed.port) && Number.isInteger(parsed.javaPid) ? (parsed as DevDatabaseRecord) : null;
  } catch {
    return null; // missing, or torn by a crash before the rename: nothing usable is recorded
  }
}

/** Written beside and renamed over, so a reader sees the old record or the new one, never half of one. */
export async function writeRecord(dataDir: string, record: DevDatabaseRecord): Promise<void> {
  const tmp = `${recordPath(dataDir)}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, JSON.stringify(record) + '\n');
  await rename(tmp, recordPath(dataDir));
}

/** Removes the record if it still names `javaPid` (a successor's record stays). */
export async function removeRecord(dataDir: string, javaPid: number): Promise<void> {
  const current = await readRecord(dataDir);
  if (current?.javaPid === javaPid) await unlink(recordPath(dataDir)).catch(() => undefined);
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The recorded database is usable: its java process lives and its port speaks MongoDB. */
export async function recordAlive(record: DevDatabaseRecord, timeoutMs = 2000): Promise<boolean> {
  return pidAlive(record.javaPid) && (await answersPing(record.port, timeoutMs));
}

/** The driver's handshake (isMaster) and a `ping` succeed; mongo-java-server has no `hello` command. */
async function answersPing(port: number, timeoutMs = 2000): Promise<boolean> {
  if (!(await portOpen(port, timeoutMs))) return false;
  const client = new mongoose.mongo.MongoClient(`mongodb://127.0.0.1:${port}`, { directConnection: true, serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs });
  try {
    await client.connect();
    const reply = await client.db('admin').command({ ping: 1 });
    return reply.ok === 1;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** A TCP connect only: cheap enough to run every second. */
export async function portOpen(port: number, timeoutMs = 1000): Promise<boolean> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.setTimeout(timeoutMs);
  try {
    const [event] = await Promise.race([once(socket, 'connect').then(() => ['connect']), once(socket, 'timeout').then(() => ['timeout'])]);
    return event === 'connect';
  } catch {
    return false; // ECONNREFUSED and friends
  } finally {
    socket.destroy();
  }
}

type LockHolder = { pid: number; at: number };

/**
 * Runs `fn` while holding `<dataDir>/devdb.lock`. A lock whose holder has died, or that is older than
 * `staleMs` (a holder hung mid-start), is broken; otherwise we wait up to `waitMs`.
 */
export async function withStartLock<T>(dataDir: string, fn: () => Promise<T>, opts: { waitMs?: number; staleMs?: number } = {}): Promise<T> {
  const waitMs = opts.waitMs ?? 90_000;
  const staleMs = opts.staleMs ?? 75_000;
  const file = lockPath(dataDir);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(JSON.stringify({ pid: process.pid, at: Date.now() } satisfies LockHolder));
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readHolder(file);
    if (!holder || !pidAlive(holder.pid) || Date.now() - holder.at > staleMs) {
      await breakLock(file, holder);
      continue;
    }
    if (Date.now() > deadline) throw new DevDatabaseError('failed', `开发数据库启动锁被进程 ${holder.pid} 占用 The development database start lock is held by process ${holder.pid}: ${file}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    return await fn();
  } finally {
    await unlink(file).catch(() => undefined);
  }
}

async function readHolder(file: string): Promise<LockHolder | null> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<LockHolder>;
    return typeof parsed.pid === 'number' && typeof parsed.at === 'number' ? (parsed as LockHolder) : null;
  } catch {
    return null;
  }
}

/**
 * Moves the stale lock aside under a name of our own, then checks that what we moved is the lock we judged
 * stale: if another process broke it first and took a fresh lock in between, that fresh lock is put back.
 * (An empty lock file, a holder that crashed between create and write, is judged stale once it is old.)
 */
async function breakLock(file: string, judged: LockHolder | null): Promise<void> {
  if (!judged) {
    const created = await stat(file).catch(() => null);
    if (created && Date.now() - created.mtimeMs < 2000) {
      await new Promise((r) => setTimeout(r, 100)); // its holder is probably writing it right now
      return;
    }
  }
  const aside = `${file}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await rename(file, aside);
  } catch {
    return; // someone else broke it
  }
  const moved = await readHolder(aside);
  if (moved && judged && (moved.pid !== judged.pid || moved.at !== judged.at) && pidAlive(moved.pid)) {
    // A live holder's lock: give it back unless a newer one already exists (then both proceed and the store's
    // own file lock decides; the loser attaches).
    await open(file, 'wx').then(
      async (h) => {
        await h.writeFile(JSON.stringify(moved));
        await h.close();
      },
      () => undefined,
    );
  }
  await unlink(aside).catch(() => undefined);
}
