/**
 * The development database: mongo-java-server, provisioned from Maven Central into a cache outside git and
 * started on a free loopback port. Used when MONGODB_URI is unset (npm start, tests, benchmarks).
 * See docs/decisions/0001-development-database.md for why and for the behaviour we rely on.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { provisionDevDatabase } from './dev-database.provision.ts';

export type DevDatabaseOptions = {
  cacheDir: string;
  /** `memory` for tests; a file path (H2 MVStore) for `npm start`, so a restart keeps the data. */
  store: 'memory' | { file: string };
  port?: number;
  log?: (line: string) => void;
};

export type DevDatabase = { uri: string; port: number; stop(): Promise<void> };

export async function startDevDatabase(opts: DevDatabaseOptions): Promise<DevDatabase> {
  const { classpath } = await provisionDevDatabase({ cacheDir: opts.cacheDir, log: opts.log });
  const port = opts.port ?? (await freePort());
  const store = opts.store === 'memory' ? 'memory' : opts.store.file;
  if (opts.store !== 'memory') await mkdir(path.dirname(opts.store.file), { recursive: true });
  // stdin stays piped: the launcher exits when it closes, so a crashed parent never leaves a database behind.
  const child = spawn('java', ['-Xss4m', ...(await collectorFlags()), '-cp', classpath, 'DevMongo', String(port), store], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  await waitForReady(child, port);
  let stopped: Promise<void> | undefined;
  return {
    uri: `mongodb://127.0.0.1:${port}`,
    port,
    stop: () => (stopped ??= stopChild(child)),
  };
}

/**
 * The JVM's default collector (G1, whose pause goal is 200 ms) stopped the database for 15–27 ms every half
 * second under a steady insert load, because the memory backend's documents fill the heap and every young
 * collection copies them; each request waiting on the database took those pauses (callback acks, the fan-out's
 * writes). ZGC collects concurrently with sub-millisecond pauses. A JVM without it keeps its default.
 */
let collector: Promise<string[]> | undefined;
function collectorFlags(): Promise<string[]> {
  return (collector ??= new Promise((resolve) => execFile('java', ['-XX:+UseZGC', '-version'], (err) => resolve(err ? [] : ['-XX:+UseZGC']))));
}

async function waitForReady(child: ChildProcess, port: number): Promise<void> {
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`dev database did not start within 60 s:\n${output}`)), 60_000);
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
    child.once('error', (err) => fail(new Error(`cannot run java: ${err.message}`)));
    child.once('exit', (code) => fail(new Error(`dev database exited with code ${code}:\n${output}`)));
  });
  child.removeAllListeners('exit');
  child.stdout?.removeAllListeners('data');
  child.stdout?.resume();
  child.stderr?.resume();
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
