/**
 * Fetches mongo-java-server and its dependencies from Maven Central (through `mvn`) and compiles our launcher,
 * into `<cacheDir>/devdb/<fingerprint>/`. The fingerprint covers the pom and every Java source beside it, so a
 * change to any provisions afresh; an existing complete cache is reused without touching the network.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sourceDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/devdb');

export type Provisioned = { dir: string; classpath: string };

export async function provisionDevDatabase(opts: { cacheDir: string; log?: (line: string) => void }): Promise<Provisioned> {
  const pom = await readFile(path.join(sourceDir, 'pom.xml'));
  const hash = createHash('sha256').update(pom);
  for (const file of await javaSources()) hash.update(path.basename(file)).update(await readFile(file));
  const fingerprint = hash.digest('hex').slice(0, 12);
  const dir = path.join(opts.cacheDir, 'devdb', fingerprint);
  if (!existsSync(path.join(dir, 'READY'))) {
    opts.log?.(`provisioning the development database (mongo-java-server) into ${dir} …`);
    await build(dir);
  }
  const jars = (await readdir(path.join(dir, 'lib'))).filter((f) => f.endsWith('.jar')).map((f) => path.join(dir, 'lib', f));
  return { dir, classpath: [path.join(dir, 'classes'), ...jars].join(path.delimiter) };
}

async function build(dir: string): Promise<void> {
  await requireTool('java', ['-version']);
  await requireTool('javac', ['-version']);
  await requireTool('mvn', ['-v']);
  // Build beside the target and rename at the end, so concurrent or interrupted runs never see half a cache.
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(tmp, { recursive: true });
  try {
    await run('mvn', ['-q', '-B', '-f', path.join(sourceDir, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${path.join(tmp, 'lib')}`], {
      maxBuffer: 16 * 1024 * 1024,
    });
    const jars = (await readdir(path.join(tmp, 'lib'))).map((f) => path.join(tmp, 'lib', f));
    await run('javac', ['-nowarn', '-cp', jars.join(path.delimiter), '-d', path.join(tmp, 'classes'), ...(await javaSources())]);
    await writeFile(path.join(tmp, 'READY'), new Date().toISOString());
    await rename(tmp, dir).catch(async (err: NodeJS.ErrnoException) => {
      // Another process finished first: its cache is as good as ours.
      if (existsSync(path.join(dir, 'READY'))) return;
      throw err;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** The launcher and the backend classes it uses, in a stable order (the fingerprint depends on it). */
async function javaSources(): Promise<string[]> {
  return (await readdir(sourceDir)).filter((f) => f.endsWith('.java')).sort().map((f) => path.join(sourceDir, f));
}

async function requireTool(cmd: string, args: string[]): Promise<void> {
  try {
    await run(cmd, args);
  } catch {
    throw new Error(
      `the development database needs \`${cmd}\` (JDK 17+ and Maven). Install them (Debian: apt-get install -y openjdk-17-jdk-headless maven) or set MONGODB_URI to a MongoDB server.`,
    );
  }
}
