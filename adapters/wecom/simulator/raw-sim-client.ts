/**
 * Raw HTTP against a running WeCom simulator, for tests that exercise the simulator alone (not the client):
 * no retries, no token refresh, every reply returned as received.
 */
import type { WecomSimulator } from './wecom-simulator.ts';

export type RawReply = { errcode: number; errmsg: string; [field: string]: unknown };

export type RawRequest = { query?: Record<string, string>; body?: unknown; raw?: string };

export function rawSimClient(sim: Pick<WecomSimulator, 'baseUrl' | 'corpId' | 'secret'>) {
  let token = '';
  async function request(method: 'GET' | 'POST', api: string, init: RawRequest = {}): Promise<RawReply> {
    const url = new URL(`${sim.baseUrl}/cgi-bin/${api}`);
    for (const [name, value] of Object.entries(init.query ?? {})) url.searchParams.set(name, value);
    const body = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
    const response = await fetch(url, { method, ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }) });
    if (response.status !== 200) throw new Error(`simulator answered HTTP ${response.status} for ${api}`);
    return (await response.json()) as RawReply;
  }
  return {
    request,
    /** Fetches (and keeps) a token for `post` and `get`. */
    async token(): Promise<string> {
      token = String((await request('GET', 'gettoken', { query: { corpid: sim.corpId, corpsecret: sim.secret } })).access_token);
      return token;
    },
    post: (api: string, body: unknown) => request('POST', api, { query: { access_token: token }, body }),
    get: (api: string, query: Record<string, string> = {}) => request('GET', api, { query: { access_token: token, ...query } }),
  };
}

export const many = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
