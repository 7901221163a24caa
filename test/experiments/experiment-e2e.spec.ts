import { expect } from 'chai';
import pino from 'pino';
import { startWecomSimulator, SIM_CORP_ID, type WecomSimulator } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { variantsForStep } from '../../server/experiments/experiment.service.ts';
import { CSV_COLUMNS } from '../../server/experiments/results-csv.ts';
import type { ExperimentResults } from '../../server/experiments/results.ts';
import { analyze } from '../../server/experiments/stats/analyze.ts';
import { decide, type Verdict } from '../../server/experiments/stats/decision.ts';
import { holm } from '../../server/experiments/stats/multiple-comparisons.ts';
import { enroll } from '../../server/sop/runtime/enroll.ts';
import { SopEngine } from '../../server/sop/runtime/sop-engine.ts';
import { placeholderRenderer } from '../../server/sop/runtime/touch-renderer.ts';
import { useTestDatabase } from '../support/database.ts';
import { http, seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';
import { useSimulatorAccount } from '../support/sim-account.ts';

const T0 = new Date('2026-12-01T02:00:00Z'); // 10:00 in Shanghai: no quiet hours, the send is planned at once
const HOUR = 3_600_000;
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);
const EXPERIMENT = 'onboarding-intro';
const VARIANTS = [
  { id: 'story', template: 'tpl-intro-story', weight: 50 },
  { id: 'coupon', template: 'tpl-intro-coupon', weight: 50 },
];
const SOP = {
  id: 'ab-intro',
  name: 'A/B 欢迎后介绍',
  trigger: { type: 'event', event: 'friend_added' },
  steps: [{ id: 'intro', type: 'send', channel: 'wecom_1to1', experiment: EXPERIMENT, variants: VARIANTS }],
};
// The hand count: how many contacts of each arm reply, click and convert.
const PLAN = { story: { reply: 50, click: 20, conversion: 10 }, coupon: { reply: 160, click: 40, conversion: 30 } } as const;
const GOALS = ['reply', 'click', 'conversion'];

/** What the decision rules say for these counts: the engine per goal, Holm across arms × goals, then decide. */
function expectedVerdicts(counts: Array<{ story: [number, number]; coupon: [number, number] }>): Verdict[] {
  const analyses = counts.map((c) =>
    analyze([{ name: 'story', users: c.story[0], conversions: c.story[1] }, { name: 'coupon', users: c.coupon[0], conversions: c.coupon[1] }], { weights: [50, 50], sequential: true }),
  );
  const family = holm(analyses.map((a) => a.comparisons[0]!.p_sequential ?? 1));
  return analyses.map((a, i) =>
    decide({ arms: a.arms, srmFlagged: a.srm.flagged, adjustedP: [family[i]!], probBeatControl: [a.comparisons[0]!.prob_beat_control], probBest: a.prob_best, alpha: 0.05, view: 'frequentist' }),
  );
}

