import { expect } from 'chai';
import { SIM_CORP_ID, SIM_SECRET, startWecomSimulator, type WecomSimulator } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { CALLBACK_AES_KEY, CALLBACK_TOKEN } from '../support/channel-harness.ts';
import { useTestDatabase } from '../support/database.ts';
import { seedTestOrg, testServices } from '../support/test-app.ts';

describe('an idle-ended kf session counts in the numbers (resolution time, first-contact resolution)', () => {
  const t = useTestDatabase('kf_idle_numbers');
  let sim: WecomSimulator | undefined;
  after(async () => sim?.stop());

  it('gets a resolution time when the idle sweep ends it, and a first-contact verdict 48 h later', async () => {
    // One pinned clock for the app and the simulator: 10:00 in Shanghai.
    const services = testServices(t.db, { now: '2026-12-07T02:00:00Z' });
    await seedTestOrg(services, SIM_CORP_ID);
    sim = await startWecomSimulator({ clock: services.clock });
    await services.channelAccounts.upsertDefault({
      corpId: SIM_CORP_ID,
      kind: 'wecom',
      name: '测试企业微信',
      config: { corpId: SIM_CORP_ID, secret: SIM_SECRET, token: CALLBACK_TOKEN, encodingAESKey: CALLBACK_AES_KEY, apiBase: sim.baseUrl },
    });
    sim.control.addKfAccount('wkNUM0001');
    sim.control.setKfSessionState('wmNum1', 1);
    const entry = await services.kf.createEntry(SIM_CORP_ID, { question: '鲜奶保质期多久？', answer: { text: '冷藏 7 天。' }, category: '产品' }, 'test');
    const start = new Date('2026-12-07T01:00:00Z');
    const last = new Date('2026-12-07T01:10:00Z');
    await t.db.models.KfSession.create({
      corpId: SIM_CORP_ID,
      openKfId: 'wkNUM0001',
      externalUserId: 'wmNum1',
      state: 1,
      startedAt: start,
      lastMessageAt: last,
      firstBotResponseAt: start,
      botAnswers: 1,
      messages: [
        { msgId: 'num-q', from: 'customer', text: '鲜奶能放几天', at: start },
        { msgId: 'num-a', from: 'bot', text: '冷藏 7 天。', at: last, entryId: entry.id, entryVersion: entry.version },
      ],
    });
    const day = async () => (await services.kf.stats(SIM_CORP_ID, { by: 'account', from: '2026-12-07', to: '2026-12-08' })).rows.find((r) => r.key === 'wkNUM0001')!;
    expect((await day()).resolutionSeconds, 'open: no resolution time').to.equal(null);

    expect(await services.kf.endIdleSessions()).to.deep.equal({ ended: 1, refused: 0 });
    expect(sim.state.kf.conversations.get('wmNum1')?.sessionState).to.equal(4);
    const ended = await day();
    expect(ended.resolutionSeconds, 'from the start to the last message').to.equal(600);
    expect(ended.fcrJudged, 'not judged before 48 h').to.equal(0);

    services.clock.set('2026-12-09T02:00:00Z');
    const judged = await day();
    expect(judged).to.include({ fcrJudged: 1, fcrRate: 1 });
  });
});
