import { Readable } from 'node:stream';
import { expect } from 'chai';
import { useTestDatabase } from '../../test/support/database.ts';
import { seedTestOrg, testServices, type TestOrg } from '../../test/support/test-app.ts';
import type { CampaignsModule } from './campaigns.module.ts';

describe('LeadRepository', () => {
  const t = useTestDatabase('lead_repository');
  let services: ReturnType<typeof testServices>;
  let org: TestOrg;
  let module: CampaignsModule;
  let campaignId: string;
  const storeA = () => ({ corpId: org.corpId, storeIds: [org.stores.a] });

  before(async () => {
    services = testServices(t.db, { now: '2026-11-23T02:00:00Z' });
    org = await seedTestOrg(services);
    module = services.campaigns;
    const scope = { corpId: org.corpId, storeIds: null };
    const campaign = await module.campaigns.create(scope, { name: '交接', storeIds: [org.stores.a], dailyQuota: 3 });
    campaignId = campaign.id;
    await module.campaigns.transition(scope, campaign.id, 'start', services.clock.now());
    const csv = ['phone', '13500000001', '13500000002', '13500000003', '13500000004'].join('\n');
    await module.importer.import(await module.campaigns.get(scope, campaign.id), Readable.from([Buffer.from(csv)]));
    expect((await module.assignment.assignDue(org.corpId, services.clock.now())).assigned).to.equal(4);
  });

  it('records staff actions from the open states only, and refuses a lead of someone else', async () => {
    const [lead] = await module.leads.forStaff(storeA(), org.staff.a2, '2026-11-23');
    expect(lead).to.include({ status: 'assigned', staffId: org.staff.a2 });
    expect((await module.leads.act(storeA(), org.staff.a2, lead!.id, 'requested')).status).to.equal('requested');
    expect((await module.leads.act(storeA(), org.staff.a2, lead!.id, 'requested')).status, 'repeating is a no-op').to.equal('requested');
    expect((await module.leads.act(storeA(), org.staff.a2, lead!.id, 'refused')).status).to.equal('refused');
    let error: unknown;
    await module.leads.act(storeA(), org.staff.a2, lead!.id, 'requested').catch((e: unknown) => (error = e));
    expect((error as { status: number }).status).to.equal(409);
    await module.leads.act(storeA(), org.staff.a1, lead!.id, 'requested').catch((e: unknown) => (error = e));
    expect((error as { status: number }).status).to.equal(404);
    await module.leads.act({ corpId: org.corpId, storeIds: [org.stores.b] }, org.staff.a2, lead!.id, 'requested').catch((e: unknown) => (error = e));
    expect((error as { status: number }).status, 'another store’s scope').to.equal(404);
  });

  it('reassignLeads moves only open assignments to the other staff member (handover)', async () => {
    const before = await t.db.models.Lead.find({ campaignId, staffId: org.staff.a2 }).lean();
    const open = before.filter((l) => l.status === 'assigned' || l.status === 'requested').length;
    expect(open).to.be.greaterThan(0);
    const { moved } = await module.leads.reassignLeads(storeA(), { fromStaffId: org.staff.a2, toStaffId: org.staff.a1 });
    expect(moved).to.equal(open);
    const left = await t.db.models.Lead.find({ campaignId, staffId: org.staff.a2 }).lean();
    expect(left.map((l) => l.status)).to.deep.equal(['refused']);
    let error: unknown;
    await module.leads.reassignLeads(storeA(), { fromStaffId: org.staff.a1, toStaffId: org.staff.b1 }).catch((e: unknown) => (error = e));
    expect((error as { status: number }).status, 'a target outside the scope').to.equal(404);
  });
});