describe('A/B experiments end to end: SOP variants → replies, clicks, conversions → /api/experiments', function () {
  this.timeout(180_000);
  const t = useTestDatabase('experiment_e2e');
  let sim: WecomSimulator;
  let services: ReturnType<typeof testServices>;
  let org: TestOrg;
  let api: ReturnType<typeof http>;
  /** contact id → its arm and store, from the ledger. */
  const arms = { story: [] as string[], coupon: [] as string[] };
  const storeOf = new Map<string, string | null>();
  const touchKey = new Map<string, string>();

  const addFriend = async (staffUserId: 'a2' | 'b1') => {
    // No name on our side: every contact renders the same text, so each staff member gets one mass send per arm.
    const c = sim.control.addCustomer({ name: 'AB', follow_user: [{ userid: staffUserId }] });
    const { contact } = await services.identities.upsert(org.corpId, { identities: [{ kind: 'wecom', externalUserId: c.external_userid }] });
    const staff = await services.org.getStaff({ corpId: org.corpId, storeIds: null }, staffUserId === 'a2' ? org.staff.a2 : org.staff.b1);
    await services.follows.upsert(org.corpId, { contactId: contact.id, staff, addedAt: services.clock.now() });
    return contact.id;
  };
  const reply = (contactId: string, hours: number, n: number, origin = 'customer') =>
    services.events.append(org.corpId, { key: `kf-test:${contactId}:${n}`, direction: 'inbound', channel: 'wecom_kf', type: 'kf.message.text', contactId, occurredAt: at(hours), payload: { origin, text: '好的，谢谢' } });

  before(async () => {
    services = testServices(t.db, { now: T0.toISOString() });
    sim = await startWecomSimulator({ clock: services.clock });
    sim.control.addStaff('a2');
    sim.control.addStaff('b1');
    org = await seedTestOrg(services, SIM_CORP_ID);
    // Publishing refuses templates without a published version.
    await services.content.importPublished({ corpId: org.corpId, storeIds: null }, VARIANTS.map((v) => ({ templateId: v.template, name: v.id, scene: '测试', tags: [], channels: ['wecom_1to1'], text: `介绍 ${v.id}`, attachments: [] })), 'test');
    await useSimulatorAccount(services, org.corpId, sim);
    api = http(services);
  });
  after(async () => sim.stop());

  it('publishes the SOP, enrolls 400 contacts and assigns them deterministically through the runtime', async () => {
    await api.post('/api/sops', { definition: SOP }, org.tokens.marketer).expect(201);
    await api.post('/api/sops/ab-intro/enable', {}, org.tokens.marketer).expect(200);
    const sop = await services.sops.get(org.corpId, 'ab-intro');
    const ids: string[] = [];
    for (let i = 0; i < 400; i += 20) ids.push(...(await Promise.all(Array.from({ length: 20 }, (_, j) => addFriend((i + j) % 2 ? 'b1' : 'a2')))));
    for (const id of ids) expect((await enroll(services, sop, id, services.clock.now())).enrolled).to.equal(true);
    await new SopEngine(services, services.sops, placeholderRenderer, 'ab-worker', pino({ level: 'silent' })).tick();

    const touches = await t.db.models.Touch.find({ corpId: org.corpId, experiment: EXPERIMENT }).lean();
    expect(touches).to.have.length(400);
    for (const x of touches) {
      arms[x.variant as 'story' | 'coupon'].push(x.contactId);
      storeOf.set(x.contactId, x.storeId ?? null);
      touchKey.set(x.contactId, x.key);
    }
    expect(touches.every((x) => x.status === 'sent' && x.sentAt?.getTime() === T0.getTime())).to.equal(true);
    expect(arms.coupon.length, 'enough coupon contacts for the plan').to.be.at.least(PLAN.coupon.reply);
    expect(arms.story.length + arms.coupon.length).to.equal(400);
  });

  it('creates the experiment from the SOP step (weights from the SOP) and takes the goals from the marketer', async () => {
    const synced = await api.post('/api/experiments/sync', { sopId: 'ab-intro' }, org.tokens.marketer).expect(200);
    expect(synced.body.items).to.have.length(1);
    expect(synced.body.items[0]).to.deep.include({ experimentId: EXPERIMENT, status: 'running', goals: ['reply'], guardrails: ['friend_deleted', 'opted_out'], windowDays: 7, holdoutWeight: 0 });
    expect(synced.body.items[0].arms).to.deep.equal([
      { id: 'story', label: 'story', templateId: 'tpl-intro-story', weight: 50 },
      { id: 'coupon', label: 'coupon', templateId: 'tpl-intro-coupon', weight: 50 },
    ]);
    expect(synced.body.items[0].startAt, 'starts at the first assignment').to.equal(T0.toISOString());
    expect((await services.experiments.ensureForSop(org.corpId, await services.sops.get(org.corpId, 'ab-intro')))[0]!.startAt.toISOString(), 'ensureForSop again changes nothing').to.equal(T0.toISOString());
    await api.patch(`/api/experiments/${EXPERIMENT}`, { goals: GOALS }, org.tokens.staffA).expect(403);
    const bad = await api.patch(`/api/experiments/${EXPERIMENT}`, { goals: ['revenue'], extra: 1 }, org.tokens.marketer).expect(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).to.include.members(['body', 'body.goals.0']);
    const patched = await api.patch(`/api/experiments/${EXPERIMENT}`, { goals: GOALS }, org.tokens.marketer).expect(200);
    expect(patched.body.goals).to.deep.equal(GOALS);
  });

  it('records replies from the event log, clicks through /r/:code and idempotent conversions', async () => {
    for (const arm of ['story', 'coupon'] as const) {
      for (const [i, id] of arms[arm].slice(0, PLAN[arm].reply).entries()) await reply(id, 2, i);
    }
    await reply(arms.coupon[0]!, 4, 999); // a second reply of one contact counts once
    await reply(arms.story[100]!, -1, 1); // before exposure
    await reply(arms.story[101]!, 7 * 24 + 1, 1); // after the 7-day window
    await reply(arms.story[102]!, 3, 1, 'servicer'); // the servicer wrote, not the contact

    services.clock.set(at(3));
    for (const arm of ['story', 'coupon'] as const) {
      for (const id of arms[arm].slice(0, PLAN[arm].click)) {
        const link = await api.post('/api/links', { url: `https://shop.example.com/intro?c=${id}`, touchKey: touchKey.get(id) }, org.tokens.marketer).expect(201);
        expect(link.body).to.include({ shortUrl: `/r/${link.body.code}`, contactId: id, experiment: EXPERIMENT, variant: arm });
        const hop = await api.get(link.body.shortUrl).expect(302);
        expect(hop.headers.location).to.equal(`https://shop.example.com/intro?c=${id}`);
        if (id === arms.coupon[0]) await api.get(link.body.shortUrl).expect(302); // a reload in the same minute
      }
    }
    await api.get('/r/doesNotExist').expect(404).expect('content-type', /html/);
    await api.post('/api/links', { url: 'javascript:alert(1)' }, org.tokens.marketer).expect(400);
    expect(await t.db.models.Event.countDocuments({ corpId: org.corpId, type: 'link.clicked' })).to.equal(PLAN.story.click + PLAN.coupon.click);

    services.clock.set(at(6));
    const conversion = (key: string, target: Record<string, string>, type = 'order') => ({ idempotencyKey: key, ...target, type, value: 199, occurredAt: at(5).toISOString() });
    for (const arm of ['story', 'coupon'] as const) {
      for (const id of arms[arm].slice(1, PLAN[arm].conversion)) await api.post('/api/conversions', conversion(`order-${id}`, { contactId: id }), org.tokens.hq).expect(201);
    }
    const ext = (await t.db.models.Contact.findById(arms.story[0]).lean())!.externalUserId!;
    const byIdentity = await api.post('/api/conversions', conversion('order-by-identity', { identity: `wecom:${ext}` }), org.tokens.marketer).expect(201);
    expect(byIdentity.body).to.deep.include({ duplicate: false });
    expect(byIdentity.body.conversion.contactId).to.equal(arms.story[0]);
    await api.post('/api/conversions', conversion('order-coupon-0', { contactId: arms.coupon[0]! }), org.tokens.marketer).expect(201);
    const replay = await api.post('/api/conversions', conversion('order-coupon-0', { contactId: arms.coupon[0]! }), org.tokens.marketer).expect(200);
    expect(replay.body.duplicate).to.equal(true);
    await api.post('/api/conversions', conversion('order-coupon-0', { contactId: arms.coupon[0]! }, 'refund'), org.tokens.marketer).expect(409);
    await api.post('/api/conversions', conversion('order-nobody', { contactId: '0123456789abcdef01234567' }), org.tokens.marketer).expect(404);
    await api.post('/api/conversions', { ...conversion('order-both', { contactId: arms.story[1]!, identity: `wecom:${ext}` }) }, org.tokens.marketer).expect(400);
    await api.post('/api/conversions', conversion('order-staff', { contactId: arms.story[1]! }), org.tokens.staffA).expect(403);
    expect(await t.db.models.Event.countDocuments({ corpId: org.corpId, type: 'conversion' })).to.equal(PLAN.story.conversion + PLAN.coupon.conversion);
  });

  it('reads every statistic over HTTP, matching the hand count and the decision rules', async () => {
    services.clock.set(at(9 * 24));
    const res = await api.get(`/api/experiments/${EXPERIMENT}`, org.tokens.marketer).expect(200);
    const r = res.body.results as ExperimentResults;
    const n = { story: arms.story.length, coupon: arms.coupon.length };
    expect(r.arms).to.deep.equal([
      { name: 'story', weight: 50, units: n.story, sent: n.story },
      { name: 'coupon', weight: 50, units: n.coupon, sent: n.coupon },
    ]);
    const counts = (metric: string) => r.metrics.find((m) => m.metric === metric)!.arms.map((a) => [a.users, a.conversions]);
    expect(counts('reply')).to.deep.equal([[n.story, PLAN.story.reply], [n.coupon, PLAN.coupon.reply]]);
    expect(counts('click')).to.deep.equal([[n.story, PLAN.story.click], [n.coupon, PLAN.coupon.click]]);
    expect(counts('conversion')).to.deep.equal([[n.story, PLAN.story.conversion], [n.coupon, PLAN.coupon.conversion]]);
    expect(counts('friend_deleted')).to.deep.equal([[n.story, 0], [n.coupon, 0]]);
    expect(counts('opted_out')).to.deep.equal([[n.story, 0], [n.coupon, 0]]);

    const expected = expectedVerdicts(GOALS.map((g) => ({ story: [n.story, PLAN.story[g as 'reply']], coupon: [n.coupon, PLAN.coupon[g as 'reply']] })));
    expect(r.metrics.filter((m) => m.role === 'goal').map((m) => m.verdict)).to.deep.equal(expected);
    expect(r.metrics.find((m) => m.metric === 'click')!.label, 'too few clicks to decide').to.equal('insufficient data');
    expect(r.primary!.verdict).to.equal(expected[0]);
    expect(r.srm.flagged).to.equal(false);
    expect(r.metrics.every((m) => !m.srm.flagged)).to.equal(true);
    const c = r.metrics[0]!.comparisons[0]!;
    for (const key of ['abs_lift', 'rel_lift', 'ci95_abs', 'ci95_rel', 'z_pooled', 'p_pooled', 'p_unpooled', 'p_welch_rel', 'p_sequential', 'prob_beat_control', 'p_holm', 'p_bh', 'p_holm_family', 'p_bh_family']) {
      expect(c, key).to.have.property(key).that.is.not.equal(null);
    }
    expect(r.per_store.map((s) => [s.store, s.units]).sort()).to.deep.equal(
      [['上海一店', [...storeOf.values()].filter((s) => s === org.stores.a).length], ['北京一店', [...storeOf.values()].filter((s) => s === org.stores.b).length]].sort(),
    );
    expect(r.series.days[0]).to.equal('2026-12-01');
    const replySeries = r.series.metrics.reply!;
    expect(replySeries.map((s) => [s.users.at(-1), s.conversions.at(-1)])).to.deep.equal([[n.story, PLAN.story.reply], [n.coupon, PLAN.coupon.reply]]);

    const list = await api.get('/api/experiments', org.tokens.marketer).expect(200);
    expect(list.body.items.map((e: { experimentId: string; primary: { verdict: string } }) => [e.experimentId, e.primary.verdict])).to.deep.equal([[EXPERIMENT, expected[0]]]);
    const mine = await api.get(`/api/experiments/${EXPERIMENT}`, org.tokens.staffA).expect(200);
    expect(mine.body.results.arms.reduce((s: number, a: { units: number }) => s + a.units, 0), 'a store role sees its store').to.equal([...storeOf.values()].filter((s) => s === org.stores.a).length);
  });

  it('exports a CSV row per metric × arm', async () => {
    const res = await api.get(`/api/experiments/${EXPERIMENT}/results.csv`, org.tokens.managerA).expect(200);
    expect(res.headers['content-type']).to.match(/^text\/csv/);
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines[0]).to.equal(CSV_COLUMNS.join(','));
    expect(lines.slice(1).map((l) => l.split(',').slice(1, 5).filter((_, i) => i !== 1 && i !== 2).join(':'))).to.have.members(
      ['reply', 'click', 'conversion', 'friend_deleted', 'opted_out'].flatMap((m) => [`${m}:story`, `${m}:coupon`]),
    );
  });

  it('lets the auto-winner decide the primary goal when the rules allow, and shifts new assignments to it', async () => {
    await api.patch(`/api/experiments/${EXPERIMENT}`, { goals: ['reply'], autoWinner: { enabled: true } }, org.tokens.marketer).expect(200);
    const n = { story: arms.story.length, coupon: arms.coupon.length };
    const [verdict] = expectedVerdicts([{ story: [n.story, PLAN.story.reply], coupon: [n.coupon, PLAN.coupon.reply] }]);
    expect(verdict, 'the plan is a clear winner even on the peeking-safe p').to.equal('winner:coupon');
    const res = await api.get(`/api/experiments/${EXPERIMENT}`, org.tokens.marketer).expect(200);
    expect(res.body.autoWinnerCheck).to.include({ decide: true, arm: 'coupon' });
    expect(res.body.experiment).to.deep.include({ status: 'decided' });
    expect(res.body.experiment.autoWinner).to.include({ enabled: true, decidedArm: 'coupon', decidedAt: at(9 * 24).toISOString() });
    expect(res.body.experiment.autoWinner.reason).to.match(/^reply：coupon 胜出.*reply: coupon 160\/\d+ beats control story 50\/\d+/);
    expect((await variantsForStep(t.db.models, org.corpId, EXPERIMENT, VARIANTS)).map((v) => v.id)).to.deep.equal(['coupon']);
    expect(res.body.results.arms.map((a: { units: number }) => a.units), 'units before the decision stay analysed').to.deep.equal([n.story, n.coupon]);
    await api.post(`/api/experiments/${EXPERIMENT}/stop`, {}, org.tokens.marketer).expect(409);
  });

  it('names an unnamed experiment <sopId>/<stepId>, answers before any assignment, and stops once', async () => {
    const plain = { ...SOP, id: 'ab-plain', steps: [{ id: 'intro', type: 'send', channel: 'wecom_1to1', variants: VARIANTS }] };
    await api.post('/api/sops', { definition: plain }, org.tokens.marketer).expect(201);
    const synced = await api.post('/api/experiments/sync', { sopId: 'ab-plain' }, org.tokens.hq).expect(200);
    expect(synced.body.items.map((e: { experimentId: string }) => e.experimentId)).to.deep.equal(['ab-plain/intro']);
    const res = await api.get('/api/experiments/ab-plain%2Fintro', org.tokens.staffB).expect(200);
    expect(res.body.results.primary).to.deep.include({ metric: 'reply', verdict: 'insufficient_data', label: 'insufficient data' });
    expect(res.body.results.series.days).to.deep.equal([]);
    const stopped = await api.post('/api/experiments/ab-plain%2Fintro/stop', {}, org.tokens.marketer).expect(200);
    expect(stopped.body).to.include({ status: 'stopped', stoppedAt: services.clock.now().toISOString() });
    await api.post('/api/experiments/ab-plain%2Fintro/stop', {}, org.tokens.marketer).expect(409);
    await api.get('/api/experiments/nope', org.tokens.marketer).expect(404);
    const size = await api.get('/api/experiments/sample-size?baseline=0.2&mde=0.05', org.tokens.staffB).expect(200);
    expect(size.body.perArmRounded).to.equal(Math.ceil(size.body.perArm));
    await api.get('/api/experiments/sample-size?baseline=0.99&mde=0.05', org.tokens.staffB).expect(400);
  });
});
