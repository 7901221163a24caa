/**
 * Plays Tencent's side of WeCom callbacks against our own endpoint: the GET echostr check and encrypted event
 * pushes, signed like the platform and retried like it (non-200 or no answer within 5 s → the same payload again,
 * 3 attempts in all). Query parameters are URL-encoded, so a `+` in a signature-bearing value survives.
 */
import { randomInt } from 'node:crypto';
import { sealEvent } from '../crypto/callback-envelope.ts';
import type { SealedEvent } from '../crypto/callback-envelope.ts';
import { encrypt, signature } from '../crypto/wx-biz-msg-crypt.ts';

export type CallbackTarget = {
  url: string;
  token: string;
  encodingAESKey: string;
  corpId: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /**
   * Tencent's clock, which signs each request: the receiver refuses timestamps far from its own clock, so a
   * test with a pinned or moved clock passes the same one here. Defaults to real time.
   */
  clock?: { now(): Date };
  /** Seconds since the epoch; defaults to the clock's now. Fixing it (with `nonce`) replays one signed URL. */
  timestamp?: string;
  /** Defaults to a fresh random nonce per sealing. */
  nonce?: string;
};

export type DeliverCallbackInput = CallbackTarget & {
  /** The plaintext event XML (see callback-events.ts). */
  xml: string;
  agentId?: string | number;
  /** Total attempts, first included (Tencent: 3). */
  attempts?: number;
  /** Pause between attempts; Tencent waits a few seconds, tests need not. */
  retryDelayMs?: number;
  random?: Buffer;
};

export type DeliveryAttempt = {
  attempt: number;
  /** null when no response arrived (timeout or connection error). */
  status: number | null;
  body: string;
  durationMs: number;
  error?: string;
};

export type DeliveryResult = { delivered: boolean; attempts: DeliveryAttempt[]; sealed: SealedEvent };

function withQuery(url: string, params: Record<string, string>): string {
  const query = Object.entries(params)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&');
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

function nowSeconds(clock: { now(): Date } | undefined): string {
  return String(Math.floor((clock ? clock.now().getTime() : Date.now()) / 1000));
}

async function attemptOnce(fetchFn: typeof fetch, url: string, init: RequestInit, timeoutMs: number, attempt: number): Promise<DeliveryAttempt> {
  const started = performance.now();
  try {
    const response = await fetchFn(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    return { attempt, status: response.status, body, durationMs: Math.round(performance.now() - started) };
  } catch (err) {
    const error = (err as Error).name === 'TimeoutError' ? 'timeout' : (err as Error).message;
    return { attempt, status: null, body: '', durationMs: Math.round(performance.now() - started), error };
  }
}

/** Seals `xml` once and POSTs it until an HTTP 200 arrives or the attempts run out. */
export async function deliverCallback(input: DeliverCallbackInput): Promise<DeliveryResult> {
  const fetchFn = input.fetch ?? globalThis.fetch.bind(globalThis);
  const sealed = sealEvent({
    token: input.token,
    encodingAESKey: input.encodingAESKey,
    receiveId: input.corpId,
    message: input.xml,
    toUserName: input.corpId,
    timestamp: input.timestamp ?? nowSeconds(input.clock),
    ...(input.nonce === undefined ? {} : { nonce: input.nonce }),
    ...(input.agentId === undefined ? {} : { agentId: input.agentId }),
    ...(input.random === undefined ? {} : { random: input.random }),
  });
  const url = withQuery(input.url, { msg_signature: sealed.msgSignature, timestamp: sealed.timestamp, nonce: sealed.nonce });
  const init: RequestInit = { method: 'POST', body: sealed.body, headers: { 'content-type': 'text/xml; charset=utf-8' } };
  const attempts: DeliveryAttempt[] = [];
  const total = input.attempts ?? 3;
  for (let attempt = 1; attempt <= total; attempt++) {
    const result = await attemptOnce(fetchFn, url, init, input.timeoutMs ?? 5000, attempt);
    attempts.push(result);
    if (result.status === 200) return { delivered: true, attempts, sealed };
    if (attempt < total && input.retryDelayMs) await new Promise((resolve) => setTimeout(resolve, input.retryDelayMs));
  }
  return { delivered: false, attempts, sealed };
}

export type VerifyUrlResult = {
  /** HTTP 200 and a body equal to the echo plaintext, byte for byte (no quotes, BOM or newline). */
  ok: boolean;
  status: number | null;
  body: string;
  /** The plaintext the endpoint had to return. */
  echo: string;
  /** The encrypted echostr that was sent. */
  echostr: string;
};

/** WeCom's URL verification: GET `msg_signature, timestamp, nonce, echostr` (encrypted); expects the plaintext back. */
export async function verifyUrl(target: CallbackTarget & { echo?: string }): Promise<VerifyUrlResult> {
  const fetchFn = target.fetch ?? globalThis.fetch.bind(globalThis);
  const echo = target.echo ?? String(randomInt(1, 2 ** 47)) + String(randomInt(1, 2 ** 20));
  const timestamp = target.timestamp ?? nowSeconds(target.clock);
  const nonce = target.nonce ?? String(randomInt(1_000_000_000, 10_000_000_000));
  const echostr = encrypt(target.encodingAESKey, echo, target.corpId);
  const url = withQuery(target.url, {
    msg_signature: signature(target.token, timestamp, nonce, echostr),
    timestamp,
    nonce,
    echostr,
  });
  const result = await attemptOnce(fetchFn, url, { method: 'GET' }, target.timeoutMs ?? 1000, 1);
  return { ok: result.status === 200 && result.body === echo, status: result.status, body: result.body, echo, echostr };
}
