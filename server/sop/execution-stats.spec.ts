import { expect } from 'chai';
import { completion, completionTree, rankReasons, touchesByStore, type StoreRef, type TaskCountRow, type TouchCountRow } from './execution-stats.ts';

const stores: StoreRef[] = [
  { id: 'sh1', name: '上海一店', city: '上海', region: '华东' },
  { id: 'sh2', name: '上海二店', city: '上海', region: '华东' },
  { id: 'bj1', name: '北京一店', city: '北京', region: '华北' },
  { id: 'gz1', name: '广州一店', city: '广州', region: '华南' },
];
const staff = [
  { id: 'a', name: '张三' },
  { id: 'b', name: '李四' },
  { id: 'c', name: '王五' },
  { id: 'd', name: '赵六' },
];

describe('completion', () => {
  it('rates done over done + skipped + open, and gives no rate when there is nothing to rate', () => {
    expect(completion({ done: 3, skipped: 1 })).to.deep.equal({ done: 3, skipped: 1, open: 0, total: 4, rate: 0.75 });
    expect(completion({ open: 2 })).to.deep.equal({ done: 0, skipped: 0, open: 2, total: 2, rate: 0 });
    expect(completion()).to.deep.equal({ done: 0, skipped: 0, open: 0, total: 0, rate: null });
  });
});

describe('completionTree', () => {
  const rows: TaskCountRow[] = [
    { storeId: 'sh1', staffId: 'a', status: 'done', n: 2 },
    { storeId: 'sh1', staffId: 'a', status: 'done', n: 1 },
    { storeId: 'sh1', staffId: 'a', status: 'skipped', n: 1 },
    { storeId: 'sh1', staffId: 'b', status: 'done', n: 1 },
    { storeId: 'sh1', staffId: 'b', status: 'open', n: 3 },
    { storeId: 'sh2', staffId: 'c', status: 'done', n: 2 },
    { storeId: 'sh2', staffId: 'c', status: 'skipped', n: 2 },
    { storeId: 'sh2', staffId: 'c', status: 'open', n: 1 },
    { storeId: 'bj1', staffId: 'd', status: 'open', n: 2 },
    { storeId: 'closed', staffId: 'x', status: 'done', n: 1 },
    { storeId: 'sh1', staffId: 'a', status: 'cancelled', n: 9 },
  ];
  const tree = completionTree(rows, stores, staff);

  it('sums staff into stores, stores into regions and regions into the total (7 of 16 done)', () => {
    expect(tree.total).to.deep.equal({ done: 7, skipped: 3, open: 6, total: 16, rate: 7 / 16 });
    const east = tree.regions.find((r) => r.region === '华东')!;
    expect(east).to.include({ done: 6, skipped: 3, open: 4, total: 13, rate: 6 / 13 });
    const sh1 = east.stores.find((s) => s.storeId === 'sh1')!;
    expect(sh1).to.include({ name: '上海一店', city: '上海', done: 4, skipped: 1, open: 3, total: 8, rate: 0.5 });
    expect(sh1.staff).to.deep.equal([
      { staffId: 'b', name: '李四', done: 1, skipped: 0, open: 3, total: 4, rate: 0.25 },
      { staffId: 'a', name: '张三', done: 3, skipped: 1, open: 0, total: 4, rate: 0.75 },
    ]);
    expect(east.stores.find((s) => s.storeId === 'sh2')).to.include({ done: 2, skipped: 2, open: 1, rate: 0.4 });
  });

  it('orders regions, stores and staff by their zh-CN names (pinyin)', () => {
    expect(tree.regions.map((r) => r.region)).to.deep.equal(['华北', '华东', '华南', '未分区']);
    expect(tree.regions[1]!.stores.map((s) => s.name)).to.deep.equal(['上海二店', '上海一店']);
  });

  it('lists a store without tasks with no rate, and a store the org no longer knows by its id under 未分区', () => {
    expect(tree.regions[2]!.stores).to.deep.equal([{ storeId: 'gz1', name: '广州一店', city: '广州', done: 0, skipped: 0, open: 0, total: 0, rate: null, staff: [] }]);
    expect(tree.regions[3]).to.deep.include({ region: '未分区', done: 1, total: 1, rate: 1 });
    expect(tree.regions[3]!.stores[0]).to.deep.include({ storeId: 'closed', name: 'closed', staff: [{ staffId: 'x', name: 'x', done: 1, skipped: 0, open: 0, total: 1, rate: 1 }] });
    expect(tree.regions[0]!.stores[0]).to.include({ name: '北京一店', open: 2, rate: 0 });
  });
});

