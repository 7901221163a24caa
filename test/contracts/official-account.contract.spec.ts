import { readFileSync } from 'node:fs';
import type { ChannelAdapter, WebhookRequest } from '../../adapters/channel-adapter.ts';
import { startOfficialAccountSimulator } from '../../adapters/official-account/simulator/official-account-simulator.ts';
import { createAdapter } from '../../adapters/registry.ts';
import { sealEvent } from '../../adapters/wecom/crypto/callback-envelope.ts';
import { signature, sortedSha1 } from '../../adapters/wecom/crypto/wx-biz-msg-crypt.ts';
import { channelAdapterContract } from './channel-adapter.contract.ts';
import type { ContractFixture } from './channel-adapter.contract.ts';

const CORP_ID = 'wwsim00000000000001';
const APP_ID = 'wxcontractoa00001';
const TOKEN = 'QDG6eK';
const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const TIMESTAMP = '1795002000';
const NONCE = '2083541749';
const OPENID = 'oContractFollower';
const CUSTOM_SEND = 'message/custom/send';
/** The documented text-message example. */
const SAMPLE = readFileSync(new URL('../../adapters/official-account/fixtures/text.xml', import.meta.url), 'utf8');

const flip = (hex: string) => hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');
/** Plain mode and URL verification sign token, timestamp and nonce only. */
const plainQuery = (timestamp = TIMESTAMP) => ({ signature: sortedSha1([TOKEN, timestamp, NONCE]), timestamp, nonce: NONCE, openid: OPENID });
const request = (method: string, query: Record<string, string>, body = ''): WebhookRequest => ({ method, query, headers: { 'content-type': 'text/xml' }, rawBody: Buffer.from(body) });

/** A safe-mode (encrypt_type=aes) push: the sealed envelope, msg_signature over the ciphertext. */
function safePush(plaintext: string, receiveId = APP_ID): WebhookRequest {
  const sealed = sealEvent({ token: TOKEN, encodingAESKey: AES_KEY, receiveId, message: plaintext, toUserName: 'gh_10f6c3c3ac5a', timestamp: TIMESTAMP, nonce: NONCE });
  return request('POST', { ...plainQuery(), encrypt_type: 'aes', msg_signature: sealed.msgSignature }, sealed.body);
}

const DTD = '<!DOCTYPE xml [<!ENTITY a "a">]><xml><ToUserName>&a;</ToUserName></xml>';

function webhooks(mode: 'aes' | 'plain'): ContractFixture['webhook'] {
  const missingEcho = request('GET', plainQuery());
  if (mode === 'plain') {
    return {
      delivery: 'webhook',
      signed: () => request('POST', plainQuery(), SAMPLE),
      tampered: () => [request('POST', { ...plainQuery(), signature: flip(plainQuery().signature) }, SAMPLE), request('POST', { ...plainQuery(), timestamp: '1795002001' }, SAMPLE)],
      malformed: () => [request('POST', plainQuery(), DTD), request('POST', { ...plainQuery(), encrypt_type: 'aes', msg_signature: 'x' }, SAMPLE), missingEcho],
      urlVerification: () => ({ request: request('GET', { ...plainQuery(), echostr: 'oa-echo-5721' }), echo: 'oa-echo-5721' }),
    };
  }
  return {
    delivery: 'webhook',
    signed: () => safePush(SAMPLE),
    tampered: () => {
      const signed = safePush(SAMPLE);
      return [
        { ...signed, query: { ...signed.query, msg_signature: flip(String(signed.query.msg_signature)) } },
        { ...signed, rawBody: safePush(SAMPLE.replace('abcdteT', 'tampered')).rawBody },
        // A safe-mode account takes no plaintext body, whatever `signature` (which covers no body) the URL carries.
        request('POST', plainQuery(), SAMPLE),
        request('POST', { ...plainQuery(), encrypt_type: 'raw' }, SAMPLE),
      ];
    },
    malformed: () => {
      const junk = 'not-a-ciphertext';
      return [
        safePush(SAMPLE, 'wxanotherapp00001'),
        safePush(DTD),
        request('POST', { ...plainQuery(), encrypt_type: 'aes', msg_signature: signature(TOKEN, TIMESTAMP, NONCE, junk) }, `<xml><Encrypt><![CDATA[${junk}]]></Encrypt></xml>`),
        request('POST', { ...plainQuery(), encrypt_type: 'aes', msg_signature: 'x' }, '<xml><ToUserName>no envelope</ToUserName></xml>'),
        missingEcho,
      ];
    },
    urlVerification: () => ({ request: request('GET', { ...plainQuery(), echostr: 'oa-echo-5721' }), echo: 'oa-echo-5721' }),
  };
}

function officialAccountFixture(mode: 'aes' | 'plain'): () => Promise<ContractFixture> {
  return async () => {
    const sim = await startOfficialAccountSimulator({ appId: APP_ID });
    sim.control.customerMessaged(OPENID);
    sim.control.addFollower({ openid: 'oNeverWrote' });
    const build = (appSecret: string): ChannelAdapter =>
      createAdapter(
        { id: 'acct-oa', corpId: CORP_ID, kind: 'official_account', config: { appId: APP_ID, appSecret, token: TOKEN, ...(mode === 'aes' ? { encodingAESKey: AES_KEY } : {}), apiBase: sim.baseUrl } },
        { clientOptions: { sleep: async () => {} } },
      );
    const text = '您的会员积分已到账';
    return {
      adapter: build(sim.secret),
      corpId: CORP_ID,
      webhook: webhooks(mode),
      inbound: { sample: SAMPLE, garbage: [SAMPLE.replace(/<FromUserName>.*<\/FromUserName>/, '')] },
      outbound: {
        message: { clientId: 'touch-contract-1', to: [{ type: 'contact', id: OPENID }], text },
        expectedBody: { touser: OPENID, msgtype: 'text', text: { content: text } },
        // Outside the 48-hour customer-service window: the user never wrote.
        refused: { message: { clientId: 'touch-contract-2', to: [{ type: 'contact', id: 'oNeverWrote' }], text }, errcode: 45015, kind: 'window_closed' },
        invalidRecipients: [[{ type: 'group', id: 'room1' }], [{ type: 'contact', id: OPENID }, { type: 'contact', id: 'oNeverWrote' }]],
      },
      vendor: {
        sends: () => sim.control.requests(CUSTOM_SEND).map((r) => ({ body: r.body, errcode: r.errcode })),
        lastRequestBody: () => sim.control.requests().at(-1)?.body,
        clear: () => sim.control.clearRequests(),
        tokens: { expire: () => sim.control.expireTokens(), fetches: () => sim.control.requests('token').length },
        // 45011 (per-minute limit) is waited out by the client; 45009 is the daily quota, left to the job layer.
        rateLimit: { errcode: 45011, inject: (count) => sim.control.injectErrors(CUSTOM_SEND, 45011, count) },
      },
      credentials: { wrongSecret: () => build('wrong-secret'), errcode: 40001 },
      teardown: () => sim.stop(),
    };
  };
}

channelAdapterContract('official account (safe mode)', officialAccountFixture('aes'));
channelAdapterContract('official account (plain mode)', officialAccountFixture('plain'));
