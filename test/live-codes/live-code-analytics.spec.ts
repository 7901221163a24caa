/**
 * Live-code numbers against a hand count, the CSV, and the QR images. The ledger and the event log are written
 * directly, as the listener and the inbound processor would have, at known times around a pinned clock.
 */
import { expect } from 'chai';
import QRCode from 'qrcode';
import { useTestDatabase } from '../support/database.ts';
import { http, seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';

const NOW = '2026-11-22T04:00:00Z'; // 12:00 in Shanghai
const at = (iso: string) => new Date(iso);

describe('GET /api/live-codes/analytics, analytics.csv, the QR images and the public store-code router', () => {
  const t = useTestDatabase('live_code_analytics');
  let services: ReturnType<typeof testServices>;
  let api: ReturnType<typeof http>;
  let org: TestOrg;
  const ids: { poster?: string; counter?: string } = {};

  async function code(name: string, channel: 'poster' | 'counter', storeId: string, userId: string, staffId: string): Promise<string> {
    const doc = await t.db.models.LiveCode.create({
      corpId: org.corpId, accountId: 'acc', name, channel, storeIds: [storeId], staff: [{ staffId, userId, storeId }], state: `lc:${name}`, configId: `cfg-${name}`, qrCode: `https://wework.qpic.cn/wwpic/${name}/0`, activeUserIds: [userId], createdBy: 'test',
    });
    return String(doc._id);
  }
  let n = 0;
  async function addRow(liveCodeId: string, channel: string, ext: string, staffUserId: string, storeId: string, addedAt: string, reAdd = false) {
    await t.db.models.LiveCodeAdd.create({ corpId: org.corpId, eventKey: `k${n++}`, liveCodeId, channel, contactId: `c-${ext}`, externalUserId: ext, staffUserId, storeId, resolvedBy: 'state', reAdd, addedAt: at(addedAt) });
  }
  async function deleted(ext: string, staffUserId: string, occurredAt: string, type = 'friend_deleted_by_customer', byTransfer = false) {
    await t.db.models.Event.create({ corpId: org.corpId, key: `d${n++}`, direction: 'inbound', channel: 'wecom', type, occurredAt: at(occurredAt), recordedAt: at(occurredAt), payload: { externalUserId: ext, staffUserId, byTransfer } });
  }

  before(async () => {
    services = testServices(t.db, { now: NOW });
    org = await seedTestOrg(services);
    api = http(services);
    ids.poster = await code('poster', 'poster', org.stores.a, 'a2', org.staff.a2);
    ids.counter = await code('counter', 'counter', org.stores.b, 'b1', org.staff.b1);
    // Poster, store A, staff a2 — 20 Nov (Shanghai): e1 lost after 2 h, e2 lost after 3 days, e3 kept.
    await addRow(ids.poster, 'poster', 'e1', 'a2', org.stores.a, '2026-11-20T02:00:00Z');
    await deleted('e1', 'a2', '2026-11-20T04:00:00Z');
    await addRow(ids.poster, 'poster', 'e2', 'a2', org.stores.a, '2026-11-20T03:00:00Z');
    await deleted('e2', 'a2', '2026-11-23T03:00:00Z'); // after now: not lost yet
    await addRow(ids.poster, 'poster', 'e3', 'a2', org.stores.a, '2026-11-20T05:00:00Z');
    // e1 comes back on 21 Nov (a re-add), then stays.
    await addRow(ids.poster, 'poster', 'e1', 'a2', org.stores.a, '2026-11-21T02:00:00Z', true);
    // e4 lost after 3 days (by the staff member), e5 removed by a transfer (not a loss).
    await addRow(ids.poster, 'poster', 'e4', 'a2', org.stores.a, '2026-11-15T02:00:00Z');
    await deleted('e4', 'a2', '2026-11-18T02:00:00Z', 'friend_deleted_by_staff');
    await addRow(ids.poster, 'poster', 'e5', 'a2', org.stores.a, '2026-11-15T03:00:00Z');
    await deleted('e5', 'a2', '2026-11-16T03:00:00Z', 'friend_deleted_by_staff', true);
    // Counter, store B: f1 at 23:30 on 21 Nov in Shanghai (15:30 UTC), lost 12 h later.
    await addRow(ids.counter, 'counter', 'f1', 'b1', org.stores.b, '2026-11-21T15:30:00Z');
    await deleted('f1', 'b1', '2026-11-22T03:30:00Z');
    // Outside the period (October): not counted.
    await addRow(ids.counter, 'counter', 'f2', 'b1', org.stores.b, '2026-10-01T02:00:00Z');
  });

  it('counts adds, re-adds, losses within 1/7/30 days and net growth like a hand count', async () => {
    const res = await api.get('/api/live-codes/analytics?from=2026-11-10&to=2026-11-22', org.tokens.hq);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    // Hand count: new adds e1 e2 e3 e4 e5 f1 = 6; re-adds 1 (e1); lost: e1 (2 h), e4 (3 d), f1 (12 h) = 3 → lost1 2, lost7 3.
    expect(res.body.totals).to.deep.equal({ adds: 6, reAdds: 1, lost1: 2, lost7: 3, lost30: 3, lostTotal: 3, net: 4 });
    const byCode = Object.fromEntries(res.body.byCode.map((b: { label: string }) => [b.label, b]));
    expect(byCode.poster).to.include({ adds: 5, reAdds: 1, lost1: 1, lost7: 2, lostTotal: 2, net: 4 });
    expect(byCode.counter).to.include({ adds: 1, reAdds: 0, lost1: 1, lostTotal: 1, net: 0 });
    const byDay = Object.fromEntries(res.body.byDay.map((b: { key: string; adds: number; reAdds: number }) => [b.key, [b.adds, b.reAdds]]));
    expect(res.body.byDay).to.have.length(13);
    expect(byDay['2026-11-15']).to.deep.equal([2, 0]);
    expect(byDay['2026-11-20']).to.deep.equal([3, 0]);
    expect(byDay['2026-11-21'], 'the re-add of e1 and f1 at 23:30 local time').to.deep.equal([1, 1]);
    expect(byDay['2026-11-22']).to.deep.equal([0, 0]);
    expect(res.body.byStore.map((b: { label: string; adds: number }) => [b.label, b.adds])).to.deep.equal([
      ['上海一店', 5],
      ['北京一店', 1],
    ]);
    expect(res.body.byStaff.map((b: { label: string; net: number }) => [b.label, b.net])).to.deep.equal([
      ['导购乙', 4],
      ['导购丙', 0],
    ]);
    expect(res.body.byChannel.map((b: { key: string }) => b.key)).to.deep.equal(['poster', 'counter']);
  });

  it('filters by code and scopes a store manager to their store', async () => {
    const one = await api.get(`/api/live-codes/analytics?from=2026-11-10&to=2026-11-22&liveCodeId=${ids.counter}`, org.tokens.hq);
    expect(one.body.totals).to.include({ adds: 1, lostTotal: 1 });
    const manager = await api.get('/api/live-codes/analytics?from=2026-11-10&to=2026-11-22', org.tokens.managerA);
    expect(manager.status).to.equal(200);
    expect(manager.body.totals).to.include({ adds: 5, reAdds: 1 });
    expect((await api.get('/api/live-codes/analytics', org.tokens.staffA)).status).to.equal(403);
  });

  it('exports the same numbers as CSV', async () => {
    const res = await api.get('/api/live-codes/analytics.csv?from=2026-11-10&to=2026-11-22', org.tokens.hq);
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/^text\/csv/);
    const lines = res.text.trim().split('\r\n');
    expect(lines[0]).to.equal('dimension,key,label,adds,re_adds,lost_1d,lost_7d,lost_30d,lost_total,net');
    expect(lines[1]).to.equal('total,all,全部 All,6,1,2,3,3,3,4');
    expect(lines).to.include(`code,${ids.poster},poster,5,1,1,2,2,2,4`);
    expect(lines.filter((l) => l.startsWith('day,'))).to.have.length(13);
  });

  it('serves the QR as PNG and SVG encoding the contact way’s qr_code URL', async () => {
    const url = 'https://wework.qpic.cn/wwpic/poster/0';
    const png = await api.get(`/api/live-codes/${ids.poster}/qr.png?width=512`, org.tokens.hq).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(png.status).to.equal(200);
    expect(png.headers['content-type']).to.equal('image/png');
    const body = png.body as Buffer;
    expect(body.subarray(0, 8).toString('hex')).to.equal('89504e470d0a1a0a');
    expect(body.readUInt32BE(16), 'IHDR width').to.equal(512);
    const svg = await api.get(`/api/live-codes/${ids.poster}/qr.svg`, org.tokens.hq);
    expect(svg.status).to.equal(200);
    expect(svg.headers['content-type']).to.match(/^image\/svg\+xml/);
    const text = Buffer.isBuffer(svg.body) ? svg.body.toString() : svg.text;
    expect(text).to.equal(await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 }));
    const other = await QRCode.toString('https://wework.qpic.cn/wwpic/counter/0', { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
    expect(text).to.not.equal(other);
    expect((await api.get(`/api/live-codes/${ids.counter}/qr.svg`, org.tokens.managerA)).status, 'another store’s code').to.equal(404);
  });

  it('routes a customer to the nearest active store code by coordinates or city, without a token', async () => {
    await services.org.updateStore({ corpId: org.corpId, storeIds: null }, org.stores.a, { location: { lat: 31.23, lng: 121.47 } });
    await services.org.updateStore({ corpId: org.corpId, storeIds: null }, org.stores.b, { location: { lat: 39.91, lng: 116.41 } });
    const storeCode = async (storeId: string, status: 'active' | 'disabled') =>
      t.db.models.LiveCode.create({ corpId: org.corpId, accountId: 'acc', name: `store-${storeId}`, channel: 'store', mode: 'rotate', storeId, storeIds: [storeId], staff: [], state: `lc:s${storeId.slice(-8)}`, configId: `cfg-${storeId}`, qrCode: `https://wework.qpic.cn/wwpic/store-${storeId}/0`, status, createdBy: 'test' });
    await storeCode(org.stores.a, 'active');
    const near = await api.get(`/api/public/store-codes/nearest?corpId=${org.corpId}&lat=31.2&lng=121.5`);
    expect(near.status, JSON.stringify(near.body)).to.equal(200);
    expect(near.body).to.deep.include({ by: 'distance', qrCode: `https://wework.qpic.cn/wwpic/store-${org.stores.a}/0` });
    expect(near.body.store.name).to.equal('上海一店');
    expect(near.body.distanceKm).to.be.below(5);
    expect(near.body.qrSvg).to.match(/^data:image\/svg\+xml;base64,/);
    // Beijing has no active store code: a Beijing customer is routed to the nearest store that has one.
    expect((await api.get(`/api/public/store-codes/nearest?corpId=${org.corpId}&lat=39.9&lng=116.4`)).body.store.name).to.equal('上海一店');
    expect((await api.get(`/api/public/store-codes/nearest?corpId=${org.corpId}&city=北京`)).status).to.equal(404);
    expect((await api.get(`/api/public/store-codes/cities?corpId=${org.corpId}`)).body.items).to.deep.equal(['上海']);
    expect((await api.get(`/api/public/store-codes/nearest?corpId=${org.corpId}`)).status, 'city or coordinates').to.equal(400);
  });

  it('counts days in the corp’s zone unless the request names one', async () => {
    await services.org.upsertCorp({ corpId: org.corpId, name: '测试企业', timezone: 'Asia/Tokyo' });
    try {
      const corpZone = await api.get('/api/live-codes/analytics?from=2026-11-10&to=2026-11-22', org.tokens.hq);
      expect(corpZone.body.timezone).to.equal('Asia/Tokyo');
      const byDay = Object.fromEntries(corpZone.body.byDay.map((b: { key: string; adds: number; reAdds: number }) => [b.key, [b.adds, b.reAdds]]));
      expect(byDay['2026-11-22'], 'f1 at 00:30 on 22 Nov in Tokyo').to.deep.equal([1, 0]);
      const named = await api.get('/api/live-codes/analytics?from=2026-11-10&to=2026-11-22&timezone=Asia/Shanghai', org.tokens.hq);
      expect(named.body.timezone).to.equal('Asia/Shanghai');
    } finally {
      await services.org.upsertCorp({ corpId: org.corpId, name: '测试企业', timezone: 'Asia/Shanghai' });
    }
  });
});
