/**
 * The 20-second welcome window on one pinned clock shared by the app, the WeCom client and the simulator, moved by
 * hand: an add processed 18 s after it happened is welcomed; at 19.5 s it is recorded missed without a call (the
 * deadline keeps 1 s for the call itself); when WeCom's CreateTime runs behind the code's real issue time, the
 * simulator answers 41050, which is recorded once and not retried.
 */
import { expect } from 'chai';
import type { FriendAdded } from '../../adapters/channel-adapter.ts';
import { startWecomSimulator, SIM_CORP_ID, SIM_SECRET, type WecomSimulator } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import type { ChannelAccount } from '../../server/channels/channel-account.repository.ts';
import { dispatchInbound } from '../../server/channels/inbound-dispatch.ts';
import type { LiveCodeDto } from '../../server/live-codes/live-code.repository.ts';
import { useTestDatabase } from '../support/database.ts';
import { seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';

const T0 = '2026-11-22T02:00:00.000Z';

describe('live-code welcome window (pinned clock)', () => {
  const t = useTestDatabase('welcome_window');
  let services: ReturnType<typeof testServices>;
  let sim: WecomSimulator;
  let org: TestOrg;
  let account: ChannelAccount;
  let code: LiveCodeDto;
  let n = 0;

  before(async () => {
    services = testServices(t.db, { now: T0 });
    sim = await startWecomSimulator({ clock: services.clock });
    org = await seedTestOrg(services, SIM_CORP_ID);
    for (const u of ['a1', 'a2', 'b1']) sim.control.addStaff(u);
    account = await services.channelAccounts.upsertDefault({ corpId: SIM_CORP_ID, kind: 'wecom', name: 'w', config: { corpId: SIM_CORP_ID, secret: SIM_SECRET, token: 'tok', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', apiBase: sim.baseUrl } });
    await services.content.importPublished({ corpId: SIM_CORP_ID, storeIds: null }, [{ templateId: 'tpl-w', name: 'w', scene: 'welcome', tags: [], channels: ['wecom_1to1'], text: '欢迎！', attachments: [] }], 'test');
    code = await services.liveCodes.service.create({ corpId: SIM_CORP_ID, storeIds: null }, { name: '窗口测试', channel: 'poster', staffIds: [org.staff.a2], welcomeTemplateId: 'tpl-w' }, 'test');
  });
  after(async () => sim.stop());

  /** The customer scans now; WeCom stamps the event `skewS` seconds later than the code was issued; we process `afterS` later. */
  async function scanAndProcess(afterS: number, skewS = 0) {
    services.clock.set(new Date(new Date(T0).getTime() + n++ * 3_600_000));
    const scan = sim.control.scanContactWay(code.configId, { name: `客户${n}` });
    const occurredAt = new Date(services.clock.now().getTime() + skewS * 1000);
    const event: FriendAdded = { kind: 'friend_added', channel: 'wecom', corpId: SIM_CORP_ID, idempotencyKey: `k${n}`, occurredAt, staffUserId: scan.userid, externalUserId: scan.external_userid, state: scan.state!, welcomeCode: scan.welcomeCode, half: false };
    services.clock.advance(afterS * 1000);
    await dispatchInbound(event, { account, adapter: services.adapterFor(account), deps: services.channels.inbound });
    const row = await t.db.models.LiveCodeWelcome.findOne({ welcomeCode: scan.welcomeCode }).lean();
    return { row: row!, scan, event };
  }

  const sendCalls = () => sim.control.requests('externalcontact/send_welcome_msg').length;

  it('welcomes an add processed 18 s after it happened', async () => {
    const { row } = await scanAndProcess(18);
    expect(row).to.include({ status: 'sent', latencyMs: 18_000 });
    expect(sim.state.welcomeSends).to.have.length(1);
  });

  it('records a missed window at 19.5 s without calling WeCom', async () => {
    const before = sendCalls();
    const { row } = await scanAndProcess(19.5);
    expect(row).to.include({ status: 'missed', reason: 'window_passed' });
    expect(sendCalls()).to.equal(before);
  });

  it('records 41050 when WeCom’s code expired before our deadline (clock skew), once, never retried', async () => {
    const before = sendCalls();
    const { row, event } = await scanAndProcess(21, 5);
    expect(row).to.include({ status: 'failed', errcode: 41050 });
    expect(sendCalls()).to.equal(before + 1);
    await dispatchInbound(event, { account, adapter: services.adapterFor(account), deps: services.channels.inbound });
    expect(sendCalls(), 'processing the add again calls nothing').to.equal(before + 1);
    expect(await t.db.models.LiveCodeWelcome.countDocuments({ welcomeCode: event.welcomeCode })).to.equal(1);
  });
});
