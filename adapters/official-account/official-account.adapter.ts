/**
 * The official-account (公众号/服务号) adapter: plain-mode and safe-mode (or compatible-mode) callbacks, the
 * pure parsers, the customer-service send (inside the 48-hour window the vendor enforces), and follower
 * lookups for unionid.
 */
import type {
  ChannelAdapter,
  CredentialCheck,
  Follower,
  InboundEvent,
  OutboundMessage,
  SendResult,
  TouchMessage,
  TouchSend,
  VerifiedWebhook,
  WebhookRequest,
} from '../channel-adapter.ts';
import { ChannelError } from '../channel-adapter.ts';
import { declaresDtd, firstQueryValue } from '../shared/query.ts';
import { toChannelError } from '../wecom/client/to-channel-error.ts';
import { WecomApiError } from '../wecom/client/wecom-api-error.ts';
import type { WecomHttpOptions } from '../wecom/client/wecom-http.ts';
import { verifyAndOpen, verifyPlainSignature, withDelivery } from '../wecom/crypto/callback-envelope.ts';
import { refusal } from '../wecom/crypto/wx-biz-msg-crypt.ts';
import { OfficialAccountClient } from './client/official-account.client.ts';
import type { OfficialAccountConfig } from './official-account-account.schema.ts';
import { parseOfficialAccountXml } from './parse/inbound.parser.ts';
import { officialAccountTouchSend } from './official-account-touches.ts';

export class OfficialAccountAdapter implements ChannelAdapter {
  readonly kind = 'official_account' as const;
  readonly client: OfficialAccountClient;

  constructor(
    private readonly config: OfficialAccountConfig,
    private readonly corpId: string,
    /** `clientOptions` (sleep, clock, backoff, token cache …) tune the default client; ignored with `client`. */
    deps: { client?: OfficialAccountClient; clientOptions?: Omit<WecomHttpOptions, 'baseUrl' | 'credentials' | 'dialect'> } = {},
  ) {
    this.client =
      deps.client ??
      new OfficialAccountClient({ ...deps.clientOptions, appId: config.appId, secret: config.appSecret, ...(config.apiBase ? { baseUrl: config.apiBase } : {}) });
  }

  /**
   * URL verification (GET) is signed with `signature` = sha1(token, timestamp, nonce) in every mode. Pushes: an
   * account with an EncodingAESKey takes only encrypted bodies verified by `msg_signature`, which covers the
   * ciphertext (safe mode; in compatible mode the plaintext copy beside `<Encrypt>` is ignored). Tencent puts the
   * same `signature` on every push URL and it does not cover the body, so accepting a plaintext body on it would
   * let anyone who saw one URL post whatever they like. Only accounts without a key (plain mode) rely on it.
   */
  verifyWebhook(req: WebhookRequest): VerifiedWebhook {
    const q = (k: string) => firstQueryValue(req.query[k]);
    const [timestamp, nonce, sig] = [q('timestamp'), q('nonce'), q('signature')];
    if (!timestamp || !nonce) return { ok: false, status: 401, reason: '缺少签名参数 timestamp and nonce are required' };
    if (req.method === 'GET') {
      if (!verifyPlainSignature(this.config.token, timestamp, nonce, sig)) return { ok: false, status: 401, reason: '回调签名不匹配 Signature mismatch' };
      const echostr = q('echostr');
      // The signature does not cover echostr: the core remembers the parameters so they cannot echo another one.
      return echostr ? withDelivery({ ok: true, echo: echostr }, timestamp, nonce, sig, false) : { ok: false, status: 400, reason: '缺少 echostr echostr is required' };
    }
    if (!this.config.encodingAESKey) {
      if (q('encrypt_type') === 'aes') return { ok: false, status: 400, reason: '收到安全模式推送，但账号未配置 EncodingAESKey Safe-mode push but no EncodingAESKey is configured' };
      if (!verifyPlainSignature(this.config.token, timestamp, nonce, sig)) return { ok: false, status: 401, reason: '回调签名不匹配 Signature mismatch' };
      const plain = req.rawBody.toString('utf8');
      if (declaresDtd(plain)) return { ok: false, status: 400, reason: '推送内容声明了 DTD Payload declares a DTD' };
      return withDelivery({ ok: true, plaintext: plain }, timestamp, nonce, sig, false);
    }
    const msgSignature = q('msg_signature');
    if (!msgSignature) {
      return { ok: false, status: 401, reason: '该公众号为安全模式，只接受带 msg_signature 的加密推送 This account has an EncodingAESKey: only encrypted pushes signed with msg_signature are accepted' };
    }
    try {
      const plaintext = verifyAndOpen({
        token: this.config.token,
        encodingAESKey: this.config.encodingAESKey,
        receiveId: this.config.appId,
        msgSignature,
        timestamp,
        nonce,
        body: req.rawBody,
      });
      if (declaresDtd(plaintext)) return { ok: false, status: 400, reason: '推送内容声明了 DTD Payload declares a DTD' };
      return withDelivery({ ok: true, plaintext }, timestamp, nonce, msgSignature, true);
    } catch (err) {
      return refusal(err);
    }
  }

  parseInbound(plaintext: string): InboundEvent[] {
    return parseOfficialAccountXml(plaintext, { corpId: this.corpId });
  }

  async send(msg: OutboundMessage): Promise<SendResult> {
    const [to, ...rest] = msg.to;
    if (!to || rest.length || to.type !== 'contact') return invalid('official-account messages go to one follower (openid)');
    if (!msg.text || msg.attachments?.some((a) => a.type !== 'link')) return invalid('official-account sends carry text and at most link cards');
    try {
      const link = msg.attachments?.find((a) => a.type === 'link');
      if (link && link.type === 'link') {
        await this.client.customSend({ touser: to.id, msgtype: 'news', news: { articles: [{ title: link.title, url: link.url, ...(link.description ? { description: link.description } : {}), ...(link.picUrl ? { picurl: link.picUrl } : {}) }] } });
      }
      await this.client.customSend({ touser: to.id, msgtype: 'text', text: { content: msg.text } });
      return { ok: true };
    } catch (err) {
      return { ok: false, error: toChannelError(err) };
    }
  }

  buildTouchSend(touch: TouchSend): TouchMessage | null {
    return officialAccountTouchSend(touch);
  }

  async checkCredentials(): Promise<CredentialCheck> {
    try {
      await this.client.http.accessToken();
      return { ok: true };
    } catch (err) {
      const e = toChannelError(err);
      return { ok: false, ...(e.errcode !== null ? { errcode: e.errcode } : {}), message: e.message };
    }
  }

  async fetchFollower(openId: string): Promise<Follower | null> {
    try {
      const r = await this.client.getUserInfo(openId);
      return { openId, unionId: r.unionid ?? null, nickname: null, subscribed: r.subscribe === 1 };
    } catch (err) {
      if (err instanceof WecomApiError && err.errcode === 40003) return null;
      throw toChannelError(err);
    }
  }
}

function invalid(message: string): SendResult {
  return { ok: false, error: new ChannelError({ errcode: null, message, kind: 'invalid' }) };
}
