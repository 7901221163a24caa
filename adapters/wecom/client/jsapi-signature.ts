/**
 * JS-SDK signatures (https://developer.work.weixin.qq.com/document/path/90506, "JS-SDK 签名算法"): SHA-1 of
 * `jsapi_ticket=…&noncestr=…&timestamp=…&url=…` in exactly that order, values raw (no URL encoding), the URL
 * without its `#` fragment. `config` is signed with the corp ticket, `agentConfig` with the app ticket; both
 * tickets live 7200 s and are fetched at most 400 times an hour per corp (100 per app), so they are cached like
 * access tokens: per (corp, secret, kind), refreshed single-flight before they expire.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AccessTokenCache } from './access-token-cache.ts';
import type { Clock } from './access-token-cache.ts';
import type { WecomClient } from './wecom.client.ts';

export type JsSdkSignature = { timestamp: number; nonceStr: string; signature: string };

/** The documented signature; pure. */
export function jsapiSignature(input: { ticket: string; nonceStr: string; timestamp: number | string; url: string }): string {
  const url = input.url.split('#')[0] ?? '';
  return createHash('sha1').update(`jsapi_ticket=${input.ticket}&noncestr=${input.nonceStr}&timestamp=${input.timestamp}&url=${url}`).digest('hex');
}

/** A nonce of letters and digits (the docs' example is 16 of them). */
export function newNonce(): string {
  return randomBytes(12).toString('base64url').replace(/[-_]/g, 'x');
}

/** Both tickets of one app, cached; `sign` returns the `config` and `agentConfig` signatures for a page URL. */
export class JsapiTickets {
  private readonly cache: AccessTokenCache;

  constructor(
    private readonly client: WecomClient,
    private readonly owner: { corpId: string; secret: string },
    private readonly clock: Clock,
  ) {
    this.cache = new AccessTokenCache({ clock });
  }

  ticket(kind: 'corp' | 'agent'): Promise<string> {
    const credentials = { id: `${this.owner.corpId}\u0000jsapi:${kind}`, secret: this.owner.secret };
    return this.cache.get(credentials, async () => {
      const r = kind === 'corp' ? await this.client.getJsapiTicket() : await this.client.getAgentConfigTicket();
      return { accessToken: r.ticket, expiresInSeconds: r.expires_in };
    });
  }

  async sign(url: string, nonceStr = newNonce()): Promise<{ config: JsSdkSignature; agentConfig: JsSdkSignature }> {
    const timestamp = Math.floor(this.clock.now().getTime() / 1000);
    const [corp, agent] = await Promise.all([this.ticket('corp'), this.ticket('agent')]);
    return {
      config: { timestamp, nonceStr, signature: jsapiSignature({ ticket: corp, nonceStr, timestamp, url }) },
      agentConfig: { timestamp, nonceStr, signature: jsapiSignature({ ticket: agent, nonceStr, timestamp, url }) },
    };
  }
}
