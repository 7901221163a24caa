/**
 * Development secrets: when the keys or the admin token are not configured, they are generated once and kept
 * in the data directory, so a restart of `npm start` can still decrypt stored phones and the printed token
 * keeps working. Production sets SIYU_PHONE_KEY, SIYU_HASH_KEY and SIYU_ADMIN_TOKEN instead.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

const secretsSchema = z.object({ phoneKeyHex: z.string().length(64), hashKeyHex: z.string().length(64), adminToken: z.string().min(16) });
export type DevSecrets = z.infer<typeof secretsSchema>;

export async function loadOrCreateDevSecrets(dataDir: string): Promise<DevSecrets> {
  const file = path.join(dataDir, 'dev-secrets.json');
  if (existsSync(file)) return secretsSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  const secrets: DevSecrets = {
    phoneKeyHex: randomBytes(32).toString('hex'),
    hashKeyHex: randomBytes(32).toString('hex'),
    adminToken: `siyu_admin_${randomBytes(16).toString('hex')}`,
  };
  await mkdir(dataDir, { recursive: true });
  // Two first runs (a server and the CLI) may race: the secrets are written whole beside the file and linked into
  // place, which fails if another process got there first; then its keys are the ones, or phones stop matching.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  try {
    await link(tmp, file);
    return secrets;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return secretsSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  } finally {
    await rm(tmp, { force: true });
  }
}
