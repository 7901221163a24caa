/**
 * How the WeCom and official-account clients put a request on the wire. The default is undici's `request`:
 * Node's global `fetch` wraps the same client in WHATWG streams and abort signals, and in a burst of vendor calls
 * (every add's detail, every kf reply) that wrapping cost about a tenth of the inbound processor's CPU.
 * `fetchTransport` keeps `fetch` available where a caller injects one (tests that hold a reply back).
 */
import { request } from 'undici';

export type HttpExchange = { method: 'GET' | 'POST'; url: string; body?: string; timeoutMs: number };
export type HttpReply = { status: number; json(): Promise<unknown>; discard(): Promise<void> };
export type HttpTransport = (exchange: HttpExchange) => Promise<HttpReply>;

export const undiciTransport: HttpTransport = async ({ method, url, body, timeoutMs }) => {
  const res = await request(url, {
    method,
    ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  return { status: res.statusCode, json: () => res.body.json(), discard: () => res.body.dump() };
};

export function fetchTransport(fetchFn: typeof fetch): HttpTransport {
  return async ({ method, url, body, timeoutMs }) => {
    const init: RequestInit = { method, signal: AbortSignal.timeout(timeoutMs) };
    if (body !== undefined) {
      init.body = body;
      init.headers = { 'content-type': 'application/json' };
    }
    const response = await fetchFn(url, init);
    return { status: response.status, json: () => response.json(), discard: async () => void (await response.body?.cancel()) };
  };
}
