import { expect } from 'chai';
import { UpdateBatcher, UpdateRefused } from '../../server/db/update-batcher.ts';
import { useTestDatabase } from '../support/database.ts';

type Document = Record<string, unknown>;

/** A command target that counts the update commands it forwards to the test database. */
function counting(target: { command(c: Document): Promise<Document> }) {
  const commands: Document[] = [];
  return {
    commands,
    target: { command: (c: Document) => (commands.push(c), target.command(c)) },
  };
}

describe('UpdateBatcher', () => {
  const t = useTestDatabase('update_batcher');

  it('sends concurrent updates as one command, and two of the same document in ask order', async () => {
    const collection = t.db.connection.db!.collection('relations');
    await collection.createIndex({ key: 1 }, { unique: true });
    const c = counting(t.db.connection.db!);
    const batcher = new UpdateBatcher(() => c.target, 'relations');
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => batcher.update({ q: { key: `k${i}` }, u: { $set: { n: i }, $setOnInsert: { first: i } }, upsert: true })),
      // The same document again in the same turn: applied after the first, so its $set wins.
      batcher.update({ q: { key: 'k3' }, u: { $set: { n: 'later' }, $setOnInsert: { first: 'never' } }, upsert: true }),
    ]);
    expect(c.commands.map((cmd) => (cmd.updates as unknown[]).length)).to.deep.equal([20, 1]);
    expect(await collection.countDocuments({})).to.equal(20);
    expect(await collection.findOne({ key: 'k3' }, { projection: { _id: 0 } })).to.deep.equal({ key: 'k3', n: 'later', first: 3 });
  });

  it('retries alone an upsert that lost its insert to a concurrent one', async () => {
    let first = true;
    const batcher = new UpdateBatcher(
      () => ({
        command: async (cmd: Document) => {
          if (first) {
            first = false;
            return { ok: 1, n: 0, writeErrors: [{ index: 0, code: 11000, errmsg: 'E11000 duplicate key' }] };
          }
          return t.db.connection.db!.command(cmd);
        },
      }),
      'raced',
    );
    await batcher.update({ q: { key: 'a' }, u: { $set: { n: 1 } }, upsert: true });
    expect(await t.db.connection.db!.collection('raced').countDocuments({ key: 'a', n: 1 })).to.equal(1);
  });

  it('rejects only the caller whose update was refused, and every caller when the command fails', async () => {
    const refused = new UpdateBatcher(() => ({ command: async () => ({ ok: 1, n: 1, writeErrors: [{ index: 1, code: 9, errmsg: 'bad modifier' }] }) }), 'x');
    const [a, b] = await Promise.allSettled([refused.update({ q: { k: 1 }, u: { $set: { n: 1 } } }), refused.update({ q: { k: 2 }, u: { $bad: 1 } })]);
    expect(a.status).to.equal('fulfilled');
    expect(b.status === 'rejected' && b.reason).to.be.instanceOf(UpdateRefused);
    const lost = new UpdateBatcher(() => ({ command: () => Promise.reject(new Error('connection lost')) }), 'x');
    const results = await Promise.allSettled([lost.update({ q: { k: 1 }, u: { $set: { n: 1 } } }), lost.update({ q: { k: 2 }, u: { $set: { n: 2 } } })]);
    expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'rejected']);
  });
});
