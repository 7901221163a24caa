/**
 * RPA-hosted campaigns: a wechaty account (on wechaty-puppet-mock) sends `Friendship.add` for pool leads, paced by
 * the account's policy (working hours, daily cap, minutes apart), recorded like a staff member's request; a
 * confirmed friendship then accepts the lead.
 */
import { Readable } from 'node:stream';
import { expect } from 'chai';
import pino from 'pino';
import { WechatyBuilder } from 'wechaty';
import { mock } from 'wechaty-puppet-mock';
import { PuppetMockWithFriendship } from '../../adapters/wechaty/test-support/puppet-mock-with-friendship.ts';
import { WechatyAdapter } from '../../adapters/wechaty/wechaty.adapter.ts';
import type { CampaignDto } from '../../server/campaigns/campaign.repository.ts';
import { loadConfig } from '../../server/config.ts';
import { buildModules, type Modules } from '../../server/modules.ts';
import { fixedClock } from '../../server/shared/clock.ts';
import { createMetrics } from '../../server/system/metrics.ts';
import { useTestDatabase } from '../support/database.ts';
import { seedTestOrg, TEST_KEYS } from '../support/test-app.ts';

// 2026-06-01 is a Monday; Asia/Shanghai is UTC+8: 09:00 local = 01:00Z.
const PACING = { timeZone: 'Asia/Shanghai', workingHours: { start: '09:00', end: '18:00' }, workingDays: [1, 2, 3, 4, 5], dailyCap: 3, minGapMinutes: 10 };
const PHONES = ['13700000001', '13700000002', '13700000003', '13700000004', '13700000005'];

