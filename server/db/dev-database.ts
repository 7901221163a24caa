/**
 * The development database: mongo-java-server, provisioned from Maven Central into a cache outside git and
 * started on a free loopback port. Used when MONGODB_URI is unset (npm start, tests, benchmarks).
 * See docs/decisions/0001-development-database.md for why and for the behaviour we rely on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { provisionDevDatabase } from './dev-database.provision.ts';

export type DevDatabaseOptions = {
  cacheDir: string;
  /**
   * `memory` for tests; `compact`: in memory too, each document kept as its BSON bytes (several times less heap, a
   * decode per document read: the million-contact benchmark); a file path (H2 MVStore) for `npm start`, so a
   * restart keeps the data.
   */
  store: 'memory' | 'compact' | { file: string };
  port?: number;
  log?: (line: string) => void;
  /**
   * The JVM to run on: `g1-17` (default: `java` on PATH, the G1 settings below) or `zgc-25`: generational ZGC on
   * the JDK 21+ at `javaHome` (falls back to `g1-17` when that JDK is absent). Both cap the heap at `heapMb`, by
   * default {@link defaultHeapMb}.
   * An experiment switch for the benchmarks (docs/decisions/0003-dev-database-jvm.md); nothing else sets it.
   */
  jvm?: { kind: 'g1-17' | 'zgc-25'; javaHome?: string; heapMb?: number };
  /**
   * `quick`: the JIT stops at its first tier (C1). A short run touches many code paths a few times each, and C2
   * compiled on about three quarters of a core through a whole inbound-apply run (per-thread CPU); groups of
   * test directories ran 6–18 % faster without it. Benchmarks and `npm start` keep the full JIT (default `full`).
   */
  jit?: 'full' | 'quick';
};

export type DevDatabase = {
  uri: string;
  port: number;
  /** The java process's id. */
  pid: number;
  /** Called once if the process ends other than through stop() (killed, crashed). */
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
  stop(): Promise<void>;
};

/** Why the development database did not start; the message is one line, zh-CN first, without the JVM's output. */
export class DevDatabaseError extends Error {
  override readonly name = 'DevDatabaseError';
  constructor(
    /** `locked`: another process has the store file open; `port-in-use`: the port is taken. */
    readonly reason: 'locked' | 'port-in-use' | 'failed',
    message: string,
    /** What the JVM printed, for the log. */
    readonly output = '',
  ) {
    super(message);
  }
}

export async function startDevDatabase(opts: DevDatabaseOptions): Promise<DevDatabase> {
  const { classpath } = await provisionDevDatabase({ cacheDir: opts.cacheDir, log: opts.log });
  const port = opts.port ?? (await freePort());
  const store = typeof opts.store === 'string' ? opts.store : opts.store.file;
  if (typeof opts.store !== 'string') await mkdir(path.dirname(opts.store.file), { recursive: true });
  // stdin stays piped: the launcher exits when it closes, so a crashed parent never leaves a database behind.
  const { java, flags } = jvmOf(opts);
  const child = spawn(java, [...flags, '-cp', classpath, 'DevMongo', String(port), store], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  await waitForReady(child, port, store);
  let stopped: Promise<void> | undefined;
  return {
    uri: `mongodb://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    onExit(listener) {
      child.once('exit', (code, signal) => {
        if (!stopped) listener(code, signal);
      });
    },
    stop: () => (stopped ??= stopChild(child)),
  };
}

/**
 * The memory backend keeps every document on the JVM heap, so under insert load nearly everything a young
 * collection finds is live and gets copied. With G1's defaults that meant 15–30 ms stops twice a second as the
 * young generation grew, and every request waiting on the database took them (callback acks, fan-out writes).
 * A fixed 64 MB young generation keeps each stop short, and a tenuring threshold of 0 promotes survivors at once
 * instead of copying them between survivor spaces up to 15 times. ZGC had shorter stops still but, on two cores,
 * its concurrent cycles and allocation stalls halved bulk insert throughput.
 */
const JVM_FLAGS = ['-Xss4m', '-Xmn64m', '-XX:MaxTenuringThreshold=0'];

/** Generational ZGC: the only ZGC from JDK 23 on; a soft max below the cap leaves it room before stalls. */
const ZGC_FLAGS = ['-Xss4m', '-XX:+UseZGC'];

/**
 * The heap cap when none is given: a quarter of the machine's memory, at most 6 GB. The memory store holds every
 * document, so the cap bounds what a runaway test or benchmark can take from the machine; 100,000 contacts fanned
 * out need about 4 GB, and a 4 GB cap cost that benchmark a fifth of its speed (docs/decisions/0003).
 */
export function defaultHeapMb(totalBytes = os.totalmem()): number {
  return Math.max(512, Math.min(6144, Math.floor(totalBytes / 4 / 1024 / 1024)));
}

export function jvmOf(opts: DevDatabaseOptions): { java: string; flags: string[] } {
  const heapMb = opts.jvm?.heapMb ?? defaultHeapMb();
  const common = [`-Xmx${heapMb}m`, ...(opts.jit === 'quick' ? ['-XX:TieredStopAtLevel=1'] : [])];
  if (opts.jvm?.kind === 'zgc-25') {
    const java = path.join(opts.jvm.javaHome ?? '/usr/lib/jvm/temurin-25-jdk-amd64', 'bin', 'java');
    if (existsSync(java)) return { java, flags: [...ZGC_FLAGS, ...common, `-XX:SoftMaxHeapSize=${Math.floor(heapMb * 0.8)}m`] };
    opts.log?.(`${java} not found: the development database runs on \`java\` (JDK 17, G1) instead`);
  }
  return { java: 'java', flags: [...JVM_FLAGS, ...common] };
}

async function waitForReady(child: ChildProcess, port: number, store: string): Promise<void> {
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new DevDatabaseError('failed', `开发数据库 60 秒内未启动 The development database did not start within 60 s`, output)), 60_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`siyu-devdb listening 127.0.0.1:${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (err) => fail(new DevDatabaseError('failed', `无法运行 java Cannot run java: ${err.message}`)));
    child.once('exit', (code) => fail(startFailure(code, output, port, store)));
  });
  child.removeAllListeners('exit');
  child.stdout?.removeAllListeners('data');
  child.stdout?.resume();
  child.stderr?.resume();
}

/** The launcher's one-line verdict ("siyu-devdb error: <reason> <detail>") as a typed error. */
function startFailure(code: number | null, output: string, port: number, store: string): DevDatabaseError {
  const verdict = /siyu-devdb error: (\S+) ?(.*)/.exec(output);
  if (verdict?.[1] === 'locked') return new DevDatabaseError('locked', `开发数据库文件正被另一个进程使用 The development database file is in use by another process: ${store}`, output);
  if (verdict?.[1] === 'port-in-use') return new DevDatabaseError('port-in-use', `开发数据库端口 ${port} 已被占用 Development database port ${port} is already in use`, output);
  const detail = verdict?.[2] ?? output.trim().split('\n').at(-1) ?? '';
  return new DevDatabaseError('failed', `开发数据库启动失败 The development database failed to start (exit ${code}): ${detail}`.trim(), output);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.stdin?.end();
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}
