/**
 * One development database per data directory. The first process that needs it (npm start, the CLI, a bench)
 * starts it and records it in the data dir; the others attach to the recorded one while it lives. Every process
 * then watches it: when it is gone (killed, or its starter stopped), one of them starts it again on the same
 * port and store file (the drivers reconnect by themselves) and the rest attach to that one. A process stops
 * only a database it started itself.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DevDatabaseError, startDevDatabase, type DevDatabase } from './dev-database.ts';
import { portOpen, readRecord, recordAlive, removeRecord, withStartLock, writeRecord } from './dev-database.registry.ts';
import { provisionDevDatabase } from './dev-database.provision.ts';

export type SharedDevDatabaseOptions = {
  cacheDir: string;
  dataDir: string;
  log?: (line: string) => void;
  /** The database is gone and could not be brought back on its port: the caller should exit (non-zero). */
  onLost?: (err: Error) => void;
  /** How often an attached process checks that the port still answers. */
  watchEveryMs?: number;
};

export type SharedDevDatabase = {
  uri: string;
  port: number;
  /** True while this process runs the database (it started it, or took over after it died). */
  owned(): boolean;
  /** The java process serving the port now. */
  javaPid(): number;
  stop(): Promise<void>;
};

const LOCKED_RETRY_MS = 20_000;

export async function openSharedDevDatabase(opts: SharedDevDatabaseOptions): Promise<SharedDevDatabase> {
  // Provisioning may take minutes the first time: done before the start lock, which it does not need.
  await provisionDevDatabase({ cacheDir: opts.cacheDir, log: opts.log });
  await mkdir(opts.dataDir, { recursive: true });
  const first = await attachOrStart(opts);
  return new Keeper(opts, first);
}

type Attached = { port: number; javaPid: number; child?: DevDatabase };

/**
 * The recorded database if it is alive, else (under the start lock, checking again) a new one on `port`, or on the
 * recorded port so attached drivers find it again, or on a free one.
 */
async function attachOrStart(opts: SharedDevDatabaseOptions, port?: number): Promise<Attached> {
  const file = path.join(opts.dataDir, 'devdb.mv');
  const deadline = Date.now() + LOCKED_RETRY_MS;
  for (;;) {
    const recorded = await readRecord(opts.dataDir);
    if (recorded && (await recordAlive(recorded))) return { port: recorded.port, javaPid: recorded.javaPid };
    try {
      return await withStartLock(opts.dataDir, async () => {
        const again = await readRecord(opts.dataDir);
        if (again && (await recordAlive(again))) return { port: again.port, javaPid: again.javaPid };
        const child = await startOnPort(opts, file, port ?? again?.port);
        await writeRecord(opts.dataDir, { port: child.port, pid: process.pid, javaPid: child.pid, file, startedAt: new Date().toISOString() });
        opts.log?.(`development database started on 127.0.0.1:${child.port} (java pid ${child.pid}), data in ${file}`);
        return { port: child.port, javaPid: child.pid, child };
      });
    } catch (err) {
      // The store is still open in a process that is going away (a killed database's JVM, a starter that lost the
      // race without recording): wait for it, then look at the record again.
      if (err instanceof DevDatabaseError && err.reason === 'locked' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      throw err;
    }
  }
}

async function startOnPort(opts: SharedDevDatabaseOptions, file: string, port: number | undefined): Promise<DevDatabase> {
  try {
    return await startDevDatabase({ cacheDir: opts.cacheDir, store: { file }, port, log: opts.log });
  } catch (err) {
    // The recorded port was taken by something else meanwhile: any free port will do for a first start.
    if (port !== undefined && err instanceof DevDatabaseError && err.reason === 'port-in-use') {
      return startDevDatabase({ cacheDir: opts.cacheDir, store: { file }, log: opts.log });
    }
    throw err;
  }
}

class Keeper implements SharedDevDatabase {
  readonly uri: string;
  readonly port: number;
  private current: Attached;
  private stopping = false;
  private recovering: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly opts: SharedDevDatabaseOptions,
    first: Attached,
  ) {
    this.port = first.port;
    this.uri = `mongodb://127.0.0.1:${first.port}`;
    this.current = first;
    this.watchChild();
    // Another process's database gives us no exit event: a connect each second tells us it is gone.
    this.timer = setInterval(() => {
      if (this.current.child || this.recovering) return;
      void portOpen(this.port).then((open) => {
        if (!open) this.recover('the development database stopped answering');
      });
    }, opts.watchEveryMs ?? 1000);
    this.timer.unref();
  }

  owned(): boolean {
    return this.current.child !== undefined;
  }

  javaPid(): number {
    return this.current.javaPid;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.recovering?.catch(() => undefined);
    const child = this.current.child;
    if (!child) return;
    await child.stop();
    await removeRecord(this.opts.dataDir, child.pid);
  }

  private watchChild(): void {
    this.current.child?.onExit((code, signal) => this.recover(`the development database exited (${signal ?? `code ${code}`})`));
  }

  private recover(why: string): void {
    if (this.stopping || this.recovering) return;
    this.opts.log?.(`${why}; starting it again on port ${this.port}`);
    this.recovering = (async () => {
      const next = await attachOrStart(this.opts, this.port);
      if (next.port !== this.port) {
        await next.child?.stop();
        throw new Error(`开发数据库无法在原端口 ${this.port} 重启 The development database could not be restarted on port ${this.port}`);
      }
      if (this.stopping) {
        await next.child?.stop();
        return;
      }
      this.current = next;
      this.watchChild();
      this.opts.log?.(`development database back on port ${this.port} (${next.child ? 'restarted here' : 'attached'}, java pid ${next.javaPid})`);
    })()
      .catch((err: Error) => {
        if (!this.stopping) this.opts.onLost?.(err);
      })
      .finally(() => {
        this.recovering = undefined;
      });
  }
}
