/**
 * In-memory data of the official-account simulator: followers (openid, unionid, subscription, tags, the
 * customer-service window), tags, template ids and every message sent.
 */
import type { SimClock } from '../../wecom/simulator/sim-kernel.ts';
import type { TokenRegistry } from '../../wecom/simulator/sim-tokens.ts';

export type OaLimits = {
  tokenTtlSeconds: number;
  /** A superseded token keeps working this long after a new one is fetched. */
  tokenGraceMs: number;
  customWindowMs: number;
  customMessagesPerWindow: number;
  /** tags/members/batchtagging: openid_list 1–50 → 40032. */
  openidsPerBatch: number;
  /** tags/create: ≤100 tags (45056), names ≤30 chars (45158); ≤20 tags per user (45059). */
  tags: number;
  tagNameChars: number;
  tagsPerUser: number;
};

export const OA_LIMITS: OaLimits = {
  tokenTtlSeconds: 7200,
  tokenGraceMs: 5 * 60_000,
  customWindowMs: 48 * 3_600_000,
  customMessagesPerWindow: 5,
  openidsPerBatch: 50,
  tags: 100,
  tagNameChars: 30,
  tagsPerUser: 20,
};

export type OaFollower = {
  openid: string;
  unionid?: string;
  subscribe: 0 | 1;
  subscribe_time: number;
  language: string;
  remark: string;
  tagids: number[];
  lastMessageAt?: Date;
  sentSince: number;
};

export type OaSent = { body: Record<string, unknown>; at: Date };

export class OaSimState {
  readonly followers = new Map<string, OaFollower>();
  readonly tags = new Map<number, { id: number; name: string }>();
  readonly templates = new Set<string>();
  /** Every successful message/custom/send, in order. */
  readonly customSends: OaSent[] = [];
  /** Every successful message/template/send, in order, with the msgid returned. */
  readonly templateSends: (OaSent & { msgid: number })[] = [];
  // 0, 1 and 2 are reserved tag ids.
  nextTagId = 100;
  nextMsgId = 1_000_000;

  constructor(
    readonly appId: string,
    readonly secret: string,
  ) {}
}

/** Write APIs answer with this envelope; reads (token, user/info, tags/get …) return bare data. */
export const OK = { errcode: 0, errmsg: 'ok' } as const;

export type OaSim = { state: OaSimState; clock: SimClock; limits: OaLimits; tokens: TokenRegistry };
