/**
 * The development database's file store acknowledges a journaled write (writeConcern j: true) only once it is in
 * the file: a `kill -9` right after the acknowledgement loses nothing. The inbox writes this way (finding 7).
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { startDevDatabase } from '../../server/db/dev-database.ts';
import { InsertBatcher } from '../../server/db/insert-batcher.ts';

const cacheDir = process.env.SIYU_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'siyu');

describe('development database durability (file store)', function () {
  this.timeout(90_000);
  let dir: string;
  before(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'siyu-durable-'))));
  after(async () => rm(dir, { recursive: true, force: true }));

  it('keeps every journaled write acknowledged before a kill -9', async () => {
    const file = path.join(dir, 'devdb.mv');
    let acked = 0;
    for (let round = 0; round < 3; round++) {
      const db = await startDevDatabase({ cacheDir, store: { file } });
      const client = await new mongoose.mongo.MongoClient(db.uri, { directConnection: true }).connect();
      const batcher = new InsertBatcher(() => client.db('durable'), 'inbox', 64, 2, { w: 'majority', j: true });
      // 16 writers as a vendor's callbacks arrive; the database is killed the moment the last one is answered.
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < 400) {
            const i = next++;
            expect(await batcher.insert({ round, i })).to.equal('inserted');
          }
        }),
      );
      process.kill(db.pid, 'SIGKILL');
      acked += 400;
      await client.close(true).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
    }
    const db = await startDevDatabase({ cacheDir, store: { file } });
    const client = await new mongoose.mongo.MongoClient(db.uri, { directConnection: true }).connect();
    try {
      expect(await client.db('durable').collection('inbox').countDocuments({})).to.equal(acked);
    } finally {
      await client.close();
      await db.stop();
    }
  });
});
