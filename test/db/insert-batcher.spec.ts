import { expect } from 'chai';
import { InsertBatcher } from '../../server/db/insert-batcher.ts';
import { InsertRefused } from '../../server/db/insert-unordered.ts';
import { useTestDatabase } from '../support/database.ts';

describe('InsertBatcher', () => {
  const t = useTestDatabase('batcher');

  it('writes concurrent inserts in groups and tells each caller its own outcome, duplicates included', async () => {
    const collection = t.db.connection.db!.collection('batched');
    await collection.createIndex({ key: 1 }, { unique: true });
    const batcher = new InsertBatcher(() => t.db.connection.db!, 'batched', 8);
    const keys = [...Array.from({ length: 40 }, (_, i) => `k${i}`), 'k1', 'k2', 'k2'];
    const outcomes = await Promise.all(keys.map((key) => batcher.insert({ key })));
    expect(outcomes.filter((o) => o === 'inserted')).to.have.length(40);
    // Which of a key's callers wins depends on which batch reaches the database first (two writers in flight):
    // exactly one per key, and each of the others hears "duplicate".
    for (const key of new Set(keys)) {
      const mine = outcomes.filter((_, i) => keys[i] === key);
      expect(mine.filter((o) => o === 'inserted'), key).to.have.length(1);
      expect(mine.filter((o) => o === 'duplicate'), key).to.have.length(mine.length - 1);
    }
    expect(await collection.countDocuments({})).to.equal(40);
  });

  it('rejects every caller of a batch when the write fails as a whole', async () => {
    const batcher = new InsertBatcher(
      () => ({
        command: () => Promise.reject(new Error('connection lost')),
      }),
      'batched',
      8,
    );
    const results = await Promise.allSettled([batcher.insert({ a: 1 }), batcher.insert({ a: 2 })]);
    expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'rejected']);
  });

  it('rejects only the caller whose document the database refused for another reason', async () => {
    const batcher = new InsertBatcher(() => ({ command: async () => ({ ok: 1, n: 1, writeErrors: [{ index: 1, code: 121, errmsg: 'Document failed validation' }] }) }), 'batched', 8);
    const [a, b] = await Promise.allSettled([batcher.insert({ a: 1 }), batcher.insert({ a: 2 })]);
    expect(a).to.deep.equal({ status: 'fulfilled', value: 'inserted' });
    expect(b.status).to.equal('rejected');
    expect((b as PromiseRejectedResult).reason).to.be.instanceOf(InsertRefused).and.have.property('message').that.contains('121');
  });

  it('sends the write concern it was given with every insert command', async () => {
    const sent: Record<string, unknown>[] = [];
    const batcher = new InsertBatcher(() => ({ command: async (c) => (sent.push(c), { ok: 1, n: 1 }) }), 'batched', 8, 2, { w: 'majority', j: true });
    await Promise.all([batcher.insert({ a: 1 }), batcher.insert({ a: 2 })]);
    expect(sent.length).to.be.greaterThan(0);
    for (const c of sent) expect(c.writeConcern).to.deep.equal({ w: 'majority', j: true });
  });
});
