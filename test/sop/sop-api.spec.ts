import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import pino from 'pino';
import { deliverCallback } from '../../adapters/wecom/simulator/callback-driver.ts';
import { externalContactEvent } from '../../adapters/wecom/simulator/callback-events.ts';
import { SIM_CORP_ID } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { SopEngine } from '../../server/sop/runtime/sop-engine.ts';
import { placeholderRenderer } from '../../server/sop/runtime/touch-renderer.ts';
import { CALLBACK_AES_KEY, CALLBACK_TOKEN, startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { seedContentTemplates } from '../../server/content/index.ts';
import { useTestDatabase } from '../support/database.ts';
import { http } from '../support/test-app.ts';

describe('/api/sops and event-triggered enrollment end to end', () => {
  const t = useTestDatabase('sop_api');
  let h: ChannelHarness;
  let api: ReturnType<typeof http>;

  before(async () => {
    h = await startChannelHarness(t.db);
    // The shipped SOPs' templates, published: publishing refuses templates the library does not have.
    await seedContentTemplates(h.services, SIM_CORP_ID);
    api = http(h.services);
  });
  after(async () => h.stop());

  it('publishes an SOP from YAML, refuses invalid ones with paths, and lets only HQ and marketers publish', async () => {
    const yaml = await readFile('sop-templates/new-friend-onboarding.yaml', 'utf8');
    const res = await api.post('/api/sops', { yaml }, h.org.tokens.marketer).expect(201);
    expect(res.body).to.include({ sopId: 'new-friend-onboarding', status: 'draft', version: 1 });
    await api.post('/api/sops', { yaml }, h.org.tokens.staffA).expect(403);
    const bad = await api.post('/api/sops', { yaml: yaml.replace('channel: wecom_1to1', 'channel: carrier_pigeon') }, h.org.tokens.hq).expect(400);
    expect(JSON.stringify(bad.body.error.details)).to.match(/steps/);
    await api.post('/api/sops', { yaml: 'id: [unclosed' }, h.org.tokens.hq).expect(400);
    const again = await api.post('/api/sops', { yaml: yaml.replace('name: 新好友 7 天培育', 'name: 新好友 7 天培育（二版）') }, h.org.tokens.hq).expect(201);
    expect(again.body.version).to.equal(2);
  });

  it('enrolls a new friend whose state matches when a callback arrives, and shows it in stats and the dry run', async () => {
    await api.post('/api/sops/new-friend-onboarding/enable', undefined, h.org.tokens.hq).expect(200);
    const customer = h.sim.control.addCustomer({ name: '扫码新客', follow_user: [{ userid: 'a2', state: 'lc:sh01counter' }] });
    const other = h.sim.control.addCustomer({ name: '海报新客', follow_user: [{ userid: 'a2', state: 'poster-2026' }] });
    for (const [c, state] of [[customer, 'lc:sh01counter'], [other, 'poster-2026']] as const) {
      await deliverCallback({ url: `${h.baseUrl}/callbacks/wecom`, token: CALLBACK_TOKEN, encodingAESKey: CALLBACK_AES_KEY, corpId: SIM_CORP_ID, xml: externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: 'a2', externalUserId: c.external_userid, state }), retryDelayMs: 0 });
    }
    await h.processor.drain();
    const engine = new SopEngine(h.services, h.services.sops, placeholderRenderer, 'test', pino({ level: 'silent' }));
    await engine.tick();
    const runs = await t.db.models.Enrollment.find({ sopId: 'new-friend-onboarding' }).lean();
    expect(runs, 'only the contact whose state starts with lc: (a live code) is enrolled').to.have.length(1);
    const contact = await t.db.models.Contact.findOne({ identityKeys: `wecom:${customer.external_userid}` }).lean();
    expect(runs[0]!.contactId).to.equal(String(contact!._id));
    expect(runs[0]!.stepId).to.equal('wait-first-hour');
    const detail = await api.get(`/api/contacts/${contact!._id}`, h.org.tokens.hq).expect(200);
    expect(detail.body.tags.map((x: { name: string }) => x.name)).to.include.members(['新好友', '培育中']);
    const stats = await api.get('/api/sops/new-friend-onboarding/stats', h.org.tokens.hq).expect(200);
    expect(stats.body.runs).to.deep.equal({ active: 1 });
    const dry = await api.get('/api/sops/new-friend-onboarding/dry-run', h.org.tokens.hq).expect(200);
    expect(dry.body.perStore).to.have.length(2);
    expect(dry.body.perStore[0].timeline.map((x: { step: string }) => x.step)).to.include('day7-coupon-expiry');
  });
});
