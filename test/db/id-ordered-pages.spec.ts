/**
 * The development database answers a query sorted on `_id` alone by walking its `_id`s in order and stopping at
 * the limit (scripts/devdb/DevMongo.java), as a real server walks the `_id` index. The pages must be exactly what
 * a full sort would give, whatever order the documents were inserted in and after deletions and re-inserts.
 */
import { expect } from 'chai';
import { Types } from 'mongoose';
import { useTestDatabase } from '../support/database.ts';

describe('development database: pages sorted on _id', () => {
  const t = useTestDatabase('id_ordered_pages');
  const coll = () => t.db.connection.collection('pages');
  const ids = Array.from({ length: 300 }, (_, i) => Types.ObjectId.createFromTime(1_700_000_000 + i));
  const expected = (docs: Array<{ _id: Types.ObjectId; k: number }>, dir: 1 | -1, pred: (d: { k: number }) => boolean) =>
    docs.filter(pred).sort((a, b) => dir * a._id.toHexString().localeCompare(b._id.toHexString())).map((d) => String(d._id));

  it('gives the same pages as a full sort, in both directions, with filters, skips and limits', async () => {
    // Inserted out of id order, then a third deleted and some of them inserted again: positions get reused.
    const docs = ids.map((_id, i) => ({ _id, k: i % 7 })).sort((a, b) => ((a.k * 31 + Number(String(a._id).slice(-2).charCodeAt(0))) % 11) - ((b.k * 31 + Number(String(b._id).slice(-2).charCodeAt(0))) % 11));
    await coll().insertMany(docs.map((d) => ({ ...d })));
    const gone = docs.filter((_, i) => i % 3 === 0);
    await coll().deleteMany({ _id: { $in: gone.map((d) => d._id) } });
    const back = gone.filter((_, i) => i % 2 === 0);
    await coll().insertMany(back.map((d) => ({ ...d })));
    const live = [...docs.filter((_, i) => i % 3 !== 0), ...back];
    for (const dir of [1, -1] as const) {
      for (const [filter, pred] of [[{}, () => true], [{ k: { $in: [2, 5] } }, (d: { k: number }) => d.k === 2 || d.k === 5]] as const) {
        const all = expected(live, dir, pred);
        for (const [skip, limit] of [[0, 51], [40, 25], [0, 0]] as const) {
          const got = await coll().find(filter).sort({ _id: dir }).skip(skip).limit(limit).toArray();
          const want = limit ? all.slice(skip, skip + limit) : all.slice(skip);
          expect(got.map((d) => String(d._id)), `dir ${dir} skip ${skip} limit ${limit} ${JSON.stringify(filter)}`).to.deep.equal(want);
        }
      }
    }
  });

  it('still sorts on other keys and on _id with another key as before', async () => {
    const got = await coll().find({}).sort({ k: -1, _id: 1 }).limit(5).toArray();
    const max = Math.max(...(await coll().find({}).toArray()).map((d) => d.k as number));
    expect(got.every((d) => d.k === max)).to.equal(true);
    expect(got.map((d) => String(d._id))).to.deep.equal([...got.map((d) => String(d._id))].sort());
  });

  it('orders _ids of mixed types as MongoDB does (numbers, strings, ObjectIds, dates), and finds each by value', async () => {
    const mixed = t.db.connection.collection('mixed_ids');
    const oid = (s: number) => Types.ObjectId.createFromTime(s);
    const values: unknown[] = [oid(1_700_000_002), 'b', 10, new Date(5), oid(1_700_000_001), 'a', 2.5, 'B', new Date(1), -1];
    await mixed.insertMany(values.map((_id, i) => ({ _id, i }) as never));
    const got = await mixed.find({}).sort({ _id: 1 }).toArray();
    expect(got.map((d) => (d._id instanceof Types.ObjectId ? `oid:${d._id.getTimestamp().getTime() / 1000}` : d._id instanceof Date ? `date:${d._id.getTime()}` : d._id))).to.deep.equal(
      [-1, 2.5, 10, 'B', 'a', 'b', 'oid:1700000001', 'oid:1700000002', 'date:1', 'date:5'],
    );
    for (const value of values) expect(await mixed.countDocuments({ _id: value } as never), String(value)).to.equal(1);
    // The number 10 and the double 10.0 are one _id value.
    expect((await mixed.findOne({ _id: 10.0 } as never))?.i).to.equal(2);
  });
});
