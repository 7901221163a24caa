import { createHash } from 'node:crypto';
import { expect } from 'chai';
import type { ChannelAdapter, WebhookRequest } from '../../adapters/channel-adapter.ts';
import { createAdapter } from '../../adapters/registry.ts';
import { sealEvent } from '../../adapters/wecom/crypto/callback-envelope.ts';
import { encrypt, signature } from '../../adapters/wecom/crypto/wx-biz-msg-crypt.ts';
import { externalContactEvent } from '../../adapters/wecom/simulator/callback-events.ts';
import { SIM_CORP_ID, SIM_SECRET, startWecomSimulator } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import type { WecomSimulator } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { WecomAdapter } from '../../adapters/wecom/wecom.adapter.ts';
import { channelAdapterContract } from './channel-adapter.contract.ts';
import type { ContractFixture } from './channel-adapter.contract.ts';

const TOKEN = 'QDG6eK';
const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const TIMESTAMP = '1795000000';
const NONCE = '1372623149';
const MASS_SEND = 'externalcontact/add_msg_template';

const flip = (hex: string) => hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');

/** A push as WeCom signs it: the sealed envelope in the body, msg_signature / timestamp / nonce in the query. */
function push(plaintext: string, receiveId = SIM_CORP_ID): WebhookRequest {
  const sealed = sealEvent({ token: TOKEN, encodingAESKey: AES_KEY, receiveId, message: plaintext, toUserName: SIM_CORP_ID, agentId: 1000002, timestamp: TIMESTAMP, nonce: NONCE });
  return { method: 'POST', query: { msg_signature: sealed.msgSignature, timestamp: sealed.timestamp, nonce: sealed.nonce }, headers: { 'content-type': 'text/xml' }, rawBody: Buffer.from(sealed.body) };
}

/** A body whose `<Encrypt>` is signed correctly but is no ciphertext. */
function signedJunk(encrypted: string): WebhookRequest {
  const query = { msg_signature: signature(TOKEN, TIMESTAMP, NONCE, encrypted), timestamp: TIMESTAMP, nonce: NONCE };
  return { method: 'POST', query, headers: {}, rawBody: Buffer.from(`<xml><ToUserName><![CDATA[${SIM_CORP_ID}]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`) };
}

type WecomFixture = ContractFixture & { sim: WecomSimulator; customerId: string };

async function wecomFixture(): Promise<WecomFixture> {
  const sim = await startWecomSimulator();
  sim.control.addStaff('a1');
  const customerId = sim.control.addCustomer({ name: '合约客户', follow_user: [{ userid: 'a1' }] }).external_userid;
  const build = (secret: string): ChannelAdapter =>
    createAdapter(
      { id: 'acct-wecom', corpId: SIM_CORP_ID, kind: 'wecom', config: { corpId: SIM_CORP_ID, secret, token: TOKEN, encodingAESKey: AES_KEY, apiBase: sim.baseUrl } },
      { clientOptions: { sleep: async () => {} } },
    );
  const sample = externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: 'a1', externalUserId: customerId, state: 'c:contract', welcomeCode: 'WELCOME_CONTRACT', createTime: 1_795_000_000 });
  const text = '周末到店有惊喜';
  return {
    sim,
    customerId,
    adapter: build(SIM_SECRET),
    corpId: SIM_CORP_ID,
    webhook: {
      delivery: 'webhook',
      signed: () => push(sample),
      tampered: () => {
        const signed = push(sample);
        return [
          { ...signed, query: { ...signed.query, msg_signature: flip(String(signed.query.msg_signature)) } },
          { ...signed, query: { ...signed.query, timestamp: '1795000001' } },
          { ...signed, rawBody: push(sample.replace('c:contract', 'c:tampered')).rawBody },
        ];
      },
      malformed: () => [
        push(sample, 'wwanothercorp0000001'),
        push('<!DOCTYPE xml [<!ENTITY a "a">]><xml><ToUserName>&a;</ToUserName></xml>'),
        signedJunk('not-a-ciphertext'),
        { ...push(sample), rawBody: Buffer.from('<xml><ToUserName>no envelope</ToUserName></xml>') },
        { method: 'GET', query: { msg_signature: signature(TOKEN, TIMESTAMP, NONCE, ''), timestamp: TIMESTAMP, nonce: NONCE }, headers: {}, rawBody: Buffer.alloc(0) },
      ],
      urlVerification: () => {
        const echo = '1616140317555161061';
        const echostr = encrypt(AES_KEY, echo, SIM_CORP_ID);
        const query = { msg_signature: signature(TOKEN, TIMESTAMP, NONCE, echostr), timestamp: TIMESTAMP, nonce: NONCE, echostr };
        return { request: { method: 'GET', query, headers: {}, rawBody: Buffer.alloc(0) }, echo };
      },
    },
    inbound: { sample, garbage: [sample.replace(/<ExternalUserID>.*<\/ExternalUserID>/, '')] },
    outbound: {
      message: { clientId: 'touch-contract-1', sender: 'a1', to: [{ type: 'contact', id: customerId }], text },
      expectedBody: { chat_type: 'single', external_userid: [customerId], sender: 'a1', text: { content: text } },
      refused: { message: { clientId: 'touch-contract-2', sender: 'ghost', to: [{ type: 'contact', id: customerId }], text }, errcode: 60111, kind: 'invalid' },
      invalidRecipients: [[{ type: 'contact', id: customerId }, { type: 'group', id: 'wrSIMgroup' }]],
    },
    vendor: {
      sends: () => sim.control.requests(MASS_SEND).map((r) => ({ body: r.body, errcode: r.errcode })),
      lastRequestBody: () => sim.control.requests().at(-1)?.body,
      clear: () => sim.control.clearRequests(),
      tokens: { expire: () => sim.control.expireTokens(), fetches: () => sim.control.requests('gettoken').length },
      rateLimit: { errcode: 45009, inject: (count) => sim.control.injectErrors(MASS_SEND, 45009, count) },
    },
    credentials: { wrongSecret: () => build('wrong-secret'), errcode: 40001 },
    teardown: () => sim.stop(),
  };
}

