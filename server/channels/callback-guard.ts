/**
 * Freshness and replay checks for verified callbacks (issue #13). A signature proves who signed a request, not
 * when or how often it may be used: a URL captured from a proxy log stays valid for ever. So a request whose
 * signed timestamp is more than `maxSkewSeconds` from our clock is refused, and within that window the signed
 * parameters may come back only with the payload they first came with (the vendor retrying one delivery).
 *
 * Where the signature covers the payload (every encrypted push), the same parameters cannot carry another payload,
 * and the inbox's payload dedupe already turns a replay into the retry it is: no write is added to the hot path.
 * Where it does not (official-account plain mode and URL verification), the parameters are remembered in MongoDB,
 * so every HTTP worker and a restarted server see them.
 */
import { createHash } from 'node:crypto';
import type { WebhookDelivery } from '../../adapters/channel-adapter.ts';
import type { Clock } from '../shared/clock.ts';
import type { CallbackReplayRepository } from './callback-replay.repository.ts';

export type CallbackRefusal = { status: 400 | 401; reason: string };

export class CallbackGuard {
  constructor(
    private readonly replays: Pick<CallbackReplayRepository, 'remember' | 'digestOf'>,
    private readonly clock: Clock,
    private readonly maxSkewSeconds: number,
  ) {}

  /** Why a request signed at `signedAt` is too old (or too far ahead) to accept, or null when it is fresh. */
  stale(delivery: WebhookDelivery): CallbackRefusal | null {
    const skewSeconds = Math.round((this.clock.now().getTime() - delivery.signedAt.getTime()) / 1000);
    if (Math.abs(skewSeconds) <= this.maxSkewSeconds) return null;
    const when = skewSeconds > 0 ? `${skewSeconds} s old` : `${-skewSeconds} s in the future`;
    return { status: 401, reason: `回调时间戳超出允许范围（±${this.maxSkewSeconds} 秒） Callback timestamp is ${when}, outside ±${this.maxSkewSeconds} s` };
  }

  /**
   * Records the signed parameters of a request whose signature does not cover `payload`; refuses them when they
   * were seen before with another payload. Requests whose signature covers the payload pass without a write.
   */
  async replayed(accountId: string, delivery: WebhookDelivery, payload: string): Promise<CallbackRefusal | null> {
    if (delivery.signsPayload) return null;
    const digest = createHash('sha256').update(payload).digest('hex');
    const expiresAt = new Date(delivery.signedAt.getTime() + this.maxSkewSeconds * 1000);
    if (await this.replays.remember({ accountId, key: delivery.replayKey, digest, expiresAt })) return null;
    // The same parameters with the same payload: the vendor retrying a delivery we may not have answered.
    if ((await this.replays.digestOf(accountId, delivery.replayKey)) === digest) return null;
    return { status: 401, reason: '回调签名参数已被使用过 These signed callback parameters were already used with another payload (replay refused)' };
  }
}
