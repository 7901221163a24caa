/**
 * The official-account (公众号/服务号) adapter: plain-mode and safe-mode callbacks, the pure parsers, the
 * customer-service send (inside the 48-hour window the vendor enforces), and follower lookups for unionid.
 */
import type {
  ChannelAdapter,
  CredentialCheck,
  Follower,
  InboundEvent,
  OutboundMessage,
  SendResult,
  VerifiedWebhook,
  WebhookRequest,
} from '../channel-adapter.ts';
import { ChannelError } from '../channel-adapter.ts';
import { declaresDtd, firstQueryValue } from '../shared/query.ts';
import { toChannelError } from '../wecom/client/to-channel-error.ts';
import { WecomApiError } from '../wecom/client/wecom-api-error.ts';
import type { WecomHttpOptions } from '../wecom/client/wecom-http.ts';
import { verifyAndOpen, verifyPlainSignature } from '../wecom/crypto/callback-envelope.ts';
import { refusal } from '../wecom/crypto/wx-biz-msg-crypt.ts';
import { OfficialAccountClient } from './client/official-account.client.ts';
import type { OfficialAccountConfig } from './official-account-account.schema.ts';
import { parseOfficialAccountXml } from './parse/inbound.parser.ts';

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

  verifyWebhook(req: WebhookRequest): VerifiedWebhook {
    const q = (k: string) => firstQueryValue(req.query[k]);
    const [timestamp, nonce] = [q('timestamp'), q('nonce')];
    if (!timestamp || !nonce) return { ok: false, status: 401, reason: 'timestamp and nonce are required' };
    // URL verification and plain-mode pushes are signed over token, timestamp and nonce only.
    const plainOk = verifyPlainSignature(this.config.token, timestamp, nonce, q('signature'));
    if (req.method === 'GET') {
      if (!plainOk) return { ok: false, status: 401, reason: 'signature mismatch' };
      const echostr = q('echostr');
      return echostr ? { ok: true, echo: echostr } : { ok: false, status: 400, reason: 'echostr is required' };
    }
    if (q('encrypt_type') !== 'aes') {
      if (!plainOk) return { ok: false, status: 401, reason: 'signature mismatch' };
      const plain = req.rawBody.toString('utf8');
      return declaresDtd(plain) ? { ok: false, status: 400, reason: 'payload declares a DTD' } : { ok: true, plaintext: plain };
    }
    if (!this.config.encodingAESKey) return { ok: false, status: 400, reason: 'safe mode push but no EncodingAESKey is configured' };
    try {
      const plaintext = verifyAndOpen({
        token: this.config.token,
        encodingAESKey: this.config.encodingAESKey,
        receiveId: this.config.appId,
        msgSignature: q('msg_signature'),
        timestamp,
        nonce,
        body: req.rawBody,
      });
      if (declaresDtd(plaintext)) return { ok: false, status: 400, reason: 'payload declares a DTD' };
      return { ok: true, plaintext };
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
