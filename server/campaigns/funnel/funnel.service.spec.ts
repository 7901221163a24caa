import { expect } from 'chai';
import { useTestDatabase } from '../../../test/support/database.ts';
import { seedTestOrg, testServices, type TestOrg } from '../../../test/support/test-app.ts';
import type { CampaignDto } from '../campaign.repository.ts';

const T = new Date('2026-11-10T03:00:00Z');
const at = (hours: number) => new Date(T.getTime() + hours * 3_600_000);

/**
 * A seeded campaign whose every number was counted by hand (see the table in each expectation): six imported
 * leads and one scan-in, replies, conversions and deletions inside and outside their windows.
 */
describe('campaignFunnel on a seeded scenario', () => {
  const t = useTestDatabase('campaign_funnel');
  let services: ReturnType<typeof testServices>;
  let org: TestOrg;
  let campaign: CampaignDto;

  before(async () => {
    services = testServices(t.db);
    org = await seedTestOrg(services);
    campaign = await services.campaigns.campaigns.create({ corpId: org.corpId, storeIds: null }, { name: '手算', costs: { fixed: 60, perLead: 1, perRequest: 2 } });
    const { a1, a2, b1 } = org.staff;
    const { a, b } = org.stores;
    const base = { corpId: org.corpId, campaignId: campaign.id, origin: 'import' };
    const assigned = (staffId: string, storeId: string, greeting: string) => ({ staffId, storeId, greeting, firstAssignedAt: at(-48), assignedAt: at(-48), attempts: 1 });
    const accepted = (staffId: string, storeId: string, contactId: string) => ({ status: 'accepted', acceptedAt: T, acceptedStaffId: staffId, acceptedStoreId: storeId, contactId, attributedBy: 'remark' });
    await t.db.models.Lead.insertMany([
      { ...base, key: 'L1', source: 'orders', ...assigned(a2, a, 'g1'), requestedAt: at(-24), ...accepted(a2, a, 'C1') },
      { ...base, key: 'L2', source: 'orders', ...assigned(a2, a, 'g2'), requestedAt: at(-24), ...accepted(a2, a, 'C2') },
      { ...base, key: 'L3', source: 'events', ...assigned(a1, a, 'g1'), requestedAt: at(-24), status: 'requested' },
      { ...base, key: 'L4', source: 'events', ...assigned(b1, b, 'g2'), requestedAt: at(-24), ...accepted(b1, b, 'C4') },
      { ...base, key: 'L5', source: 'orders', status: 'pool' },
      { ...base, key: 'L6', source: 'events', ...assigned(b1, b, 'g1'), status: 'assigned' },
      { ...base, key: 'contact:C7', origin: 'scan', source: 'contact_way', ...accepted(a2, a, 'C7'), attributedBy: 'state' },
    ]);
    let n = 0;
    const event = (contactId: string, type: string, hours: number, direction = 'inbound', payload: Record<string, unknown> = {}) =>
      services.events.append(org.corpId, { key: `seed-${n++}`, direction: direction as 'inbound', channel: 'wecom', type, contactId, occurredAt: at(hours), payload });
    await event('C1', 'kf.message.text', 24, 'inbound', { origin: 'customer' }); // replied
    await event('C1', 'conversion', 72, 'internal', { conversionType: 'order' }); // converted
    await event('C1', 'kf.message.text', 25, 'inbound', { origin: 'servicer' }); // not a reply (and C1 already counted)
    await event('C2', 'friend_deleted_by_customer', 48); // deleted within 7 days
    await event('C2', 'kf.message.text', 40 * 24, 'inbound', { origin: 'customer' }); // after the 30-day window
    await event('C4', 'conversion', -24, 'internal'); // before acceptance
    await event('C4', 'friend_deleted_by_staff', 24); // staff deleted: not the customer
    await event('C7', 'oa_text_message', 2); // the scan-in replied
  });

  it('matches the hand count', async () => {
    const f = await services.campaigns.funnel({ corpId: org.corpId, storeIds: null }, campaign);
    expect(f.totals).to.deep.equal({
      imported: 6,
      assigned: 5,
      requested: 4,
      accepted: 4,
      replied: 2,
      converted: 1,
      scanned: 1,
      deletedWithin7d: 1,
      addRate: 3 / 4,
      acceptedOfImported: 3 / 6,
      cost: 60 + 1 * 6 + 2 * 4,
      costPerFriend: 74 / 4,
    });
    const byStore = Object.fromEntries(f.by.store.map((r) => [String(r.key), [r.imported, r.requested, r.accepted, r.replied, r.converted]]));
    expect(byStore).to.deep.equal({ [org.stores.a]: [3, 3, 3, 2, 1], [org.stores.b]: [2, 1, 1, 0, 0], null: [1, 0, 0, 0, 0] });
    const byGreeting = Object.fromEntries(f.by.greeting.map((r) => [String(r.key), [r.requested, r.accepted, r.addRate]]));
    expect(byGreeting).to.deep.equal({ g1: [2, 1, 0.5], g2: [2, 2, 1], null: [0, 1, null] });
    const bySource = Object.fromEntries(f.by.source.map((r) => [String(r.key), [r.imported, r.accepted]]));
    expect(bySource).to.deep.equal({ orders: [3, 2], events: [3, 1], contact_way: [0, 1] });
    // The fixed cost is shared by imported leads: store A carries 3/6 of it.
    expect(f.by.store.find((r) => r.key === org.stores.a)!.cost).to.equal(30 + 3 + 6);
    expect(f.leaderboard.map((r) => [r.rank, r.name, r.accepted, r.requested])).to.deep.equal([
      [1, '导购乙', 3, 2],
      [2, '导购丙', 1, 1],
      [3, '店长甲', 0, 1],
    ]);
  });

  it('shows a store manager only the leads of their store', async () => {
    const f = await services.campaigns.funnel({ corpId: org.corpId, storeIds: [org.stores.b] }, campaign);
    expect(f.totals).to.include({ imported: 2, accepted: 1, requested: 1 });
  });
});
