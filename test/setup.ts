/**
 * Mocha root hooks: one development database (in memory) for the whole run, or MONGODB_URI when set.
 * Each spec file opens its own database through useTestDatabase() and drops it afterwards.
 */
import os from 'node:os';
import path from 'node:path';
import { startDevDatabase, type DevDatabase } from '../server/db/dev-database.ts';
import { setTestMongoUri } from './support/database.ts';

let dev: DevDatabase | undefined;

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(180_000); // the first run provisions the jars from Maven Central
    const external = process.env.MONGODB_URI;
    if (external) {
      setTestMongoUri(external);
      return;
    }
    dev = await startDevDatabase({
      cacheDir: process.env.SIYU_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'siyu'),
      // SIYU_TEST_STORE=compact runs the suite against the compact store (documents as BSON bytes).
      store: process.env.SIYU_TEST_STORE === 'compact' ? 'compact' : 'memory',
      jit: 'quick',
    });
    setTestMongoUri(dev.uri);
  },
  async afterAll() {
    await dev?.stop();
  },
};
