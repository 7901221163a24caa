import { Readable } from 'node:stream';
import { expect } from 'chai';
import { useTestDatabase } from '../../../test/support/database.ts';
import { seedTestOrg, testServices, type TestOrg } from '../../../test/support/test-app.ts';
import type { CampaignsModule } from '../campaigns.module.ts';
import type { CampaignDto } from '../campaign.repository.ts';

const csv = (rows: Array<[string, string]>) => Readable.from([Buffer.from(['phone,store', ...rows.map((r) => r.join(','))].join('\n'))]);
const phone = (i: number) => `1390000${String(i).padStart(4, '0')}`;

describe('AssignmentService', () => {
  const t = useTestDatabase('campaign_assign');
  let services: ReturnType<typeof testServices>;
  let org: TestOrg;
  let module: CampaignsModule;
  let londonStaff: string;

  before(async () => {
    services = testServices(t.db);
    org = await seedTestOrg(services);
    module = services.campaigns;
    const scope = { corpId: org.corpId, storeIds: null };
    const london = await services.org.createStore(scope, { code: 'LDN1', name: 'London', city: 'London', region: 'EU', timezone: 'Europe/London' });
    londonStaff = (await services.org.createStaff(scope, { userId: 'l1', name: 'Lucy', storeId: london.id, role: 'staff' })).id;
    // b1's own add-friend quota (1 a day) is below the campaign's.
    await services.org.updateStaff(scope, org.staff.b1, { quotas: { addFriendsPerDay: 1, massSendsPerDay: 1 } });
  });

  const assignedTo = async (campaignId: string) => {
    const rows = await t.db.models.Lead.find({ campaignId, status: 'assigned' }).lean();
    return rows.reduce<Record<string, number>>((m, l) => ({ ...m, [l.staffId!]: (m[l.staffId!] ?? 0) + 1 }), {});
  };

  describe('quotas and working hours across days and time zones', () => {
    let campaign: CampaignDto;
    before(async () => {
      const scope = { corpId: org.corpId, storeIds: null };
      campaign = await module.campaigns.create(scope, { name: '配额', dailyQuota: 2, greetings: [{ id: 'g1', text: '您好' }] });
      campaign = await module.campaigns.transition(scope, campaign.id, 'start', new Date('2026-11-22T00:00:00Z'));
      const rows: Array<[string, string]> = [];
      for (let i = 0; i < 4; i++) rows.push([phone(i), 'SH01']);
      for (let i = 4; i < 40; i++) rows.push([phone(i), '']);
      expect(await module.importer.import(campaign, csv(rows))).to.include({ imported: 40 });
    });

    it('assigns nothing before 09:00 store-local', async () => {
      // 08:59 in Shanghai, 00:59 in London.
      expect((await module.assignment.assignDue(org.corpId, new Date('2026-11-23T00:59:00Z'))).assigned).to.equal(0);
    });

    it('at 09:00 Shanghai gives each Shanghai staff member the quota left (hinted leads to their store); London is still asleep', async () => {
      expect((await module.assignment.assignDue(org.corpId, new Date('2026-11-23T01:00:00Z'))).assigned).to.equal(5);
      expect(await assignedTo(campaign.id)).to.deep.equal({ [org.staff.a1]: 2, [org.staff.a2]: 2, [org.staff.b1]: 1 });
      const hinted = await t.db.models.Lead.find({ campaignId: campaign.id, storeHint: 'SH01' }).lean();
      expect(hinted.every((l) => l.storeId === org.stores.a && l.assignedDate === '2026-11-23')).to.equal(true);
      expect(hinted.every((l) => l.greeting === 'g1')).to.equal(true);
    });

    it('gives nobody more the same local day', async () => {
      expect((await module.assignment.assignDue(org.corpId, new Date('2026-11-23T06:00:00Z'))).assigned).to.equal(0);
    });

    it('reaches London at 09:00 London time, and not after 21:00 there', async () => {
      expect((await module.assignment.assignDue(org.corpId, new Date('2026-11-23T08:59:00Z'))).assigned).to.equal(0);
      expect((await module.assignment.assignDue(org.corpId, new Date('2026-11-23T09:00:00Z'))).assigned).to.equal(2);
      expect((await assignedTo(campaign.id))[londonStaff]).to.equal(2);
      // 21:00 London on the 23rd: closed (the end is exclusive) even though Lucy's quota is used anyway.
      expect((await module.assignment.assignDue(org.corpId, new Date('2026-11-23T21:00:00Z'))).assigned).to.equal(0);
    });

    it('starts a fresh quota on the next store-local day', async () => {
      // 2026-11-24 00:30Z: 08:30 in Shanghai (closed), 00:30 in London (closed).
      expect((await module.assignment.assignDue(org.corpId, new Date('2026-11-24T00:30:00Z'))).assigned).to.equal(0);
      // 09:30 Shanghai on the 24th: a new day for Shanghai, London is closed.
      expect((await module.assignment.assignDue(org.corpId, new Date('2026-11-24T01:30:00Z'))).assigned).to.equal(5);
      expect(await assignedTo(campaign.id)).to.deep.equal({ [org.staff.a1]: 4, [org.staff.a2]: 4, [org.staff.b1]: 2, [londonStaff]: 2 });
      const byDay = await t.db.models.Lead.aggregate([{ $match: { campaignId: campaign.id, staffId: org.staff.b1 } }, { $group: { _id: '$assignedDate', n: { $sum: 1 } } }, { $sort: { _id: 1 } }]);
      expect(byDay).to.deep.equal([{ _id: '2026-11-23', n: 1 }, { _id: '2026-11-24', n: 1 }]);
    });

    it('assigns nothing while the campaign is paused', async () => {
      await module.campaigns.transition({ corpId: org.corpId, storeIds: null }, campaign.id, 'pause', new Date('2026-11-24T02:00:00Z'));
      expect((await module.assignment.assignDue(org.corpId, new Date('2026-11-25T02:00:00Z'))).assigned).to.equal(0);
      await module.campaigns.transition({ corpId: org.corpId, storeIds: null }, campaign.id, 'end', new Date('2026-11-25T02:00:00Z'));
    });
  });

  describe('recycling after N days', () => {
    let campaign: CampaignDto;
    before(async () => {
      const scope = { corpId: org.corpId, storeIds: [org.stores.a] };
      campaign = await module.campaigns.create({ corpId: org.corpId, storeIds: null }, { name: '回收', storeIds: [org.stores.a], dailyQuota: 5, recycle: { afterDays: 2, maxAttempts: 2 } });
      await module.campaigns.transition(scope, campaign.id, 'start', new Date('2026-12-01T00:00:00Z'));
      await module.importer.import(campaign, csv([[phone(100), 'SH01']]));
    });

    it('takes an unaccepted lead back after N days and gives it to someone else, then gives up after M attempts', async () => {
      const day1 = new Date('2026-12-01T02:00:00Z');
      expect((await module.assignment.assignDue(org.corpId, day1)).assigned).to.equal(1);
      const first = (await t.db.models.Lead.findOne({ campaignId: campaign.id }).lean())!;
      await module.leads.act({ corpId: org.corpId, storeIds: [org.stores.a] }, first.staffId!, String(first._id), 'requested');

      expect(await module.assignment.recycleDue(org.corpId, new Date(day1.getTime() + 2 * 86_400_000 - 1))).to.deep.equal({ recycled: 0, exhausted: 0 });
      expect(await module.assignment.recycleDue(org.corpId, new Date(day1.getTime() + 2 * 86_400_000))).to.deep.equal({ recycled: 1, exhausted: 0 });
      const pooled = (await t.db.models.Lead.findOne({ campaignId: campaign.id }).lean())!;
      expect(pooled).to.include({ status: 'pool', staffId: null, attempts: 1 });
      expect(pooled.history[0]).to.include({ staffId: first.staffId, outcome: 'expired' });

      const day3 = new Date('2026-12-03T02:00:00Z');
      expect((await module.assignment.assignDue(org.corpId, day3)).assigned).to.equal(1);
      const second = (await t.db.models.Lead.findOne({ campaignId: campaign.id }).lean())!;
      expect(second.staffId).to.not.equal(first.staffId);
      expect([org.staff.a1, org.staff.a2]).to.include(second.staffId);
      expect(second.attempts).to.equal(2);

      expect(await module.assignment.recycleDue(org.corpId, new Date('2026-12-05T02:00:00Z'))).to.deep.equal({ recycled: 0, exhausted: 1 });
      expect((await t.db.models.Lead.findOne({ campaignId: campaign.id }).lean())!.status).to.equal('exhausted');
      expect((await module.assignment.assignDue(org.corpId, new Date('2026-12-06T02:00:00Z'))).assigned).to.equal(0);
    });
  });
});