describe('RPA friend requests (wechaty, paced)', () => {
  const t = useTestDatabase('campaign_rpa');
  const clock = fixedClock('2026-06-01T00:30:00Z');
  let services: Modules;
  let adapter: WechatyAdapter;
  let puppet: PuppetMockWithFriendship;
  let campaign: CampaignDto;
  const contactIds = new Map<string, string>();

  const sendAt = async (iso: string) => {
    clock.set(iso);
    return services.campaigns.rpa.sendDue(campaign.corpId, clock.now());
  };

  before(async () => {
    const mocker = new mock.Mocker();
    puppet = new PuppetMockWithFriendship({ mocker });
    const config = { botId: 'bot-rpa', puppet: 'wechaty-puppet-service', friendAdd: PACING };
    adapter = new WechatyAdapter({ corpId: 'wwtestcorp', config, bot: WechatyBuilder.build({ puppet }) });
    await adapter.listen(async () => {});
    mocker.login(mocker.createContact({ name: 'RPA 号' }));
    for (let i = 0; i < 50 && !adapter.bot.isLoggedIn; i++) await new Promise((r) => setTimeout(r, 10));
    // Everyone but the second number has WeChat.
    for (const [i, phone] of PHONES.entries()) {
      if (i === 1) continue;
      const c = mocker.createContact({ name: `客户${i}` });
      puppet.phoneBook.set(phone, c.id);
      contactIds.set(phone, c.id);
    }
    services = buildModules({ config: loadConfig({ LOG_LEVEL: 'silent' }), db: t.db, clock, logger: pino({ level: 'silent' }), metrics: createMetrics(), keys: TEST_KEYS, adapterFactory: () => adapter });
    const org = await seedTestOrg(services);
    const account = await services.channelAccounts.create({ corpId: org.corpId, kind: 'wechaty', name: 'RPA 号', config });
    const module = services.campaigns;
    const scope = { corpId: org.corpId, storeIds: null };
    campaign = await module.campaigns.create(scope, { name: 'RPA 加粉', rpaAccountIds: [account.id], greetings: [{ id: 'hi', text: '您好，我是思域旗舰店' }] });
    campaign = await module.campaigns.transition(scope, campaign.id, 'start', clock.now());
    await module.importer.import(campaign, Readable.from([Buffer.from(['phone', ...PHONES].join('\n'))]));
  });
  after(async () => adapter.stop());

  it('sends nothing before the account’s working hours', async () => {
    expect(await sendAt('2026-06-01T00:59:00Z')).to.deep.equal({ sent: 0, failed: 0 });
    expect(puppet.added).to.have.length(0);
  });

  it('sends one request, then waits the minimum gap; a number without WeChat is not_found and costs no request', async () => {
    expect(await sendAt('2026-06-01T01:00:00Z')).to.deep.equal({ sent: 1, failed: 0 });
    expect(puppet.added).to.have.length(1);
    expect(puppet.added[0]).to.deep.include({ contactId: contactIds.get(PHONES[0]!) });
    expect(puppet.added[0]!.options).to.include({ hello: '您好，我是思域旗舰店' });
    expect(await sendAt('2026-06-01T01:09:59Z')).to.deep.equal({ sent: 0, failed: 0 });
    expect(await sendAt('2026-06-01T01:10:00Z')).to.deep.equal({ sent: 1, failed: 1 });
    expect(puppet.added.map((a) => a.contactId)).to.deep.equal([contactIds.get(PHONES[0]!), contactIds.get(PHONES[2]!)]);
    const missing = await t.db.models.Lead.findOne({ campaignId: campaign.id, phoneMasked: '137****0002' }).lean();
    expect(missing).to.include({ status: 'not_found' });
  });

  it('stops at the daily cap and resumes the next working day', async () => {
    expect(await sendAt('2026-06-01T01:20:00Z')).to.deep.equal({ sent: 1, failed: 0 });
    expect(await sendAt('2026-06-01T05:00:00Z'), 'cap of 3 reached').to.deep.equal({ sent: 0, failed: 0 });
    expect(await sendAt('2026-06-02T00:59:00Z')).to.deep.equal({ sent: 0, failed: 0 });
    expect(await sendAt('2026-06-02T01:00:00Z')).to.deep.equal({ sent: 1, failed: 0 });
    expect(await sendAt('2026-06-02T03:00:00Z'), 'the pool is empty').to.deep.equal({ sent: 0, failed: 0 });
    const leads = await t.db.models.Lead.find({ campaignId: campaign.id, status: 'requested' }).sort({ requestedAt: 1 }).lean();
    expect(leads.map((l) => l.requestedAt!.toISOString())).to.deep.equal(['2026-06-01T01:00:00.000Z', '2026-06-01T01:10:00.000Z', '2026-06-01T01:20:00.000Z', '2026-06-02T01:00:00.000Z']);
    expect(leads.every((l) => l.greeting === 'hi' && l.rpa?.vendorId && l.history.at(-1)?.outcome === 'requested')).to.equal(true);
  });

  it('accepts a lead once its wechaty contact confirms the friendship, and the lead becomes that contact', async () => {
    const wechatyId = contactIds.get(PHONES[0]!)!;
    const { contact } = await services.identities.upsert(campaign.corpId, { identities: [{ kind: 'wechaty', id: wechatyId }] });
    await services.events.append(campaign.corpId, { key: `wechaty:bot-rpa:friendship:${wechatyId}`, direction: 'inbound', channel: 'wechaty', type: 'friendship_confirmed', contactId: contact.id, occurredAt: new Date('2026-06-01T02:00:00Z') });
    expect(await services.campaigns.rpa.matchAccepted(campaign.corpId)).to.equal(1);
    expect(await services.campaigns.rpa.matchAccepted(campaign.corpId), 'idempotent').to.equal(0);
    const lead = await t.db.models.Lead.findOne({ campaignId: campaign.id, contactId: contact.id }).lean();
    expect(lead).to.include({ status: 'accepted', attributedBy: 'rpa' });
    const stored = await t.db.models.Contact.findById(contact.id).lean();
    expect(stored!.identityKeys).to.include(`phone:${services.phones.hash(`+86${PHONES[0]}`)}`);
  });
});