channelAdapterContract('wecom', wecomFixture);

describe('WecomAdapter.send routes (WeCom simulator)', () => {
  let f: WecomFixture;
  beforeEach(async () => {
    f = await wecomFixture();
  });
  afterEach(async () => f.teardown());

  const kf = 'wkCONTRACT0001';
  const kfMessage = (to: string) => ({ clientId: 'touch:65f0c0ffee:1', route: 'kf' as const, sender: kf, to: [{ type: 'contact' as const, id: to }], text: '您好，订单已发出' });

  it('sends a kf message inside the 48-hour window with a msgid derived from the clientId', async () => {
    f.sim.control.addKfAccount(kf);
    f.sim.control.customerMessaged('wmKfInside');
    const msgid = createHash('sha256').update('touch:65f0c0ffee:1').digest('base64url').slice(0, 32);
    const result = await f.adapter.send(kfMessage('wmKfInside'));
    expect(result).to.deep.equal({ ok: true, vendorId: msgid });
    const sent = f.sim.control.requests('kf/send_msg');
    expect(sent.map((r) => r.body)).to.deep.equal([{ touser: 'wmKfInside', open_kfid: kf, msgid, msgtype: 'text', text: { content: '您好，订单已发出' } }]);
  });

  it('gives distinct msgids to client ids that share a long prefix or have no ASCII at all', async () => {
    f.sim.control.addKfAccount(kf);
    f.sim.control.customerMessaged('wmKfIds');
    const long = 'touch:'.padEnd(40, 'x');
    const ids = [`${long}:1`, `${long}:2`, '触达：一'];
    for (const clientId of ids) expect((await f.adapter.send({ ...kfMessage('wmKfIds'), clientId })).ok).to.equal(true);
    const msgids = f.sim.control.requests('kf/send_msg').map((r) => (r.body as { msgid: string }).msgid);
    expect(new Set(msgids).size).to.equal(3);
    for (const m of msgids) expect(m).to.match(/^[0-9A-Za-z_-]{32}$/);
  });

  it('keeps 95002 on the result outside the 48-hour window, without retrying', async () => {
    f.sim.control.addKfAccount(kf);
    f.sim.control.customerMessaged('wmKfOutside', new Date(Date.now() - 49 * 3_600_000));
    const result = await f.adapter.send(kfMessage('wmKfOutside'));
    expect(result.ok).to.equal(false);
    if (result.ok) return;
    expect(result.error.toJSON()).to.include({ errcode: 95002, kind: 'window_closed', retryable: false });
    expect(f.sim.control.requests('kf/send_msg')).to.have.length(1);
  });

  it('creates a mass-send task that reaches the customer once the staff member confirms it', async () => {
    const result = await f.adapter.send(f.outbound.message);
    expect(result.ok, JSON.stringify(result)).to.equal(true);
    const msgid = result.ok ? result.vendorId! : '';
    expect(msgid).to.be.a('string').and.not.equal('');
    expect(f.adapter).to.be.instanceOf(WecomAdapter);
    const { client } = f.adapter as WecomAdapter;

    expect((await client.getGroupMsgTask({ msgid })).task_list).to.deep.equal([{ userid: 'a1', status: 0 }]);
    expect((await client.getGroupMsgSendResult({ msgid, userid: 'a1' })).send_list.map((r) => r.status), 'nothing sent before confirmation').to.deep.equal([0]);

    f.sim.control.confirmMassSend(msgid, 'a1');
    const after = await client.getGroupMsgSendResult({ msgid, userid: 'a1' });
    expect(after.send_list).to.have.length(1);
    expect(after.send_list[0]).to.include({ external_userid: f.customerId, userid: 'a1', status: 1 });
    expect(f.sim.control.requests('externalcontact/get_groupmsg_send_result').at(-1)?.body).to.deep.equal({ msgid, userid: 'a1' });
  });

  it('reports customers WeCom cannot reach as failedRecipientIds', async () => {
    const result = await f.adapter.send({ ...f.outbound.message, to: [{ type: 'contact', id: f.customerId }, { type: 'contact', id: 'wmStranger' }] });
    expect(result).to.include({ ok: true });
    expect(result.ok && result.failedRecipientIds).to.deep.equal(['wmStranger']);
  });
});