describe('touchesByStore', () => {
  const rows: TouchCountRow[] = [
    { storeId: 'sh1', status: 'sent', reason: null, n: 5 },
    { storeId: 'sh1', status: 'skipped', reason: 'suppressed:opted_out', n: 2 },
    { storeId: 'sh1', status: 'failed', reason: 'vendor:41001', n: 1 },
    { storeId: 'sh1', status: 'scheduled', reason: null, n: 1 },
    { storeId: 'sh2', status: 'sent', reason: null, n: 2 },
    { storeId: 'sh2', status: 'skipped', reason: 'suppressed:opted_out', n: 1 },
    { storeId: 'sh2', status: 'skipped', reason: 'window_closed', n: 3 },
    { storeId: 'sh2', status: 'held', reason: 'sop_paused', n: 2 },
    { storeId: null, status: 'skipped', reason: 'no_channel_identity', n: 1 },
  ];
  const deferrals = [
    { storeId: 'sh1', reason: 'quiet_hours', n: 3 },
    { storeId: 'sh2', reason: 'quiet_hours', n: 1 },
    { storeId: 'sh1', reason: 'cap:daily', n: 2 },
  ];
  const t = touchesByStore(rows, stores, deferrals);

  it('counts every status in total (18 touches: 7 sent, 7 skipped)', () => {
    expect(t.total).to.deep.equal({ sent: 7, skipped: 7, failed: 1, scheduled: 1, held: 2, sending: 0, awaiting: 0, all: 18 });
  });

  it('gives every store a row, in region then name order, with a row for touches without a store', () => {
    expect(t.stores.map((s) => [s.name, s.total])).to.deep.equal([
      ['北京一店', 0],
      ['上海二店', 8],
      ['上海一店', 9],
      ['广州一店', 0],
      ['无门店', 1],
    ]);
    const sh2 = t.stores.find((s) => s.storeId === 'sh2')!;
    expect(sh2.counts).to.deep.equal({ sent: 2, skipped: 4, failed: 0, scheduled: 0, held: 2, sending: 0, awaiting: 0 });
    expect(sh2.topReasons).to.deep.equal([
      { status: 'skipped', reason: 'window_closed', count: 3 },
      { status: 'held', reason: 'sop_paused', count: 2 },
      { status: 'skipped', reason: 'suppressed:opted_out', count: 1 },
    ]);
  });

  it('ranks reasons across stores by count, merging the same status and reason', () => {
    expect(t.reasons).to.deep.equal([
      { status: 'skipped', reason: 'suppressed:opted_out', count: 3 },
      { status: 'skipped', reason: 'window_closed', count: 3 },
      { status: 'held', reason: 'sop_paused', count: 2 },
      { status: 'failed', reason: 'vendor:41001', count: 1 },
      { status: 'skipped', reason: 'no_channel_identity', count: 1 },
    ]);
    expect(t.deferrals).to.deep.equal([
      { reason: 'quiet_hours', count: 4 },
      { reason: 'cap:daily', count: 2 },
    ]);
  });

  it('keeps at most `limit` reasons', () => {
    expect(rankReasons(t.reasons, 2).map((r) => r.reason)).to.deep.equal(['suppressed:opted_out', 'window_closed']);
  });
});
