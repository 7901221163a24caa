/*
 * The JSON API as the pages under server/web call it, served as /web/shared/api.js: bearer token, the page's own
 * query parameters (corpId), JSON in and out, and every failure as an ApiError carrying the text the page shows.
 * What differs between pages (which token, which words, whether the server's message is shown) is an option of
 * createApi, so each page keeps exactly its own messages.
 */
/* global fetch, location */

export class ApiError extends Error {
  /** `status` 0 means the request never reached the server; `error` is the API's `{ code, message, details }` when it answered with one. */
  constructor(status, message, error = null) {
    super(message);
    this.status = status;
    this.error = error;
  }
}

/** The page's text for the status, else the server's message, else the page's text for 500. */
export const serverMessage = (status, error, errors) => errors[status] ?? error?.message ?? errors[500];

/** Only the page's own words (staff pages): the status's text, else the one for 500 or 400 by the kind of failure. */
export const pageMessage = (status, _error, errors) => errors[status] ?? errors[status >= 500 ? 500 : 400];

/** The page's text for the status, the server's message and its problem list (each problem as `detail` writes it). */
export const detailedMessage = (detail) => (status, error, errors) =>
  [errors[status] ?? '', error?.message ?? '', Array.isArray(error?.details) ? error.details.map(detail).join('；') : ''].filter(Boolean).join(' ');

/**
 * A page's `api(path, { method, body, form, params, accept, raw })`.
 * - `token()`: the bearer token, read on every call (sent as it is, also when missing, so the server answers 401);
 *   leave it out on public pages: no Authorization header at all.
 * - `query()`: parameters every URL carries (corpId); `params` of one call are added after them. Empty values
 *   (undefined, null, '') are left out.
 * - `accept`: the Accept header of every call, unless the call names its own; none when both are left out.
 * - `errors`: the page's texts by HTTP status, and `network` for a request that never reached the server (without
 *   it, the browser's own error is thrown as it is).
 * - `message(status, error, errors)`: the text of a refusal; `serverMessage` unless the page says otherwise.
 * `body` is sent as JSON, `form` (FormData) as it is. A success answers its JSON (null for 204 or no JSON), or the
 * Response itself with `raw` (files, CSV).
 */
export function createApi({ token, query = () => ({}), accept, errors = {}, message = serverMessage }) {
  return async function api(path, { method = 'GET', body, form, params = {}, accept: callAccept, raw = false } = {}) {
    const url = new URL(path, location.origin);
    for (const [k, v] of Object.entries({ ...query(), ...params })) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
    const headers = {};
    if (callAccept ?? accept) headers.Accept = callAccept ?? accept;
    if (token) headers.Authorization = `Bearer ${token()}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(url, { method, headers, body: form ?? (body === undefined ? undefined : JSON.stringify(body)) });
    } catch (err) {
      if (errors.network === undefined) throw err;
      throw new ApiError(0, errors.network);
    }
    if (!res.ok) {
      const answer = (await res.json().catch(() => null))?.error ?? null;
      throw new ApiError(res.status, message(res.status, answer, errors), answer);
    }
    if (raw) return res;
    return res.status === 204 ? null : res.json().catch(() => null);
  };
}
