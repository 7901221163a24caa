import { expect } from 'chai';
import { Types } from 'mongoose';
import { bulkEnroll } from '../../server/sop/runtime/bulk-enroll.ts';
import { enroll } from '../../server/sop/runtime/enroll.ts';
import { SopRunner } from '../../server/sop/runtime/runner.ts';
import { SopRegistry, type SopRecord } from '../../server/sop/runtime/sop-registry.ts';
import { audienceFilter } from '../../server/sop/runtime/triggers.ts';
import { useTestDatabase } from '../support/database.ts';
import { seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';

const DAY = 86_400_000;
// 14:00 in Shanghai, 22:00 (quiet hours) the evening before in Los Angeles.
const NOW = '2026-11-23T06:00:00Z';

const sendFirst = [
  { id: 'hello', type: 'send', channel: 'wecom_1to1', experiment: 'bulk-hello', variants: [{ id: 'a', template: 'tpl-a', weight: 1 }, { id: 'b', template: 'tpl-b', weight: 1 }] },
  { id: 'pause', type: 'wait', duration: '2d' },
  { id: 'again', type: 'send', channel: 'wecom_1to1', template: 'tpl-again' },
];
const waitFirst = [
  { id: 'settle', type: 'wait', day: 1, at: '10:00' },
  { id: 'hello', type: 'send', channel: 'wecom_1to1', template: 'tpl-hello' },
];
const audienceSop = (id: string, steps: unknown[]) => ({ id, name: `批量 ${id}`, trigger: { type: 'audience', lifecycle: ['friend'] }, priority: 60, reentry: { mode: 'after_days', days: 7 }, steps });

type Row = Record<string, unknown> & { _id: Types.ObjectId; contactId: string };

describe('bulkEnroll (audience enrollment in batches)', () => {
  const t = useTestDatabase('sop_bulk_enroll');
  let services: ReturnType<typeof testServices>;
  let org: TestOrg;
  let registry: SopRegistry;
  let audience: Record<string, unknown>;
  const people: Record<string, string> = {};

  const person = async (name: string, opts: { follows?: Array<[staff: string, addedAt: string]>; home?: string; lifecycle?: 'friend' | 'lead'; consent?: Record<string, boolean> } = {}) => {
    const { contact } = await services.identities.upsert(org.corpId, { identities: [{ kind: 'wecom', externalUserId: `wm-bulk-${name}` }], profile: { name, lifecycle: opts.lifecycle ?? 'friend', homeStoreId: opts.home ?? null } });
    for (const [staffId, addedAt] of opts.follows ?? []) {
      const staff = await services.org.getStaff({ corpId: org.corpId, storeIds: null }, staffId);
      await services.follows.upsert(org.corpId, { contactId: contact.id, staff, addedAt: new Date(addedAt) });
    }
    if (opts.consent) await t.db.models.Contact.updateOne({ _id: contact.id }, { $set: Object.fromEntries(Object.entries(opts.consent).map(([k, v]) => [`consent.${k}`, v])) });
    people[name] = contact.id;
  };

  /** Earlier runs, the same in every SOP of a comparison. */
  const history = async (sopIds: string[]) => {
    const at = new Date(NOW).getTime();
    const m = t.db.models;
    for (const sopId of sopIds) {
      const base = { corpId: org.corpId, sopId, storeId: org.stores.a, staffId: org.staff.a2, tz: 'Asia/Shanghai', rotation: 1, stepId: 'pause' };
      await m.Enrollment.create({ ...base, contactId: people.active!, enteredAt: new Date(at - DAY), cursorAt: new Date(at - DAY), dueAt: new Date(at + DAY), status: 'active' });
      await m.Enrollment.create({ ...base, contactId: people.back!, enteredAt: new Date(at - 10 * DAY), cursorAt: new Date(at - 8 * DAY), status: 'completed', stepId: null });
      await m.Enrollment.create({ ...base, contactId: people.soon!, enteredAt: new Date(at - 2 * DAY), cursorAt: new Date(at - DAY), status: 'completed', stepId: null });
    }
  };

  const publish = async (id: string, steps: unknown[]) => {
    await registry.publish(org.corpId, audienceSop(id, steps), 'api');
    return registry.setStatus(org.corpId, id, 'enabled');
  };

  /** The one-by-one path: enroll() per contact of the audience, then the runner takes the first step. */
  const oneByOne = async (sop: SopRecord) => {
    for (const c of await t.db.models.Contact.find(audience).select('_id').lean()) await enroll(services, sop, String(c._id), services.clock.now());
    await new SopRunner(services, 'runner-1').drain();
  };

  const runsOf = async (sopId: string) => new Map((await t.db.models.Enrollment.find({ sopId }).lean<Row[]>()).map((r) => [`${r.contactId}:${r.rotation}`, r]));
  const touchesOf = async (sopId: string) => new Map((await t.db.models.Touch.find({ sopId }).lean<Row[]>()).map((r) => [String(r.key).slice(sopId.length), r]));
  const comparable = (row: Row) => {
    const rest: Record<string, unknown> = { ...row };
    for (const field of ['_id', 'sopId', 'key', 'enrollmentId', 'createdAt', 'updatedAt']) delete rest[field];
    return rest;
  };

  /** Runs and touches of `bulk` equal those of `one`, apart from ids, the SOP id in keys and write times. */
  const expectSame = async (one: string, bulk: string) => {
    const [runsOne, runsBulk] = [await runsOf(one), await runsOf(bulk)];
    expect([...runsBulk.keys()].sort()).to.deep.equal([...runsOne.keys()].sort());
    for (const [k, run] of runsOne) expect(comparable(runsBulk.get(k)!), `run ${k}`).to.deep.equal(comparable(run));
    const [touchesOne, touchesBulk] = [await touchesOf(one), await touchesOf(bulk)];
    expect([...touchesBulk.keys()].sort()).to.deep.equal([...touchesOne.keys()].sort());
    for (const [k, touch] of touchesOne) {
      const mine = touchesBulk.get(k)!;
      expect(comparable(mine), `touch ${k}`).to.deep.equal(comparable(touch));
      expect(mine.enrollmentId, 'a touch names its run').to.equal(String(runsBulk.get(`${mine.contactId}:${k.split(':')[2]}`)!._id));
      expect(Object.keys(mine).sort(), 'the same document shape').to.deep.equal(Object.keys(touch).sort());
    }
    return { runs: runsBulk, touches: touchesBulk };
  };

  before(async () => {
    services = testServices(t.db, { now: NOW });
    org = await seedTestOrg(services);
    registry = new SopRegistry(services);
    const scope = { corpId: org.corpId, storeIds: null };
    const la = await services.org.createStore(scope, { code: 'LA01', name: '洛杉矶店', city: 'Los Angeles', region: '海外', timezone: 'America/Los_Angeles' });
    const l1 = await services.org.createStaff(scope, { userId: 'l1', name: '导购丁', storeId: la.id, role: 'staff' });
    const { a2, b1 } = org.staff;
    for (let i = 0; i < 3; i++) await person(`sh${i}`, { follows: [[a2, '2026-10-01T00:00:00Z']] });
    for (let i = 0; i < 2; i++) await person(`la${i}`, { follows: [[l1.id, '2026-10-02T00:00:00Z']] });
    await person('home', { home: org.stores.b, follows: [[a2, '2026-09-01T00:00:00Z'], [b1, '2026-10-01T00:00:00Z']] });
    await person('oldest', { home: la.id, follows: [[b1, '2026-10-05T00:00:00Z'], [a2, '2026-09-05T00:00:00Z']] });
    await person('homeless');
    await person('away', { home: org.stores.b, follows: [[a2, '2026-10-03T00:00:00Z']] });
    await person('optedOut', { follows: [[a2, '2026-10-01T00:00:00Z']], consent: { optedOut: true } });
    await person('unreachable', { follows: [[a2, '2026-10-01T00:00:00Z']], consent: { reachable: false } });
    for (const name of ['active', 'back', 'soon']) await person(name, { follows: [[a2, '2026-10-01T00:00:00Z']] });
    await person('outsider', { lifecycle: 'lead' });
    audience = await audienceFilter(services, org.corpId, { lifecycle: ['friend'] });
  });

  it('plans the same runs and first touches as enroll() and the runner, per store zone, with suppression and re-entry', async () => {
    const one = await publish('bulk-one', sendFirst);
    const bulk = await publish('bulk-batch', sendFirst);
    await history([one.sopId, bulk.sopId]);
    // Batches of 4 cut the audience (14 contacts) in four, so the merged cursors cross batch boundaries.
    const result = await bulkEnroll(services, bulk, audience, services.clock.now(), { batchSize: 4 });
    await oneByOne(one);

    expect(result).to.deep.equal({ matched: 14, enrolled: 10, planned: 10, skipped: { opted_out: 1, unreachable: 1, already_enrolled: 1, reentry_too_soon: 1 }, noStaff: 1 });
    const { runs, touches } = await expectSame(one.sopId, bulk.sopId);
    expect(runs.get(`${people.back}:2`), 'a re-entry after 7 days is rotation 2').to.include({ status: 'active', stepId: 'pause', steps: 1 });
    const at = (name: string) => (touches.get(`:${people[name]}:1:hello`)!.dueAt as Date).toISOString();
    expect(at('sh0'), 'Shanghai: 14:00 is outside quiet hours').to.equal('2026-11-23T06:00:00.000Z');
    expect(at('la0'), 'Los Angeles: 22:00 waits for 09:00').to.equal('2026-11-23T17:00:00.000Z');
    expect(touches.get(`:${people.home}:1:hello`), 'the home store relation wins').to.include({ storeId: org.stores.b, staffId: org.staff.b1 });
    expect(touches.get(`:${people.oldest}:1:hello`), 'else the oldest live relation').to.include({ storeId: org.stores.a, staffId: org.staff.a2 });
    expect(touches.get(`:${people.away}:1:hello`), 'one relation outside the home store: that relation').to.include({ storeId: org.stores.a, staffId: org.staff.a2 });
    expect(touches.get(`:${people.homeless}:1:hello`), 'no relation: no store, the corp zone').to.include({ storeId: null, staffId: null, tz: 'Asia/Shanghai' });
  });

  it('leaves a run whose first step is a wait due when the wait ends, as enroll() does', async () => {
    const one = await publish('bulk-wait-one', waitFirst);
    const bulk = await publish('bulk-wait-batch', waitFirst);
    await history([one.sopId, bulk.sopId]);
    const result = await bulkEnroll(services, bulk, audience, services.clock.now(), { batchSize: 5 });
    await oneByOne(one);
    expect(result).to.include({ matched: 14, enrolled: 10, planned: 0 });
    const { runs, touches } = await expectSame(one.sopId, bulk.sopId);
    expect(touches.size).to.equal(0);
    expect((runs.get(`${people.la0}:1`)!.dueAt as Date).toISOString(), 'day 1 at 10:00 in Los Angeles').to.equal('2026-11-23T18:00:00.000Z');
  });

  it('enrolls nobody new on a second pass, and counts why', async () => {
    const sop = await registry.get(org.corpId, 'bulk-batch');
    const before = await t.db.models.Touch.countDocuments({ sopId: sop.sopId });
    const again = await bulkEnroll(services, sop, audience, services.clock.now(), { batchSize: 3 });
    expect(again).to.deep.equal({ matched: 14, enrolled: 0, planned: 0, skipped: { opted_out: 1, unreachable: 1, already_enrolled: 11, reentry_too_soon: 1 }, noStaff: 0 });
    expect(await t.db.models.Touch.countDocuments({ sopId: sop.sopId })).to.equal(before);
  });

  it('after a pass died between its touches and its runs, the next pass inserts the run and adopts the touch', async () => {
    const sop = await registry.get(org.corpId, 'bulk-batch');
    const m = t.db.models;
    // As if the run had never been written: its touch is left behind.
    await m.Enrollment.deleteOne({ sopId: sop.sopId, contactId: people.sh1, rotation: 1 });
    const r = await bulkEnroll(services, sop, audience, services.clock.now());
    expect(r).to.include({ enrolled: 1, planned: 1 });
    const run = await m.Enrollment.findOne({ sopId: sop.sopId, contactId: people.sh1 }).lean();
    const touches = await m.Touch.find({ sopId: sop.sopId, contactId: people.sh1 }).lean();
    expect(touches).to.have.length(1);
    expect(touches[0]!.enrollmentId).to.equal(String(run!._id));
    expect(run).to.include({ rotation: 1, stepId: 'pause', steps: 1 });
  });

  it('enrolls through enrollAudience when an audience SOP is enabled over the API path', async () => {
    const { enrollAudience } = await import('../../server/sop/runtime/triggers.ts');
    const sop = await publish('bulk-api', sendFirst);
    expect(await enrollAudience(services, sop, services.clock.now())).to.deep.include({ matched: 14, enrolled: 12, skipped: { opted_out: 1, unreachable: 1 }, noStaff: 1 });
    expect(await t.db.models.Touch.countDocuments({ sopId: 'bulk-api' })).to.equal(12);
    expect(Types.ObjectId.isValid(String((await t.db.models.Touch.findOne({ sopId: 'bulk-api' }).lean())!.enrollmentId))).to.equal(true);
  });

  it('plans in each store’s own quiet hours (set on /hq/org), on both paths alike', async () => {
    const scope = { corpId: org.corpId, storeIds: null };
    // 22:00 in Los Angeles: quiet by the defaults (21:00–09:00), not for a store that is quiet from 23:00 to 07:00.
    const late = await services.org.createStore(scope, { code: 'LA02', name: '洛杉矶夜店', city: 'Los Angeles', region: '海外', timezone: 'America/Los_Angeles', quietHours: { start: '23:00', end: '07:00' } });
    const l2 = await services.org.createStaff(scope, { userId: 'l2', name: '导购戊', storeId: late.id, role: 'staff' });
    await person('night', { follows: [[l2.id, '2026-10-04T00:00:00Z']] });
    const one = await publish('bulk-quiet-one', sendFirst);
    const bulk = await publish('bulk-quiet-batch', sendFirst);
    await history([one.sopId, bulk.sopId]);
    await bulkEnroll(services, bulk, audience, services.clock.now(), { batchSize: 4 });
    await oneByOne(one);
    const { touches } = await expectSame(one.sopId, bulk.sopId);
    const at = (name: string) => (touches.get(`:${people[name]}:1:hello`)!.dueAt as Date).toISOString();
    expect(at('night'), 'the store’s 23:00 start: 22:00 may send').to.equal('2026-11-23T06:00:00.000Z');
    expect(at('la0'), 'the default store still waits for 09:00').to.equal('2026-11-23T17:00:00.000Z');
  });
});
