/**
 * A callback's inbox record is durable before the callback is acknowledged (finding 7): the inbox writes with a
 * journaled write concern, and the development database's file store commits such a write to its file before
 * answering it, so a `kill -9` of the database right after the acknowledgements loses none of them.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InboundInbox } from '../../server/channels/inbound-inbox.repository.ts';
import type { ChannelAccount } from '../../server/channels/channel-account.repository.ts';
import { openDatabase } from '../../server/db/database.ts';
import { startDevDatabase } from '../../server/db/dev-database.ts';
import { systemClock } from '../../server/shared/clock.ts';
import { registerModels } from '../../server/modules.ts';

const cacheDir = process.env.SIYU_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'siyu');
const account: ChannelAccount = { id: 'acc-durable', corpId: 'wwdurable', kind: 'wecom', name: 'durable', isDefault: true, config: {} };

describe('inbox durability on the development database (file store)', function () {
  this.timeout(120_000);
  let dir: string;
  before(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'siyu-durable-'))));
  after(async () => rm(dir, { recursive: true, force: true }));

  it('keeps every callback recorded before a kill -9 of the database', async () => {
    const file = path.join(dir, 'devdb.mv');
    let acked = 0;
    for (let round = 0; round < 3; round++) {
      const server = await startDevDatabase({ cacheDir, store: { file } });
      const db = await openDatabase(server.uri, 'durable', registerModels);
      const inbox = new InboundInbox(db.models, systemClock);
      // 16 in flight, as a vendor's callbacks arrive; the database dies the moment the last one is acknowledged.
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < 400) {
            const i = next++;
            expect((await inbox.record(account, `<xml><round>${round}</round><i>${i}</i></xml>`, {})).duplicate).to.equal(false);
          }
        }),
      );
      process.kill(server.pid, 'SIGKILL');
      acked += 400;
      await db.connection.close(true).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
    }
    const server = await startDevDatabase({ cacheDir, store: { file } });
    const db = await openDatabase(server.uri, 'durable', registerModels);
    try {
      expect(await db.models.InboundRaw.countDocuments({})).to.equal(acked);
    } finally {
      await db.close();
      await server.stop();
    }
  });
});
