import { expect } from 'chai';
import { useTestDatabase } from '../../test/support/database.ts';
import { fixedClock } from '../shared/clock.ts';
import { corpScope } from '../shared/scope.ts';
import { createOrgModule, type OrgModule } from './index.ts';

describe('createOrgModule', () => {
  const t = useTestDatabase('org_module');
  const clock = fixedClock('2026-12-01T02:00:00Z');
  let org: OrgModule;
  const CORP = 'wworgmodule';
  const OTHER = 'wworgother';
  let sh: string;
  let tokyo: string;
  let closed: string;
  let foreign: string;
  let staff: { a: string; b: string; gone: string; foreign: string };

  before(async () => {
    org = createOrgModule({ models: t.db.models, clock });
    await org.upsertCorp({ corpId: CORP, name: '东京企业', timezone: 'Asia/Tokyo' });
    await org.upsertCorp({ corpId: OTHER, name: '另一家' });
    const scope = corpScope(CORP);
    const store = (code: string, timezone: string) => ({ code, name: `${code} 店`, city: '城', region: '区', timezone });
    sh = (await org.createStore(scope, store('SH', 'Asia/Shanghai'))).id;
    tokyo = (await org.createStore(scope, store('TK', 'Asia/Tokyo'))).id;
    closed = (await org.createStore(scope, store('OLD', 'Europe/Berlin'))).id;
    foreign = (await org.createStore(corpScope(OTHER), store('FX', 'America/New_York'))).id;
    const member = (userId: string, storeId: string) => ({ userId, name: userId, storeId, role: 'staff' as const });
    staff = {
      a: (await org.createStaff(scope, member('a', sh))).id,
      b: (await org.createStaff(scope, member('b', tokyo))).id,
      gone: (await org.createStaff(scope, member('gone', sh))).id,
      foreign: (await org.createStaff(corpScope(OTHER), member('f', foreign))).id,
    };
    await org.updateStaff(scope, staff.gone, { status: 'resigned' });
    await org.deleteStore(scope, closed);
  });

  it('answers a store zone, else the corp zone, else Asia/Shanghai', async () => {
    expect(await org.timezoneOf(CORP, sh)).to.equal('Asia/Shanghai');
    expect(await org.timezoneOf(corpScope(CORP), tokyo)).to.equal('Asia/Tokyo');
    expect(await org.timezoneOf(CORP, closed), 'a closed store keeps its zone').to.equal('Europe/Berlin');
    expect(await org.timezoneOf(CORP), 'the corp zone').to.equal('Asia/Tokyo');
    expect(await org.timezoneOf(CORP, foreign), 'another corp’s store falls back to the corp').to.equal('Asia/Tokyo');
    expect(await org.timezoneOf(CORP, 'not-an-id')).to.equal('Asia/Tokyo');
    expect(await org.timezoneOf('wwnosuchcorp')).to.equal('Asia/Shanghai');
  });

  it('finds stores and staff of the corp only, closed stores and resigned staff included', async () => {
    expect((await org.findStore(CORP, closed))?.code).to.equal('OLD');
    expect(await org.findStore(CORP, foreign), 'another tenant').to.equal(null);
    expect(await org.findStore(CORP, 'nope')).to.equal(null);
    expect((await org.findStaff(CORP, staff.gone))?.status).to.equal('resigned');
    expect(await org.findStaff(CORP, staff.foreign)).to.equal(null);
    expect((await org.staffByIds(CORP, [staff.a, staff.foreign, 'junk', staff.gone])).map((s) => s.userId).sort()).to.deep.equal(['a', 'gone']);
    expect(await org.staffByIds(CORP, [])).to.deep.equal([]);
    expect([...(await org.storeNames(CORP)).values()].sort()).to.deep.equal(['OLD 店', 'SH 店', 'TK 店']);
    expect(await org.closedStoreCodes(CORP, ['SH', 'OLD', 'FX'])).to.deep.equal(['OLD']);
    expect(await org.closedStoreCodes(OTHER, ['OLD'])).to.deep.equal([]);
  });

  it("answers the delivery policy of the corp's stores by id (defaults when unset, closed ones included), never another corp's", async () => {
    await org.updateStore(corpScope(CORP), tokyo, { quietHours: { start: '22:00', end: '08:00' }, dailyCap: 2 });
    const policies = await org.storePolicies(CORP, [sh, tokyo, closed, foreign, 'junk']);
    expect(Object.fromEntries(policies)).to.deep.equal({
      [sh]: { quietHours: { start: '21:00', end: '09:00' }, dailyCap: 1 },
      [tokyo]: { quietHours: { start: '22:00', end: '08:00' }, dailyCap: 2 },
      [closed]: { quietHours: { start: '21:00', end: '09:00' }, dailyCap: 1 },
    });
    expect((await org.storePolicies(CORP, [])).size).to.equal(0);
  });

  it('lists the active staff of stores oldest first, within the corp', async () => {
    expect((await org.activeStaffOfStores(CORP, [tokyo, sh, foreign])).map((s) => s.userId)).to.deep.equal(['a', 'b']);
  });

  it('soft-deletes a store at the clock’s time when no time is given', async () => {
    const row = await t.db.models.Store.findOne({ _id: closed }).lean();
    expect(row?.deletedAt?.toISOString()).to.equal('2026-12-01T02:00:00.000Z');
  });

  it('names every store with its zone across corps for the daily sweep, and counts the organisation', async () => {
    const zones = await org.storeZonesAcrossCorps();
    expect(zones.find((z) => z.storeId === foreign)).to.deep.equal({ corpId: OTHER, storeId: foreign, timezone: 'America/New_York' });
    expect(zones.find((z) => z.storeId === closed)?.timezone).to.equal('Europe/Berlin');
    expect(await org.census()).to.deep.equal({ corps: 2, stores: 4 });
  });
});
