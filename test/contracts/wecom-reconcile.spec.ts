/**
 * WecomAdapter.findSent against the WeCom simulator: a worker that died between "WeCom accepted the send" and
 * "ledger row marked sent" must be able to find the send again by what it sent (adapters/channel-adapter.ts).
 */
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { ChannelError } from '../../adapters/channel-adapter.ts';
import type { OutboundMessage } from '../../adapters/channel-adapter.ts';
import { createAdapter } from '../../adapters/registry.ts';
import { KF_DUPLICATE_MSGID_ERRCODE } from '../../adapters/wecom/simulator/kf.route.ts';
import { SIM_CORP_ID, SIM_SECRET, startWecomSimulator } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import type { WecomSimulator } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { WecomAdapter } from '../../adapters/wecom/wecom.adapter.ts';

const LIST = 'externalcontact/get_groupmsg_list_v2';
const DAY_MS = 86_400_000;
const TEXT = '会员日到店领取礼品';

describe('WecomAdapter.findSent (WeCom simulator)', () => {
  let sim: WecomSimulator;
  let adapter: WecomAdapter;
  const message: OutboundMessage = { clientId: 'touch:reconcile:1', sender: 'a1', to: [{ type: 'contact', id: 'wmA' }], text: TEXT };

  beforeEach(async () => {
    sim = await startWecomSimulator();
    for (const id of ['wmA', 'wmB']) sim.control.addCustomer({ external_userid: id, name: id, follow_user: [{ userid: 'a1' }, { userid: 'b1' }] });
    sim.control.addGroupChat({ chat_id: 'wrA', name: 'A群', owner: 'a1' });
    sim.control.addGroupChat({ chat_id: 'wrB', name: 'B群', owner: 'a1' });
    const built = createAdapter(
      { id: 'acct-wecom', corpId: SIM_CORP_ID, kind: 'wecom', config: { corpId: SIM_CORP_ID, secret: SIM_SECRET, token: 'QDG6eK', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', apiBase: sim.baseUrl } },
      { clientOptions: { sleep: async () => {} } },
    );
    expect(built).to.be.instanceOf(WecomAdapter);
    adapter = built as WecomAdapter;
  });
  afterEach(() => sim.stop());

  async function sent(msg: OutboundMessage): Promise<string> {
    const result = await adapter.send(msg);
    expect(result.ok, JSON.stringify(result)).to.equal(true);
    return result.ok ? result.vendorId! : '';
  }

  async function rejection(promise: Promise<unknown>): Promise<ChannelError> {
    const err = await promise.then(() => expect.fail('expected a rejection'), (e: unknown) => e);
    expect(err).to.be.instanceOf(ChannelError);
    return err as ChannelError;
  }

  describe('mass_send', () => {
    it('finds the msgid of a mass send by sender, text and recipient, before and after the staff member sends it', async () => {
      const since = new Date();
      const msgid = await sent(message);
      expect(await adapter.findSent(message, since)).to.deep.equal({ vendorId: msgid });
      sim.control.confirmMassSend(msgid, 'a1');
      expect(await adapter.findSent(message, since)).to.deep.equal({ vendorId: msgid });
      const first = sim.control.requests(LIST)[0]!.body as Record<string, unknown>;
      expect(first).to.include({ chat_type: 'single', filter_type: 2, limit: 100 });
      expect(first, 'API-created messages carry no creator to filter on').to.not.have.property('creator');
    });

    it('does not find a send with another text, attachment, recipient or sender, nor one created before since', async () => {
      const since = new Date();
      await sent(message);
      expect(await adapter.findSent({ ...message, text: '会员日到店领取礼品！' }, since)).to.equal(null);
      expect(await adapter.findSent({ ...message, attachments: [{ type: 'link', title: '活动', url: 'https://example.com/a' }] }, since)).to.equal(null);
      expect(await adapter.findSent({ ...message, to: [{ type: 'contact', id: 'wmB' }] }, since)).to.equal(null);
      expect(await adapter.findSent({ ...message, sender: 'b1' }, since)).to.equal(null);
      expect(await adapter.findSent({ ...message, to: [{ type: 'group', id: 'wrA' }] }, since), 'another chat type').to.equal(null);
      expect(await adapter.findSent(message, new Date(Date.now() + 5 * 60_000))).to.equal(null);
    });

    it('finds a send without a sender through whichever member got the task', async () => {
      const since = new Date();
      const bare = { ...message, sender: undefined, to: [{ type: 'contact' as const, id: 'wmB' }] };
      const msgid = await sent(bare);
      expect(await adapter.findSent(bare, since)).to.deep.equal({ vendorId: msgid });
    });

    it('pages through more than 100 mass messages, skipping same-text sends to other customers', async () => {
      const since = new Date();
      for (let i = 0; i < 110; i++) await adapter.client.addMsgTemplate({ external_userid: ['wmB'], sender: 'a1', text: { content: TEXT } });
      const msgid = await sent(message);
      sim.control.clearRequests();
      expect(await adapter.findSent(message, since)).to.deep.equal({ vendorId: msgid });
      const pages = sim.control.requests(LIST).map((r) => r.body as Record<string, unknown>);
      expect(pages).to.have.length(2);
      expect(pages[0]).to.not.have.property('cursor');
      expect(pages[1]).to.have.property('cursor').that.is.a('string');
      expect(sim.control.requests('externalcontact/get_groupmsg_task'), 'every same-text candidate checked').to.have.length(111);
    });

    it('looks back past a month in 28-day windows the list accepts', async () => {
      const since = new Date(Date.now() - 70 * DAY_MS);
      const msgid = await sent(message);
      sim.control.clearRequests();
      expect(await adapter.findSent(message, since)).to.deep.equal({ vendorId: msgid });
      const windows = sim.control.requests(LIST).map((r) => ({ ...(r.body as { start_time: number; end_time: number }), errcode: r.errcode }));
      expect(windows).to.have.length(3);
      expect(windows[0]!.start_time).to.equal(Math.floor(since.getTime() / 1000) - 60);
      windows.forEach((w, i) => {
        expect(w.errcode).to.equal(0);
        expect(w.end_time - w.start_time).to.be.at.most(28 * 86_400);
        if (i > 0) expect(w.start_time).to.equal(windows[i - 1]!.end_time + 1);
      });
      expect(windows.at(-1)!.end_time).to.be.closeTo(Math.floor(Date.now() / 1000), 5);
    });

    it('cannot rule out a pending group send of the same text, and decides once it is sent', async () => {
      const since = new Date();
      const groupMessage: OutboundMessage = { ...message, to: [{ type: 'group', id: 'wrA' }] };
      const other = await adapter.client.addMsgTemplate({ chat_type: 'group', sender: 'a1', chat_id_list: ['wrB'], text: { content: TEXT } });
      const pending = await rejection(adapter.findSent(groupMessage, since));
      expect(pending).to.include({ kind: 'unavailable', retryable: true });
      sim.control.confirmMassSend(other.msgid, 'a1');
      expect(await adapter.findSent(groupMessage, since)).to.equal(null);
      const msgid = await sent(groupMessage);
      sim.control.confirmMassSend(msgid, 'a1');
      expect(await adapter.findSent(groupMessage, since)).to.deep.equal({ vendorId: msgid });
    });

    it('rejects as retryable while WeCom still answers 41063 (dispatching)', async () => {
      const since = new Date();
      sim.control.settings.massDispatchDelayMs = 60_000;
      await sent(message);
      const err = await rejection(adapter.findSent(message, since));
      expect(err).to.include({ errcode: 41063, retryable: true });
    });

    it('answers null without calling WeCom for recipients send() would refuse', async () => {
      sim.control.clearRequests();
      expect(await adapter.findSent({ ...message, to: [] }, new Date())).to.equal(null);
      expect(await adapter.findSent({ ...message, to: [{ type: 'contact', id: 'wmA' }, { type: 'group', id: 'wrA' }] }, new Date())).to.equal(null);
      expect(sim.control.requests(LIST)).to.deep.equal([]);
    });
  });

  describe('kf', () => {
    const kfMessage: OutboundMessage = { clientId: 'touch:reconcile:kf', route: 'kf', sender: 'wkRECON01', to: [{ type: 'contact', id: 'wmKf' }], text: '您的订单已发出' };
    const msgid = createHash('sha256').update(kfMessage.clientId).digest('base64url').slice(0, 32);

    it('delivers a resend with the same msgid once: WeCom refuses the repeat, and findSent answers null', async () => {
      sim.control.addKfAccount('wkRECON01');
      sim.control.customerMessaged('wmKf');
      expect(await adapter.send(kfMessage)).to.deep.equal({ ok: true, vendorId: msgid });
      expect(await adapter.findSent(kfMessage, new Date(Date.now() - 60_000))).to.equal(null);
      const again = await adapter.send(kfMessage);
      expect(again.ok).to.equal(false);
      if (!again.ok) expect(again.error.errcode).to.equal(KF_DUPLICATE_MSGID_ERRCODE);
      expect(sim.state.kf.sent.filter((s) => s.msgid === msgid), 'delivered once').to.have.length(1);
      expect(sim.state.kf.stream.filter((e) => e.message.msgid === msgid)).to.have.length(1);
      expect(sim.state.kf.conversations.get('wmKf')?.sentSince, 'the refused repeat spends no allowance').to.equal(1);
    });

    it('keeps msgids unique per kf account: the same clientId goes out from another account', async () => {
      for (const kf of ['wkRECON01', 'wkRECON02']) sim.control.addKfAccount(kf);
      sim.control.customerMessaged('wmKf');
      expect((await adapter.send(kfMessage)).ok).to.equal(true);
      expect(await adapter.send({ ...kfMessage, sender: 'wkRECON02' })).to.deep.equal({ ok: true, vendorId: msgid });
    });
  });

  it('rejects a moments lookup as invalid: nothing to look up, and a resend would publish twice', async () => {
    const err = await rejection(adapter.findSent({ ...message, route: 'moments' }, new Date()));
    expect(err).to.include({ kind: 'invalid', retryable: false });
  });
});
