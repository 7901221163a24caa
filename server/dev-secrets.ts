/**
 * Development secrets: when the keys or the admin token are not configured, they are generated once and kept
 * in the data directory, so a restart of `npm start` can still decrypt stored phones and the printed token
 * keeps working. Production sets SIYU_PHONE_KEY, SIYU_HASH_KEY and SIYU_ADMIN_TOKEN instead.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
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
  await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
