import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import pino from 'pino';
import { parse as parseYaml } from 'yaml';
import { startWecomSimulator, SIM_CORP_ID, type WecomSimulator } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { TouchDispatcher } from '../../server/sop/runtime/dispatcher.ts';
import { enroll } from '../../server/sop/runtime/enroll.ts';
import { SopEngine } from '../../server/sop/runtime/sop-engine.ts';
import { SopRegistry } from '../../server/sop/runtime/sop-registry.ts';
import { placeholderRenderer } from '../../server/sop/runtime/touch-renderer.ts';
import { contentRenderer } from '../../server/sop/runtime/content-renderer.ts';
import { seedContentTemplates } from '../../server/content/seed-templates.ts';
import { useTestDatabase } from '../support/database.ts';
import { seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';
import { useSimulatorAccount } from '../support/sim-account.ts';

const onboarding = async () => parseYaml(await readFile('sop-templates/new-friend-onboarding.yaml', 'utf8')) as Record<string, unknown>;
const simpleSop = (id: string, priority: number, extra: Record<string, unknown> = {}) => ({
  id,
  name: `测试 ${id}`,
  trigger: { type: 'event', event: 'friend_added' },
  priority,
  steps: [{ id: 'hello', type: 'send', channel: 'wecom_1to1', template: `tpl-${id}` }],
  ...extra,
});

describe('SOP runtime: enrollment, planning, dispatch', () => {
  const t = useTestDatabase('sop_runtime');
  let sim: WecomSimulator;
  let services: ReturnType<typeof testServices>;
  let org: TestOrg;
  let registry: SopRegistry;
  const engine = (owner = 'worker-1') => new SopEngine(services, registry, placeholderRenderer, owner, pino({ level: 'silent' }));
  let seq = 0;

  /** A WeCom friend of staff a2 (store A, Asia/Shanghai), known to the simulator. */
  const friend = async (name = `客户${++seq}`) => {
    const c = sim.control.addCustomer({ name, follow_user: [{ userid: 'a2' }] });
    const { contact } = await services.identities.upsert(org.corpId, { identities: [{ kind: 'wecom', externalUserId: c.external_userid }], profile: { name } });
    const staff = await services.org.getStaff({ corpId: org.corpId, storeIds: null }, org.staff.a2);
    await services.follows.upsert(org.corpId, { contactId: contact.id, staff, addedAt: services.clock.now() });
    return contact.id;
  };
  const touches = (filter: Record<string, unknown>) => t.db.models.Touch.find({ corpId: org.corpId, ...filter }).sort({ dueAt: 1 }).lean();

  before(async () => {
    services = testServices(t.db, { now: '2026-11-22T15:50:00Z' }); // 23:50 in Shanghai
    // The simulator keeps the same (pinned) time as Siyu, as Tencent and a server share real time.
    sim = await startWecomSimulator({ clock: services.clock });
    sim.control.addStaff('a2');
    org = await seedTestOrg(services, SIM_CORP_ID);
    await useSimulatorAccount(services, org.corpId, sim);
    registry = new SopRegistry(services);
  });
  after(async () => sim.stop());

  it('refuses an invalid SOP definition with the path and reason, and stores nothing', async () => {
    const bad = { ...simpleSop('broken', 50), steps: [{ id: 'x', type: 'send', channel: 'fax', template: 'tpl-x' }] };
    await registry.publish(org.corpId, bad, 'api').then(
      () => expect.fail('should refuse'),
      (err: { details: Array<{ path: string }> }) => expect(err.details.map((d) => d.path).join()).to.match(/steps\[0\]|steps\.0/),
    );
    expect(await t.db.models.Sop.countDocuments({ sopId: 'broken' })).to.equal(0);
  });

  it('plans "day N at HH:MM" and quiet hours in the store calendar for an entry at 23:50 local, and sends at most one touch a day', async () => {
    const sop = await registry.publish(org.corpId, await onboarding(), 'file');
    await registry.setStatus(org.corpId, sop.sopId, 'enabled');
    const contactId = await friend('夜猫子');
    const r = await enroll(services, await registry.get(org.corpId, sop.sopId), contactId, services.clock.now());
    expect(r.enrolled).to.equal(true);
    const e = engine();
    await e.tick();
    expect(await touches({ contactId }), 'nothing is planned before the 1-hour wait ends').to.deep.equal([]);
    services.clock.set('2026-11-22T16:50:00Z');
    await e.tick();
    // The wait ends at 00:50 local, inside quiet hours → the send is planned at 09:00 local on the 23rd (01:00Z).
    let planned = await touches({ contactId });
    expect(planned.map((x) => [x.stepId, x.dueAt.toISOString()])).to.deep.equal([['day0-intro', '2026-11-23T01:00:00.000Z']]);
    expect(planned[0]!.variant).to.be.oneOf(['coupon', 'story']);

    services.clock.set('2026-11-23T01:00:00Z');
    await e.tick();
    services.clock.set('2026-11-23T02:00:00Z'); // day 1 at 10:00 local
    await e.tick();
    planned = await touches({ contactId });
    const intro = planned.find((x) => x.stepId === 'day0-intro')!;
    const perks = planned.find((x) => x.stepId === 'day1-store-perks')!;
    expect(intro.status).to.equal('sent');
    expect(intro.sentAt!.toISOString()).to.equal('2026-11-23T01:00:00.000Z');
    // The day-1 touch falls on the same local day as the first: the daily cap moves it to 09:00 the next day.
    expect(perks.status).to.equal('scheduled');
    expect(perks.dueAt.toISOString()).to.equal('2026-11-24T01:00:00.000Z');
    expect(perks.deferrals.map((d) => d.reason)).to.deep.equal(['cap:daily']);
    const task = await t.db.models.StaffTask.findOne({ corpId: org.corpId, kind: 'mass_send_confirm', contactIds: contactId }).lean();
    expect(task!.text).to.include('tpl-onboarding-day0');
    expect(task!.staffId).to.equal(org.staff.a2);
    const tags = await services.contacts.get({ corpId: org.corpId, storeIds: null }, contactId);
    expect(tags.tagIds.length, 'the tag step applied 新好友 and 培育中').to.equal(2);
  });

  it('gives the daily slot to the higher-priority SOP when two are due for the same contact', async () => {
    services.clock.set('2026-11-25T02:00:00Z'); // 10:00 local
    const high = await registry.publish(org.corpId, simpleSop('prio-high', 90), 'api');
    const low = await registry.publish(org.corpId, simpleSop('prio-low', 10), 'api');
    await registry.setStatus(org.corpId, high.sopId, 'enabled');
    await registry.setStatus(org.corpId, low.sopId, 'enabled');
    const contactId = await friend('双流程');
    // Enrolled low first, so its touch is claimed first: priority, not order, decides.
    await enroll(services, await registry.get(org.corpId, 'prio-low'), contactId, services.clock.now());
    await enroll(services, await registry.get(org.corpId, 'prio-high'), contactId, services.clock.now());
    const e = engine();
    await e.runner.drain();
    await e.dispatcher.drain();
    const [hi] = await touches({ contactId, sopId: 'prio-high' });
    const [lo] = await touches({ contactId, sopId: 'prio-low' });
    expect(hi!.status).to.equal('sent');
    expect(lo!.status).to.equal('scheduled');
    expect(lo!.deferrals.map((d) => d.reason)).to.deep.equal(['cap:priority']);
    expect(lo!.dueAt.toISOString()).to.equal('2026-11-26T01:00:00.000Z');
  });

  it('applies re-entry rules with a rotation counter that keeps history', async () => {
    services.clock.set('2026-12-01T02:00:00Z');
    const never = await registry.publish(org.corpId, simpleSop('reenter-never', 50), 'api');
    const later = await registry.publish(org.corpId, simpleSop('reenter-7d', 50, { reentry: { mode: 'after_days', days: 7 } }), 'api');
    for (const s of [never, later]) await registry.setStatus(org.corpId, s.sopId, 'enabled');
    const contactId = await friend('回头客');
    const e = engine();
    const enrollBoth = async () => [await enroll(services, await registry.get(org.corpId, 'reenter-never'), contactId, services.clock.now()), await enroll(services, await registry.get(org.corpId, 'reenter-7d'), contactId, services.clock.now())];
    expect((await enrollBoth()).map((r) => r.enrolled)).to.deep.equal([true, true]);
    await e.tick();
    services.clock.set('2026-12-03T02:00:00Z');
    expect((await enrollBoth()).map((r) => (r.enrolled ? 'ok' : r.reason))).to.deep.equal(['reentry_never', 'reentry_too_soon']);
    services.clock.set('2026-12-09T02:00:00Z');
    const third = await enrollBoth();
    expect(third.map((r) => (r.enrolled ? r.rotation : r.reason))).to.deep.equal(['reentry_never', 2]);
    expect(await t.db.models.Enrollment.countDocuments({ contactId, sopId: 'reenter-7d' })).to.equal(2);
  });

  it('holds scheduled touches while the SOP is paused and sends them after resume', async () => {
    services.clock.set('2026-12-15T02:00:00Z');
    const sop = await registry.publish(org.corpId, simpleSop('pausable', 50), 'api');
    await registry.setStatus(org.corpId, sop.sopId, 'enabled');
    const contactId = await friend('暂停测试');
    await enroll(services, await registry.get(org.corpId, 'pausable'), contactId, services.clock.now());
    const e = engine();
    await e.runner.drain();
    await registry.setStatus(org.corpId, 'pausable', 'paused');
    await e.dispatcher.drain();
    expect((await touches({ contactId, sopId: 'pausable' }))[0]!.status).to.equal('held');
    await registry.setStatus(org.corpId, 'pausable', 'enabled');
    await e.dispatcher.drain();
    expect((await touches({ contactId, sopId: 'pausable' }))[0]!.status).to.equal('sent');
  });

  it('sends every due touch exactly once with three concurrent dispatchers', async () => {
    services.clock.set('2026-12-20T02:00:00Z');
    const sop = await registry.publish(org.corpId, simpleSop('fanout-3', 50), 'api');
    await registry.setStatus(org.corpId, sop.sopId, 'enabled');
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await friend(`并发${i}`));
    for (const id of ids) await enroll(services, await registry.get(org.corpId, 'fanout-3'), id, services.clock.now());
    await engine().runner.drain();
    sim.control.clearRequests();
    await Promise.all([engine('w1').dispatcher.drain(), engine('w2').dispatcher.drain(), engine('w3').dispatcher.drain()]);
    const rows = await touches({ sopId: 'fanout-3' });
    expect(rows.map((r) => r.status).filter((s) => s !== 'sent')).to.deep.equal([]);
    const mine = new Set((await t.db.models.Contact.find({ _id: { $in: ids } }).lean()).map((c) => c.externalUserId));
    const recipients = sim.control.requests('externalcontact/add_msg_template').flatMap((r) => (r.body as { external_userid: string[] }).external_userid).filter((id) => mine.has(id));
    expect(recipients).to.have.length(30);
    expect(new Set(recipients).size).to.equal(30);
  });

  it('reconciles a touch left in sending by a worker that died after the vendor accepted it: no second send', async () => {
    services.clock.set('2026-12-28T02:00:00Z');
    const sop = await registry.publish(org.corpId, simpleSop('crash-safe', 50), 'api');
    await registry.setStatus(org.corpId, sop.sopId, 'enabled');
    const contactId = await friend('宕机');
    await enroll(services, await registry.get(org.corpId, 'crash-safe'), contactId, services.clock.now());
    await engine().runner.drain();
    // Worker A claims and sends, then dies before recording the outcome.
    const [row] = await touches({ contactId, sopId: 'crash-safe' });
    await t.db.models.Touch.updateOne({ _id: row!._id }, { $set: { status: 'sending', leaseOwner: 'dead', leaseUntil: new Date('2026-12-28T02:01:00Z'), sendStartedAt: services.clock.now(), attempts: 1 } });
    const ext = (await t.db.models.Contact.findById(contactId).lean())!.externalUserId!;
    await services.adapterFor(await services.channelAccounts.resolve('wecom', undefined)).send({ clientId: row!.key, route: 'mass_send', sender: 'a2', to: [{ type: 'contact', id: ext }], text: '【tpl-crash-safe】 宕机' });
    sim.control.clearRequests();
    services.clock.set('2026-12-28T02:05:00Z'); // the lease has lapsed
    await engine('worker-B').dispatcher.drain();
    const [after] = await touches({ contactId, sopId: 'crash-safe' });
    expect(after!.status).to.equal('sent');
    expect(after!.vendorId).to.be.a('string');
    expect(sim.control.requests('externalcontact/add_msg_template'), 'nothing sent twice').to.have.length(0);
  });

  it('takes over at once the touches of a worker whose process died on this host, reconciling them: no wait for the lease, no second send', async () => {
    services.clock.set('2026-12-28T05:00:00Z');
    const sop = await registry.publish(org.corpId, simpleSop('gone-owner', 50), 'api');
    await registry.setStatus(org.corpId, sop.sopId, 'enabled');
    const contactId = await friend('进程已死');
    await enroll(services, await registry.get(org.corpId, 'gone-owner'), contactId, services.clock.now());
    await engine().runner.drain();
    // A worker on this host claimed the touch (its lease runs for another minute), sent it, and was killed.
    const dead = 'this-host:4242';
    const [row] = await touches({ contactId, sopId: 'gone-owner' });
    await t.db.models.Touch.updateOne({ _id: row!._id }, { $set: { status: 'sending', leaseOwner: dead, leaseUntil: new Date('2026-12-28T05:01:00Z'), sendStartedAt: services.clock.now(), attempts: 1 } });
    const ext = (await t.db.models.Contact.findById(contactId).lean())!.externalUserId!;
    await services.adapterFor(await services.channelAccounts.resolve('wecom', undefined)).send({ clientId: row!.key, route: 'mass_send', sender: 'a2', to: [{ type: 'contact', id: ext }], text: '【tpl-gone-owner】 进程已死' });
    sim.control.clearRequests();

    // A worker that cannot tell the owner is dead leaves the touch alone until the lease lapses.
    expect(await new TouchDispatcher(services, 'this-host:1', placeholderRenderer, undefined, () => false).drain()).to.equal(0);
    expect((await touches({ contactId, sopId: 'gone-owner' })).map((r) => [r.status, r.leaseOwner])).to.deep.equal([['sending', dead]]);

    // One that sees the owner's process gone takes it over without the clock moving, and asks the vendor first.
    expect(await new TouchDispatcher(services, 'this-host:1', placeholderRenderer, undefined, (owner) => owner === dead).drain()).to.equal(1);
    const [after] = await touches({ contactId, sopId: 'gone-owner' });
    expect([after!.status, after!.attempts]).to.deep.equal(['sent', 2]);
    expect(after!.vendorId).to.be.a('string');
    expect(sim.control.requests('externalcontact/add_msg_template'), 'nothing sent twice').to.have.length(0);
  });

  it('does not send rows whose lease lapsed while it was still gating them: the worker that took them over sends them once', async () => {
    services.clock.set('2026-12-29T02:00:00Z');
    const sop = await registry.publish(org.corpId, simpleSop('slow-worker', 50), 'api');
    await registry.setStatus(org.corpId, sop.sopId, 'enabled');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await friend(`慢${i}`));
    for (const id of ids) await enroll(services, await registry.get(org.corpId, 'slow-worker'), id, services.clock.now());
    await engine().runner.drain();
    sim.control.clearRequests();
    let stalled = false;
    const slow = new TouchDispatcher(services, 'slow', async (touch, routing) => {
      if (!stalled) {
        stalled = true;
        // While the slow worker renders, the clock jumps past its lease (a stall no renewal covers) and another worker takes every row over.
        services.clock.advance(120_000);
        await new TouchDispatcher(services, 'fast', placeholderRenderer).drain();
      }
      return placeholderRenderer(touch, routing);
    });
    await slow.drain();
    const rows = await touches({ sopId: 'slow-worker' });
    expect(rows.map((r) => r.status)).to.deep.equal(['sent', 'sent', 'sent', 'sent', 'sent']);
    const mine = new Set((await t.db.models.Contact.find({ _id: { $in: ids } }).lean()).map((c) => c.externalUserId));
    const recipients = sim.control.requests('externalcontact/add_msg_template').flatMap((r) => (r.body as { external_userid: string[] }).external_userid).filter((id) => mine.has(id));
    expect(recipients.sort()).to.deep.equal([...mine].sort());
  });

  it('extends the lease of a claim in hand: a worker slower than its lease keeps its touches and no other worker takes them', async () => {
    services.clock.set('2026-12-30T02:00:00Z');
    const sop = await registry.publish(org.corpId, simpleSop('long-claim', 50), 'api');
    await registry.setStatus(org.corpId, sop.sopId, 'enabled');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await friend(`长${i}`));
    for (const id of ids) await enroll(services, await registry.get(org.corpId, 'long-claim'), id, services.clock.now());
    await engine().runner.drain();
    sim.control.clearRequests();
    const leaseMs = 600;
    let stalled = false;
    let takenByOther = -1;
    const slow = new TouchDispatcher(
      services,
      'slow',
      async (touch, routing) => {
        if (!stalled) {
          stalled = true;
          // 1,000 ms of a 600 ms lease pass while the claim is in hand; the renewals (every 200 ms, real time) keep it.
          for (let i = 0; i < 4; i++) {
            services.clock.advance(250);
            await new Promise((resolve) => setTimeout(resolve, 400));
          }
          takenByOther = await new TouchDispatcher(services, 'other', placeholderRenderer, leaseMs).drain();
        }
        return placeholderRenderer(touch, routing);
      },
      leaseMs,
    );
    await slow.drain();
    expect(takenByOther, 'the other worker found nothing to take over').to.equal(0);
    const rows = await touches({ sopId: 'long-claim' });
    expect(rows.map((r) => [r.status, r.reclaimed, r.attempts])).to.deep.equal([['sent', false, 1], ['sent', false, 1], ['sent', false, 1]]);
    const mine = new Set((await t.db.models.Contact.find({ _id: { $in: ids } }).lean()).map((c) => c.externalUserId));
    const recipients = sim.control.requests('externalcontact/add_msg_template').flatMap((r) => (r.body as { external_userid: string[] }).external_userid).filter((id) => mine.has(id));
    expect(recipients.sort()).to.deep.equal([...mine].sort());
  });

  it('exits a run when the contact opts out and skips its planned touches', async () => {
    services.clock.set('2027-01-05T02:00:00Z');
    const sop = await registry.publish(org.corpId, { ...simpleSop('exit-test', 50), steps: [{ id: 'w', type: 'wait', duration: '1d' }, { id: 'hello', type: 'send', channel: 'wecom_1to1', template: 'tpl-x' }] }, 'api');
    await registry.setStatus(org.corpId, sop.sopId, 'enabled');
    const contactId = await friend('退订');
    await enroll(services, await registry.get(org.corpId, 'exit-test'), contactId, services.clock.now());
    await t.db.models.Contact.updateOne({ _id: contactId }, { $set: { 'consent.optedOut': true } });
    services.clock.set('2027-01-06T02:00:00Z');
    await engine().tick();
    const run = await t.db.models.Enrollment.findOne({ contactId, sopId: 'exit-test' }).lean();
    expect(run).to.include({ status: 'exited', exitReason: 'opted_out' });
    expect(await touches({ contactId, sopId: 'exit-test' })).to.deep.equal([]);
  });

  it('sends the content version pinned at publish, rendered for each contact, as separate tasks when texts differ', async () => {
    services.clock.set('2027-01-10T02:00:00Z');
    await seedContentTemplates(services, org.corpId);
    const pinned = new SopRegistry(services, (corpId, ids) => services.content.pinnedVersions(corpId, ids));
    const sop = await pinned.publish(org.corpId, simpleSop('rendered', 50, { steps: [{ id: 'hello', type: 'send', channel: 'wecom_1to1', template: 'tpl-onboarding-day1-store-perks' }] }), 'api');
    expect(sop.contentPins['tpl-onboarding-day1-store-perks']).to.equal(1);
    await pinned.setStatus(org.corpId, sop.sopId, 'enabled');
    const a = await friend('林一');
    const b = await friend('周二');
    for (const id of [a, b]) await enroll(services, await pinned.get(org.corpId, 'rendered'), id, services.clock.now());
    const e = new SopEngine(services, pinned, contentRenderer(services), 'render-worker', pino({ level: 'silent' }));
    await e.runner.drain();
    await e.dispatcher.drain();
    const sent = await touches({ sopId: 'rendered' });
    expect(sent.map((x) => x.status)).to.deep.equal(['sent', 'sent']);
    expect(sent.map((x) => x.templateVersion)).to.deep.equal([1, 1]);
    const v1 = await services.content.getVersion({ corpId: org.corpId, storeIds: null }, 'tpl-onboarding-day1-store-perks', 1);
    for (const x of sent) expect(x.text).to.be.a('string').and.not.include('{{');
    expect(v1.text, 'the seeded template is personalised').to.include('{{contact.name');
    expect(sent.map((x) => x.text).filter((tx) => tx!.includes('林一'))).to.have.length(1);
    expect(sent.map((x) => x.text).filter((tx) => tx!.includes('周二'))).to.have.length(1);
    expect(await t.db.models.StaffTask.countDocuments({ corpId: org.corpId, kind: 'mass_send_confirm', 'source.sopId': 'rendered' })).to.equal(2);
  });

  it('takes a dead worker’s whole mass-send batch over at once and finds it at the vendor: one lookup, no resend', async () => {
    services.clock.set('2027-01-12T02:00:00Z');
    const sop = await registry.publish(org.corpId, simpleSop('crash-batch', 50), 'api');
    await registry.setStatus(org.corpId, sop.sopId, 'enabled');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await friend('宕机批')); // one name: one text, one mass send
    for (const id of ids) await enroll(services, await registry.get(org.corpId, 'crash-batch'), id, services.clock.now());
    await engine().runner.drain();
    const rows = await touches({ sopId: 'crash-batch' });
    await t.db.models.Touch.updateMany({ _id: { $in: rows.map((r) => r._id) } }, { $set: { status: 'sending', leaseOwner: 'dead', leaseUntil: new Date('2027-01-12T02:01:00Z'), sendStartedAt: services.clock.now(), attempts: 1 } });
    const exts = (await t.db.models.Contact.find({ _id: { $in: ids } }).lean()).map((c) => c.externalUserId!);
    // The dead worker's one mass send for the batch was accepted by WeCom before it died.
    await services.adapterFor(await services.channelAccounts.resolve('wecom', undefined)).send({ clientId: rows[0]!.key, route: 'mass_send', sender: 'a2', to: exts.map((id) => ({ type: 'contact' as const, id })), text: '【tpl-crash-batch】 宕机批' });
    sim.control.clearRequests();
    services.clock.set('2027-01-12T02:05:00Z');
    await engine('worker-C').dispatcher.drain();
    const after = await touches({ sopId: 'crash-batch' });
    expect(after.map((r) => r.status)).to.deep.equal(['sent', 'sent', 'sent']);
    expect(new Set(after.map((r) => r.vendorId)).size, 'all three found as the one mass send').to.equal(1);
    expect(sim.control.requests('externalcontact/add_msg_template'), 'nothing sent twice').to.have.length(0);
    expect(sim.control.requests('externalcontact/get_groupmsg_list_v2').length, 'the vendor asked about the batch, not each touch').to.be.at.most(1);
  });
});
