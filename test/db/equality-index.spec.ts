/**
 * The development database's non-unique indexes (scripts/devdb/EqualityIndex.java) only narrow which documents
 * the matcher checks. Two collections receive the same writes, one with indexes and one without; every query
 * must answer the same documents in the same order from both, after inserts, updates that move a document
 * between keys, array changes, deletes and re-inserts into freed slots.
 */
import { expect } from 'chai';
import { mongo, Types } from 'mongoose';
import { useTestDatabase } from '../support/database.ts';

describe('development database: non-unique indexes answer as a scan does', () => {
  const t = useTestDatabase('equality_index');
  const indexed = () => t.db.connection.collection('with_indexes');
  const plain = () => t.db.connection.collection('without_indexes');
  const both = async (fn: (c: ReturnType<typeof indexed>) => Promise<unknown>) => {
    await fn(indexed());
    await fn(plain());
  };

  before(async () => {
    // Indexes first on one side, and one built over existing documents below.
    await indexed().createIndex({ corp: 1, status: 1, due: 1 });
    await indexed().createIndex({ corp: 1, tags: 1, _id: -1 });
    await indexed().createIndex({ 'owner.id': 1 });
    // A compound unique index: its leading fields serve queries too (a hidden equality index beside it).
    await indexed().createIndex({ owner2: 1, seq: 1, corp: 1 }, { unique: true });
    const docs = Array.from({ length: 400 }, (_, i) => ({
      _id: new Types.ObjectId(),
      corp: i % 5 === 0 ? 'b' : 'a',
      status: ['scheduled', 'sent', 'failed'][i % 3],
      due: new Date(Date.UTC(2026, 11, 1) + (i % 17) * 3_600_000),
      tags: i % 4 === 0 ? [] : [`t${i % 6}`, ...(i % 7 === 0 ? [`t${(i + 1) % 6}`] : [])],
      owner: { id: i % 9 === 0 ? null : `u${i % 11}` },
      // The same number as int32, double and int64: MongoDB compares them by value, so must the index.
      n: i % 3 === 0 ? i : i % 3 === 1 ? new mongo.Double(i) : mongo.Long.fromNumber(i),
      owner2: `o${i % 4}`,
      seq: i,
      ...(i % 10 === 0 ? { list: [1, 2] } : {}),
    }));
    await both((c) => c.insertMany(docs.map((d) => ({ ...d }))));
    await indexed().createIndex({ n: 1, corp: 1 });
    await both((c) => c.updateMany({ status: 'failed', corp: 'a' }, { $set: { status: 'scheduled' } }));
    await both((c) => c.updateMany({ tags: 't2' }, { $push: { tags: 't9' } as never }));
    await both((c) => c.updateMany({ tags: 't3' }, { $pull: { tags: 't3' } as never }));
    await both((c) => c.deleteMany({ 'owner.id': 'u3' }));
    const again = [{ corp: 'a', status: 'scheduled', tags: ['t3'], owner: { id: 'u3' }, n: 7, owner2: 'o1', seq: 1000 }, { corp: 'a', status: 'sent', tags: 't4', owner: { id: 'u4' }, n: 8, owner2: 'o1', seq: 1001 }].map((d) => ({ ...d, _id: new Types.ObjectId() }));
    await both((c) => c.insertMany(again.map((d) => ({ ...d }))));
    await both((c) => c.findOneAndUpdate({ corp: 'a', status: 'scheduled' }, { $set: { status: 'claimed' } }, { sort: { due: 1 } }));
  });

  const queries: Array<[string, Record<string, unknown>, Record<string, 1 | -1> | undefined]> = [
    ['equality on both leading fields', { corp: 'a', status: 'scheduled' }, undefined],
    ['$and with a range after', { $and: [{ corp: 'a' }, { status: { $in: ['scheduled', 'claimed'] } }, { due: { $lte: new Date(Date.UTC(2026, 11, 1, 8)) } }] }, { due: 1 }],
    ['a multikey element', { corp: 'a', tags: 't9' }, { _id: -1 }],
    ['$in over array elements', { corp: { $in: ['a', 'b'] }, tags: { $in: ['t1', 't3', 't4'] } }, { _id: 1 }],
    ['a tag that was pulled', { corp: 'a', tags: 't3' }, undefined],
    ['a dotted path', { 'owner.id': 'u5' }, undefined],
    ['null is not a key lookup', { 'owner.id': null }, undefined],
    ['numbers of both kinds', { n: 0, corp: 'b' }, undefined],
    ['$in with numbers of other kinds', { n: { $in: [new mongo.Double(3), mongo.Long.fromNumber(4), 7, 8] }, corp: 'a' }, undefined],
    ['$nin does not fix a field', { corp: 'a', status: { $nin: ['sent'] } }, { _id: -1 }],
    ['nothing indexed', { list: 2 }, undefined],
    ['the leading fields of a unique index', { owner2: 'o1', seq: { $in: [1, 5, 9, 13, 1000, 1001, 2] } }, undefined],
    ['all fields of a unique index', { owner2: 'o1', seq: 1001, corp: 'a' }, undefined],
    // More values than the candidate lookup once took (1,024), and long enough for the matcher's set lookup.
    ['a long $in of numbers of three kinds', { n: { $in: Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? new mongo.Double(i * 2) : i % 3 === 1 ? mongo.Long.fromNumber(i * 2) : i * 2)) }, corp: 'a' }, undefined],
    ['a long $in over array elements', { tags: { $in: [...Array.from({ length: 40 }, (_, i) => `x${i}`), 't1', 't9'] }, corp: 'a' }, { _id: 1 }],
    ['a long $in on an unindexed field with arrays', { list: { $in: [2, ...Array.from({ length: 20 }, (_, i) => 100 + i)] } }, undefined],
    ['a long $in with null (matches missing)', { 'owner.id': { $in: [null, ...Array.from({ length: 20 }, (_, i) => `u${i}`)] }, status: 'sent' }, undefined],
  ];
  for (const [name, filter, sort] of queries) {
    it(`answers ${name} as a scan does`, async () => {
      const run = (c: ReturnType<typeof indexed>) => (sort ? c.find(filter).sort(sort) : c.find(filter)).toArray();
      const [a, b] = [await run(indexed()), await run(plain())];
      expect(a.length, 'the query matches something or nothing on purpose').to.equal(b.length);
      expect(a.map((d) => String(d._id))).to.deep.equal(b.map((d) => String(d._id)));
    });
  }

  it('answers _id $in beside another field (which no unique index takes) as a scan does', async () => {
    const some = (await plain().find({}).sort({ _id: 1 }).toArray()).filter((_, i) => i % 13 === 0).map((d) => d._id);
    const filter = { _id: { $in: [...some, new Types.ObjectId()] }, corp: 'a' };
    const [a, b] = [await indexed().find(filter).toArray(), await plain().find(filter).toArray()];
    expect(a.length).to.be.greaterThan(5);
    expect(a.map((d) => String(d._id))).to.deep.equal(b.map((d) => String(d._id)));
  });

  it('found something for the queries that should', async () => {
    expect(await indexed().countDocuments({ corp: 'a', tags: 't9' })).to.be.greaterThan(0);
    expect((await indexed().find({ owner2: 'o1', seq: { $in: [1, 5, 9, 13, 1000, 1001, 2] } }).toArray()).length).to.be.greaterThan(3);
    expect((await indexed().indexes()).map((i) => String(i.name)).filter((n) => n.includes('$')), 'the hidden index is not listed').to.deep.equal([]);
    expect((await indexed().find({ corp: 'a', tags: 't3' }).toArray()).length).to.equal(1);
    expect((await indexed().find({ n: { $in: [new mongo.Double(3), mongo.Long.fromNumber(4), 7, 8] }, corp: 'a' }).toArray()).length).to.be.greaterThan(3);
    expect((await indexed().find({ n: { $in: Array.from({ length: 3000 }, (_, i) => new mongo.Double(i * 2)) }, corp: 'a' }).toArray()).length).to.be.greaterThan(50);
    expect((await indexed().find({ list: { $in: [2, ...Array.from({ length: 20 }, (_, i) => 100 + i)] } }).toArray()).length).to.be.greaterThan(5);
  });
});
