import { expect } from 'chai';
import pino from 'pino';
import { inHoldout } from '../../server/experiments/experiment.service.ts';
import { bulkEnroll } from '../../server/sop/runtime/bulk-enroll.ts';
import { enroll } from '../../server/sop/runtime/enroll.ts';
import { SopEngine } from '../../server/sop/runtime/sop-engine.ts';
import { placeholderRenderer } from '../../server/sop/runtime/touch-renderer.ts';
import { useTestDatabase } from '../support/database.ts';
import { seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';

const VARIANTS = [
  { id: 'story', template: 'tpl-story', weight: 50 },
  { id: 'coupon', template: 'tpl-coupon', weight: 50 },
];
const sopWith = (id: string, experiment: string) => ({
  id,
  name: `分流 ${id}`,
  trigger: { type: 'event', event: 'friend_added' },
  steps: [{ id: 'intro', type: 'send', channel: 'wecom_1to1', experiment, variants: VARIANTS }],
});

describe('Experiment assignment in the SOP runtime: holdout and auto-winner', () => {
  const t = useTestDatabase('experiment_assignment');
  let services: ReturnType<typeof testServices>;
  let org: TestOrg;
  let seq = 0;

  /** Contacts of store A with a live follow of staff a2. */
  const contacts = async (n: number, tag: string): Promise<string[]> => {
    const staff = await services.org.getStaff({ corpId: org.corpId, storeIds: null }, org.staff.a2);
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const { contact } = await services.identities.upsert(org.corpId, { identities: [{ kind: 'wecom', externalUserId: `wm-assign-${++seq}` }], profile: { name: `${tag}${i}` } });
      await services.follows.upsert(org.corpId, { contactId: contact.id, staff, addedAt: services.clock.now() });
      await services.db.models.Contact.updateOne({ _id: contact.id }, { $set: { homeStoreId: org.stores.a }, $addToSet: { tagIds: tag } });
      ids.push(contact.id);
    }
    return ids;
  };
  const publish = async (sopId: string, experimentId: string, holdoutWeight: number) => {
    await services.sops.publish(org.corpId, sopWith(sopId, experimentId), 'api');
    await services.sops.setStatus(org.corpId, sopId, 'enabled');
    await services.experiments.ensureForSop(org.corpId, await services.sops.get(org.corpId, sopId));
    if (holdoutWeight) await services.experiments.configure(org.corpId, experimentId, { holdoutWeight });
  };

  before(async () => {
    services = testServices(t.db, { now: '2026-12-01T02:00:00Z' }); // 10:00 in Shanghai
    org = await seedTestOrg(services);
  });

  for (const path of ['runner', 'bulk enrollment'] as const) {
    it(`keeps the holdout out of every touch and records its assignment (${path})`, async () => {
      const experimentId = `holdout-${path === 'runner' ? 'r' : 'b'}`;
      await publish(`sop-${experimentId}`, experimentId, 50); // 50 : 50 : 50 → a third held out
      const ids = await contacts(90, experimentId);
      const sop = await services.sops.get(org.corpId, `sop-${experimentId}`);
      if (path === 'runner') {
        for (const id of ids) await enroll(services, sop, id, services.clock.now());
        await new SopEngine(services, services.sops, placeholderRenderer, 'w', pino({ level: 'silent' })).runner.drain();
      } else {
        const res = await bulkEnroll(services, sop, { corpId: org.corpId, tagIds: experimentId }, services.clock.now(), { batchSize: 16 });
        expect(res.enrolled).to.equal(90);
      }
      const experiment = await t.db.models.Experiment.findOne({ corpId: org.corpId, experimentId }).lean();
      const expectedHeld = ids.filter((id) => inHoldout(experiment!, id, services.clock.now())).sort();
      expect(expectedHeld.length, 'the draw gives a holdout of roughly a third').to.be.within(15, 45);

      const touches = await t.db.models.Touch.find({ corpId: org.corpId, experiment: experimentId }).lean();
      const held = await t.db.models.ExperimentAssignment.find({ corpId: org.corpId, experimentId }).lean();
      expect(held.map((h) => h.contactId).sort()).to.deep.equal(expectedHeld);
      expect(held.every((h) => h.arm === 'holdout' && h.storeId === org.stores.a)).to.equal(true);
      expect(touches.map((x) => x.contactId).sort()).to.deep.equal(ids.filter((id) => !expectedHeld.includes(id)).sort());
      const runs = await t.db.models.Enrollment.find({ corpId: org.corpId, sopId: `sop-${experimentId}` }).lean();
      expect(runs.filter((r) => (r.variants as Record<string, string>)?.intro === 'holdout').length).to.equal(expectedHeld.length);

      const results = await services.experiments.results({ corpId: org.corpId, storeIds: null }, await services.experiments.get(org.corpId, experimentId));
      const units = Object.fromEntries(results.arms.map((a: { name: string; units: number }) => [a.name, a.units]));
      expect(units).to.deep.include({ holdout: expectedHeld.length });
    });
  }

  it('draws only the decided winner for new assignments, and keeps earlier assignments as they were', async () => {
    const experimentId = 'decided';
    await publish('sop-decided', experimentId, 0);
    const sop = await services.sops.get(org.corpId, 'sop-decided');
    const before = await contacts(30, 'decided-before');
    for (const id of before) await enroll(services, sop, id, services.clock.now());
    const engine = new SopEngine(services, services.sops, placeholderRenderer, 'w', pino({ level: 'silent' }));
    await engine.runner.drain();
    const earlier = await t.db.models.Touch.find({ corpId: org.corpId, experiment: experimentId }).lean();
    expect(new Set(earlier.map((x) => x.variant))).to.deep.equal(new Set(['story', 'coupon']));

    await t.db.models.Experiment.updateOne({ corpId: org.corpId, experimentId }, { $set: { status: 'decided', 'autoWinner.enabled': true, 'autoWinner.decidedArm': 'coupon', 'autoWinner.decidedAt': services.clock.now() } });
    const after = await contacts(30, 'decided-after');
    for (const id of after.slice(0, 15)) await enroll(services, sop, id, services.clock.now());
    await engine.runner.drain();
    await bulkEnroll(services, sop, { corpId: org.corpId, tagIds: 'decided-after' }, services.clock.now());
    const later = await t.db.models.Touch.find({ corpId: org.corpId, experiment: experimentId, contactId: { $in: after } }).lean();
    expect(later).to.have.length(30);
    expect(later.every((x) => x.variant === 'coupon' && x.templateId === 'tpl-coupon')).to.equal(true);
    const unchanged = await t.db.models.Touch.find({ corpId: org.corpId, experiment: experimentId, contactId: { $in: before } }).lean();
    expect(unchanged.map((x) => `${x.contactId}:${x.variant}`).sort()).to.deep.equal(earlier.map((x) => `${x.contactId}:${x.variant}`).sort());
  });
});
