/**
 * A process that opens the development database of SIYU_DATA_DIR as the server and the CLI do, prints
 * `{"port","owned","javaPid"}` and holds it until its stdin closes (test/system/dev-database-attach.spec.ts).
 */
import os from 'node:os';
import path from 'node:path';
import { openSharedDevDatabase } from '../../server/db/dev-database.shared.ts';

const db = await openSharedDevDatabase({
  cacheDir: process.env.SIYU_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'siyu'),
  dataDir: process.env.SIYU_DATA_DIR!,
});
console.log(JSON.stringify({ port: db.port, owned: db.owned(), javaPid: db.javaPid() }));
process.stdin.resume();
process.stdin.once('end', () => {
  void db.stop().then(() => process.exit(0));
});
