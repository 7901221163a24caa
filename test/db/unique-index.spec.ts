/**
 * The development database's unique indexes read a document's key without the parent's path split where every
 * field is top-level (scripts/devdb/PlainKeys.java). What they refuse and accept must not change: numbers equal
 * by value collide, a missing field keys as null, array values key each element, dotted paths still resolve, and
 * an update that moves a document onto a taken key is refused while one that keeps its key is not.
 */
import { expect } from 'chai';
import { mongo } from 'mongoose';
import { useTestDatabase } from '../support/database.ts';

const DUPLICATE = 11000;

describe('development database: unique indexes refuse what MongoDB refuses', () => {
  const t = useTestDatabase('unique_index');
  const refusedCode = async (write: Promise<unknown>) => {
    try {
      await write;
      return null;
    } catch (err) {
      return (err as { code?: number }).code ?? -1;
    }
  };

  it('numbers equal by value collide; a missing field is one null key', async () => {
    const c = t.db.connection.collection('u_numbers');
    await c.createIndex({ corp: 1, n: 1 }, { unique: true });
    await c.insertOne({ corp: 'a', n: 1 });
    expect(await refusedCode(c.insertOne({ corp: 'a', n: new mongo.Double(1) }))).to.equal(DUPLICATE);
    expect(await refusedCode(c.insertOne({ corp: 'a', n: mongo.Long.fromNumber(1) }))).to.equal(DUPLICATE);
    expect(await refusedCode(c.insertOne({ corp: 'b', n: 1 }))).to.equal(null);
    await c.insertOne({ corp: 'a' });
    expect(await refusedCode(c.insertOne({ corp: 'a', n: null }))).to.equal(DUPLICATE);
    expect(await c.countDocuments({})).to.equal(3);
  });

  it('a sparse unique index skips documents without its fields and names the taken key', async () => {
    const c = t.db.connection.collection('u_sparse');
    await c.createIndex({ phone: 1 }, { unique: true, sparse: true });
    await c.insertMany([{ name: 'a' }, { name: 'b' }, { phone: '138' }]);
    const err = await c.insertOne({ phone: '138' }).catch((e: { code?: number; message: string }) => e);
    expect(err).to.include({ code: DUPLICATE });
    expect((err as { message: string }).message).to.contain('138');
    expect(await c.countDocuments({})).to.equal(3);
  });

  it('array values key each element, dotted paths resolve into subdocuments', async () => {
    const tags = t.db.connection.collection('u_arrays');
    await tags.createIndex({ tag: 1 }, { unique: true });
    await tags.insertOne({ tag: ['x', 'y'] });
    expect(await refusedCode(tags.insertOne({ tag: 'y' }))).to.equal(DUPLICATE);
    expect(await refusedCode(tags.insertOne({ tag: 'z' }))).to.equal(null);
    const owners = t.db.connection.collection('u_paths');
    await owners.createIndex({ 'owner.id': 1 }, { unique: true });
    await owners.insertOne({ owner: { id: 'u1' } });
    expect(await refusedCode(owners.insertOne({ owner: { id: 'u1', name: 'other' } }))).to.equal(DUPLICATE);
    expect(await refusedCode(owners.insertOne({ owner: { id: 'u2' } }))).to.equal(null);
  });

  it('an update onto a taken key is refused; one that keeps or frees its key is not, and finds follow the key', async () => {
    const c = t.db.connection.collection('u_updates');
    await c.createIndex({ corp: 1, key: 1 }, { unique: true });
    await c.insertMany([
      { corp: 'a', key: 'k1', v: 0 },
      { corp: 'a', key: 'k2', v: 0 },
    ]);
    expect(await refusedCode(c.updateOne({ key: 'k2' }, { $set: { key: 'k1' } }))).to.equal(DUPLICATE);
    await c.updateOne({ corp: 'a', key: 'k1' }, { $inc: { v: 1 } });
    await c.updateOne({ corp: 'a', key: 'k1' }, { $set: { key: 'k3' } });
    await c.insertOne({ corp: 'a', key: 'k1', v: 9 });
    expect((await c.findOne({ corp: 'a', key: 'k3' }))?.v).to.equal(1);
    expect((await c.findOne({ corp: 'a', key: 'k1' }))?.v).to.equal(9);
    expect(await refusedCode(c.updateOne({ corp: 'a', key: 'k2' }, { $set: { key: 'k3' } }, { upsert: true }))).to.equal(DUPLICATE);
  });

  it('collStats still reports the data size, summed when asked', async () => {
    const c = t.db.connection.collection('u_size');
    await c.insertMany([{ text: 'x'.repeat(1000) }, { text: 'y'.repeat(1000) }]);
    const before = (await t.db.connection.db!.command({ collStats: 'u_size' })) as { size: number };
    await c.updateOne({ text: 'x'.repeat(1000) }, { $set: { text: 'short' } });
    const after = (await t.db.connection.db!.command({ collStats: 'u_size' })) as { size: number };
    expect(before.size).to.be.greaterThan(2000);
    expect(before.size - after.size).to.be.closeTo(995, 2);
  });
});
