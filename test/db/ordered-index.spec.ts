/**
 * The development database walks a non-unique index in key order for ranges and sorts (scripts/devdb/
 * OrderedKeys.java), stops at the limit, and unions candidates for the branches of a top-level `$or`. Two
 * collections receive the same writes, one with indexes and one without: every query, update and delete must
 * answer and change the same documents in the same order on both — ties on the sort keys included (the plain
 * server keeps them in storage order), across dates, numbers of three kinds, strings, nulls and missing fields,
 * status moves (scheduled → sending → sent), keys that move, deletes and re-inserts into freed slots.
 */
import { expect } from 'chai';
import { mongo, Types } from 'mongoose';
import { useTestDatabase } from '../support/database.ts';

type Doc = Record<string, unknown> & { _id: Types.ObjectId };
type Filter = Record<string, unknown>;
type Sort = Record<string, 1 | -1>;

const T0 = Date.UTC(2026, 10, 23, 3);
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
/** The same number as int32, double or int64: MongoDB orders and matches them by value. */
const num = (n: number, i: number) => (i % 3 === 0 ? n : i % 3 === 1 ? new mongo.Double(n) : mongo.Long.fromNumber(n));

describe('development database: ordered index walks answer as a scan does', () => {
  const t = useTestDatabase('ordered_index');
  const indexed = () => t.db.connection.collection('with_indexes');
  const plain = () => t.db.connection.collection('without_indexes');
  const both = async <R>(fn: (c: ReturnType<typeof indexed>) => Promise<R>): Promise<[R, R]> => [await fn(indexed()), await fn(plain())];
  const ids = (docs: Array<{ _id: unknown }>) => docs.map((d) => String(d._id));
  /** Every document of both collections, by _id, as JSON: what every write must leave equal. */
  const sameContents = async (why: string) => {
    const [a, b] = await both((c) => c.find({}).sort({ _id: 1 }).toArray());
    expect(a.length, why).to.be.greaterThan(0);
    expect(JSON.stringify(a), why).to.equal(JSON.stringify(b));
  };

  before(async function () {
    this.timeout(60_000);
    await indexed().createIndex({ status: 1, dueAt: 1 });
    await indexed().createIndex({ status: 1, priority: -1, nextAttemptAt: 1 });
    await indexed().createIndex({ corpId: 1, sopId: 1, status: 1 });
    await indexed().createIndex({ corpId: 1, key: 1 }, { unique: true });
    await indexed().createIndex({ shelf: 1, n: 1 });
    const docs = Array.from({ length: 600 }, (_, i) => {
      const d: Doc = {
        _id: new Types.ObjectId(),
        corpId: i % 4 === 0 ? 'b' : 'a',
        sopId: `sop${i % 3}`,
        staffId: `u${i % 7}`,
        key: `k${i}`,
        status: ['scheduled', 'scheduled', 'sending', 'sent', 'failed'][i % 5],
        // Many equal due times (ties), some missing, some null, a few of other types (numbers, strings).
        dueAt: at((i * 7) % 40),
        priority: num(i % 3, i),
        nextAttemptAt: at((i * 11) % 25),
        shelf: `s${i % 2}`,
        n: num(i % 9, i),
      };
      if (i % 31 === 0) delete d.dueAt;
      if (i % 37 === 0) d.dueAt = null;
      if (i % 41 === 0) d.dueAt = i % 2 ? 5 : 'soon';
      if (i % 13 === 0) delete d.priority;
      return d;
    });
    await both((c) => c.insertMany(docs.map((d) => ({ ...d }))));
    await indexed().createIndex({ staffId: 1, dueAt: -1 }); // built over stored documents
  });

  const until = at(20);
  const queries: Array<[string, Filter, Sort | undefined, number, number]> = [
    ['the claim: due, oldest first, limit', { status: 'scheduled', dueAt: { $lte: until } }, { dueAt: 1 }, 0, 25],
    ['the claim with a skip', { status: 'scheduled', dueAt: { $lte: until } }, { dueAt: 1 }, 30, 40],
    ['the claim reversed (ties keep storage order)', { status: 'scheduled', dueAt: { $lte: until } }, { dueAt: -1 }, 0, 50],
    ['the claim without a limit', { status: 'scheduled', dueAt: { $lte: until } }, { dueAt: 1 }, 0, 0],
    ['a range without a sort', { status: 'scheduled', dueAt: { $gt: at(5), $lt: at(30) } }, undefined, 0, 0],
    ['a range without a sort, limited', { status: 'scheduled', dueAt: { $gte: at(5) } }, undefined, 0, 7],
    ['an exclusive range both ways', { status: 'sending', dueAt: { $gt: at(7), $lt: at(28) } }, { dueAt: -1 }, 0, 0],
    ['a range that meets no type it names', { status: 'scheduled', dueAt: { $lte: 10 } }, { dueAt: 1 }, 0, 0],
    ['a string range among dates', { status: 'scheduled', dueAt: { $gte: 'a' } }, { dueAt: 1 }, 0, 0],
    ['the status alone (the stuck-lease check)', { status: 'sending', leaseUntil: { $lt: until } }, undefined, 0, 1],
    ['a sort on the index fields with a tie-break after', { status: 'scheduled' }, { dueAt: 1, _id: -1 }, 0, 30],
    ['a sort whose missing and null values tie', { status: 'failed' }, { dueAt: 1 }, 0, 0],
    ['$in on the equality field, sorted on the next', { status: { $in: ['scheduled', 'failed'] }, dueAt: { $lte: until } }, { dueAt: 1 }, 0, 40],
    ['$in on the equality field, sorted backwards', { status: { $in: ['scheduled', 'sending', 'nope'] } }, { dueAt: -1 }, 5, 60],
    ['the inbox claim', { status: 'scheduled', nextAttemptAt: { $lte: at(12) } }, { priority: -1, nextAttemptAt: 1, _id: 1 }, 0, 30],
    ['the inbox claim without _id (ties)', { status: 'scheduled', nextAttemptAt: { $lte: at(12) } }, { priority: -1, nextAttemptAt: 1 }, 0, 45],
    ['the inbox order reversed', { status: 'scheduled' }, { priority: 1, nextAttemptAt: -1 }, 0, 45],
    ['a sort against the index direction (not walked)', { status: 'scheduled' }, { priority: 1, nextAttemptAt: 1 }, 0, 20],
    ['numbers of three kinds in a range', { status: 'scheduled', priority: { $gte: 1 } }, { priority: -1 }, 0, 0],
    ['three equality fields and a sort on another', { corpId: 'a', sopId: 'sop1', status: 'scheduled' }, { dueAt: 1 }, 0, 15],
    ['a descending index walked forwards', { staffId: 'u3' }, { dueAt: -1 }, 0, 20],
    ['a descending index with a range', { staffId: { $in: ['u1', 'u2'] }, dueAt: { $gte: at(10) } }, { dueAt: 1 }, 0, 0],
    ['a constant sort field first', { status: 'scheduled', dueAt: { $lte: until } }, { status: 1, dueAt: 1 }, 0, 20],
    ['the leading field as a range', { status: { $gte: 'sending' } }, { status: -1, dueAt: -1 }, 0, 50],
    ['$and with ranges on both sides', { $and: [{ status: 'scheduled' }, { dueAt: { $gte: at(3) } }, { dueAt: { $lt: at(33) } }] }, { dueAt: 1 }, 0, 0],
    [
      'the claim write: $or of ids and groups',
      { status: 'scheduled', dueAt: { $lte: until }, $or: [{ key: { $in: ['k0', 'k5', 'k10', 'k77'] } }, { corpId: 'a', sopId: 'sop1', staffId: 'u2' }, { corpId: 'b', sopId: 'sop2', status: 'scheduled', staffId: 'u4' }] },
      undefined,
      0,
      0,
    ],
    ['an $or of unique keys', { $or: [{ corpId: 'a', key: 'k1' }, { corpId: 'b', key: 'k4' }, { corpId: 'a', key: 'nope' }] }, { dueAt: 1 }, 0, 0],
    ['an $or with an unindexed branch', { status: 'scheduled', $or: [{ corpId: 'a', sopId: 'sop0' }, { staffId: 'u1' }] }, { dueAt: 1 }, 0, 10],
  ];

  const check = async (name: string, filter: Filter, sort: Sort | undefined, skip: number, limit: number) => {
    const run = (c: ReturnType<typeof indexed>) => {
      let cursor = c.find(filter);
      if (sort) cursor = cursor.sort(sort);
      return cursor.skip(skip).limit(limit).toArray() as Promise<Doc[]>;
    };
    const [a, b] = await both(run);
    expect(ids(a), name).to.deep.equal(ids(b));
    return a.length;
  };

  it('answers every query as a scan does after the inserts', async () => {
    for (const [name, filter, sort, skip, limit] of queries) await check(name, filter, sort, skip, limit);
  });

  it('changes the same documents as a scan does: claims, lease reads, sends, deletes, re-inserts', async function () {
    this.timeout(60_000);
    for (let round = 0; round < 6; round++) {
      const now = at(8 + round * 5);
      const lease = { leaseOwner: `w${round % 2}`, leaseUntil: at(100 + round) };
      // A claim as the dispatcher makes it: the oldest due, then those flipped by $or of ids and a group.
      const [head, twin] = await both((c) => c.find({ status: 'scheduled', dueAt: { $lte: now } }).sort({ dueAt: 1 }).limit(9).toArray() as Promise<Doc[]>);
      expect(ids(head)).to.deep.equal(ids(twin));
      const which = [{ _id: { $in: head.map((d) => d._id) } }, { corpId: 'a', sopId: `sop${round % 3}`, staffId: `u${round}` }];
      const [m1, m2] = await both((c) => c.updateMany({ status: 'scheduled', dueAt: { $lte: now }, $or: which }, { $set: { status: 'sending', ...lease } }));
      expect(m1.modifiedCount).to.equal(m2.modifiedCount).and.to.be.greaterThan(0);
      await check('the lease read-back', { status: 'sending', ...lease, $or: which }, undefined, 0, 0);
      // The stuck-lease take-over, sorted and not.
      const taken = await both((c) => c.findOneAndUpdate({ status: 'sending', leaseUntil: { $lt: at(101 + round) } }, { $set: { leaseOwner: 'rescuer' } }, { returnDocument: 'after' }));
      expect(JSON.stringify(taken[0])).to.equal(JSON.stringify(taken[1]));
      const first = await both((c) => c.findOneAndUpdate({ status: 'scheduled', dueAt: { $lte: now } }, { $set: { status: 'sending' } }, { sort: { dueAt: -1 }, returnDocument: 'before' }));
      expect(JSON.stringify(first[0])).to.equal(JSON.stringify(first[1]));
      // Sent: status moves again; some due times move (the key moves within and across statuses).
      await both((c) => c.updateMany({ status: 'sending', leaseOwner: `w${round % 2}` }, { $set: { status: 'sent' }, $unset: { leaseOwner: 1 } }));
      await both((c) => c.updateMany({ status: 'failed', dueAt: { $gte: at(round * 6) } }, { $set: { status: 'scheduled', dueAt: at(round) } }));
      await both((c) => c.updateMany({ status: 'scheduled', staffId: `u${(round + 3) % 7}` }, { $set: { priority: num(round, round) }, $unset: { nextAttemptAt: 1 } }));
      // Deletes free slots that new documents take.
      await both((c) => c.deleteMany({ status: 'sent', dueAt: { $lt: at(round * 3) } }));
      const fresh = Array.from({ length: 15 }, (_, i) => ({ _id: new Types.ObjectId(), corpId: 'a', sopId: `sop${i % 3}`, staffId: `u${i % 7}`, key: `r${round}-${i}`, status: 'scheduled', dueAt: at(i % 4), priority: num(i % 2, i + round), nextAttemptAt: at(i % 3), shelf: 's0', n: i }));
      await both((c) => c.insertMany(fresh.map((d) => ({ ...d }))));
      await sameContents(`after round ${round}`);
      for (const [name, filter, sort, skip, limit] of queries) await check(`${name} (round ${round})`, filter, sort, skip, limit);
    }
    await both((c) => c.deleteMany({ status: 'scheduled', dueAt: { $gte: at(2), $lte: at(3) } }));
    await sameContents('after a ranged delete');
  });

  it('falls back while an indexed field holds an array, and walks again once it is gone', async () => {
    const odd = { _id: new Types.ObjectId(), shelf: 's1', n: [8, -1], status: 'odd', key: 'arr', corpId: 'z' };
    await both((c) => c.insertOne({ ...odd }));
    const walked = async (why: string) => {
      for (const sort of [{ n: 1 }, { n: -1 }] as Sort[]) {
        await check(`${why} ${JSON.stringify(sort)}`, { shelf: 's1' }, sort, 0, 12);
        await check(`${why} range ${JSON.stringify(sort)}`, { shelf: 's1', n: { $gte: 2, $lt: 8 } }, sort, 0, 0);
      }
    };
    await walked('with an array');
    await both((c) => c.deleteOne({ key: 'arr' }));
    await walked('without it');
  });

  it('counts and distinct values as a scan does', async () => {
    const filter = { status: 'scheduled', dueAt: { $lte: until } };
    const [a, b] = await both((c) => c.countDocuments(filter));
    expect(a).to.equal(b).and.to.be.greaterThan(10);
    const [x, y] = await both((c) => c.distinct('staffId', filter));
    expect(x).to.deep.equal(y);
  });

  it('found something for the queries that should', async () => {
    const sizes: Record<string, number> = {};
    for (const [name, filter, sort, skip, limit] of queries) sizes[name] = await check(name, filter, sort, skip, limit);
    expect(sizes['the claim: due, oldest first, limit']).to.equal(25);
    expect(sizes['the claim write: $or of ids and groups']).to.be.greaterThan(3);
    expect(sizes['a range that meets no type it names'], 'only the numbers among the due times').to.be.greaterThan(0);
    expect(sizes['the inbox claim without _id (ties)']).to.be.greaterThan(20);
    expect(sizes['a descending index with a range']).to.be.greaterThan(10);
  });
});
