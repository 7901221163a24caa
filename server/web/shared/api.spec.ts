/**
 * The pages' shared API client (/web/shared/api.js) against a small HTTP server: what each page variant sends
 * (token, Accept, corpId, JSON or form bodies) and the texts its failures carry, so folding the pages' own copies
 * into createApi keeps every page's messages. The browser specs (test/browser) cover the pages themselves.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';

type Message = (status: number, error: ApiBody['error'] | null, errors: Errors) => string;
type Errors = Record<string | number, string>;
interface ApiBody {
  error?: { code: string; message: string; details?: Array<{ path: string; message: string }> };
}
interface ApiError extends Error {
  status: number;
  error: ApiBody['error'] | null;
}
interface CallOptions {
  method?: string;
  body?: unknown;
  form?: FormData;
  params?: Record<string, unknown>;
  accept?: string;
  raw?: boolean;
}
interface ApiModule {
  ApiError: new (status: number, message: string) => ApiError;
  createApi(options: { token?: () => string | null; query?: () => Record<string, unknown>; accept?: string; errors?: Errors; message?: Message }): (path: string, options?: CallOptions) => Promise<unknown>;
  serverMessage: Message;
  pageMessage: Message;
  detailedMessage(detail: (d: { path: string; message: string }) => string): Message;
}

const ERRORS = { network: '网络异常 Network error.', 400: '提交有误', 401: '令牌无效 Token invalid.', 409: '状态冲突 Conflict.', 500: '服务器出错 Server error.' };

/** What the server answers per path: status and JSON body (undefined: no body). */
const ANSWERS: Record<string, [number, unknown]> = {
  '/ok': [200, { items: [1, 2] }],
  '/empty': [204, undefined],
  '/conflict': [409, { error: { code: 'CONFLICT', message: 'already running' } }],
  '/invalid': [422, { error: { code: 'VALIDATION', message: 'Invalid input', details: [{ path: 'body.name', message: 'Required' }, { path: 'body.quota', message: 'Too big' }] } }],
  '/broken': [502, { error: { code: 'UPSTREAM', message: 'bad gateway' } }],
  '/crash': [500, null],
};

describe('createApi (/web/shared/api.js)', () => {
  let api: ApiModule;
  let server: Server;
  let origin: string;
  const seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string }> = [];
  const hadLocation = 'location' in globalThis;

  before(async () => {
    // A runtime import: the module is browser JavaScript without types, read by the pages as it is.
    api = (await import(new URL('./api.js', import.meta.url).href)) as ApiModule;
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const [status, answer] = ANSWERS[new URL(req.url ?? '/', 'http://x').pathname] ?? [404, { error: { code: 'NOT_FOUND', message: 'no such path' } }];
        res.writeHead(status, answer === undefined ? {} : { 'Content-Type': 'application/json' });
        res.end(answer === undefined ? undefined : JSON.stringify(answer));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The pages resolve paths against their own origin.
    Object.defineProperty(globalThis, 'location', { value: { origin }, configurable: true });
  });

  after(async () => {
    if (!hadLocation) delete (globalThis as { location?: unknown }).location;
    server?.close();
  });

  beforeEach(() => (seen.length = 0));

  const failure = async (promise: Promise<unknown>): Promise<ApiError> => {
    try {
      await promise;
    } catch (err) {
      return err as ApiError;
    }
    throw new Error('expected the call to fail');
  };

  it('sends the bearer token, Accept, the JSON body and the page query; answers the JSON', async () => {
    let corpId: string | null = null;
    const call = api.createApi({ token: () => 'tok-1', query: () => ({ corpId }), accept: 'application/json', errors: ERRORS });
    expect(await call('/ok?q=%20a', { method: 'POST', body: { name: '上海' } })).to.deep.equal({ items: [1, 2] });
    corpId = 'wwcorp';
    await call('/ok', { params: { from: '2026-01-01', to: '', storeId: undefined, width: 1024 } });
    expect(seen[0]).to.include({ method: 'POST', url: '/ok?q=%20a', body: '{"name":"上海"}' });
    expect(seen[0]!.headers).to.include({ authorization: 'Bearer tok-1', accept: 'application/json', 'content-type': 'application/json' });
    expect(seen[1]).to.include({ method: 'GET', url: '/ok?corpId=wwcorp&from=2026-01-01&width=1024', body: '' });
    expect(seen[1]!.headers).to.not.have.property('content-type');
  });

  it('sends "Bearer null" without a token, so the server answers 401; public pages send no Authorization or Accept', async () => {
    await api.createApi({ token: () => null })('/ok');
    await api.createApi({ query: () => ({ corpId: 'wwcorp' }) })('/ok', { params: { city: '上海' } });
    expect(seen[0]!.headers.authorization).to.equal('Bearer null');
    expect(seen[1]!.headers).to.not.have.property('authorization');
    expect(seen[1]!.headers.accept, "fetch's own default").to.equal('*/*');
    expect(seen[1]!.url).to.equal(`/ok?corpId=wwcorp&city=${encodeURIComponent('上海')}`);
  });

  it('answers null for 204, the Response with raw, and a call may name its own Accept', async () => {
    const call = api.createApi({ token: () => 't', accept: 'application/json', errors: ERRORS });
    expect(await call('/empty', { method: 'POST' })).to.equal(null);
    const res = (await call('/ok', { raw: true, accept: 'text/csv' })) as Response;
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ items: [1, 2] });
    expect(seen[1]!.headers.accept).to.equal('text/csv');
  });

  it('serverMessage (default): the page text for the status, else the server message, else the page 500 text; keeps the API error', async () => {
    const call = api.createApi({ token: () => 't', errors: ERRORS });
    const conflict = await failure(call('/conflict'));
    expect(conflict).to.be.instanceOf(api.ApiError);
    expect(conflict).to.include({ status: 409, message: ERRORS[409] });
    expect(conflict.error).to.deep.equal({ code: 'CONFLICT', message: 'already running' });
    expect((await failure(call('/invalid'))).message).to.equal('Invalid input');
    expect(await failure(call('/crash'))).to.include({ status: 500, message: ERRORS[500], error: null });
  });

  it('pageMessage: only the page words, by status or by the kind of failure', async () => {
    const call = api.createApi({ token: () => 't', errors: ERRORS, message: api.pageMessage });
    expect((await failure(call('/conflict'))).message).to.equal(ERRORS[409]);
    expect((await failure(call('/invalid'))).message).to.equal(ERRORS[400]);
    expect((await failure(call('/broken'))).message).to.equal(ERRORS[500]);
  });

  it('detailedMessage: the page text, the server message and each problem as the page writes it', async () => {
    const withPath = api.createApi({ token: () => 't', errors: ERRORS, message: api.detailedMessage((d) => `${d.path}: ${d.message}`) });
    expect((await failure(withPath('/invalid'))).message).to.equal('Invalid input body.name: Required；body.quota: Too big');
    expect((await failure(withPath('/conflict'))).message).to.equal(`${ERRORS[409]} already running`);
    const messagesOnly = api.createApi({ token: () => 't', errors: ERRORS, message: api.detailedMessage((d) => d.message) });
    expect((await failure(messagesOnly('/invalid'))).message).to.equal('Invalid input Required；Too big');
  });

  it('sends a form as it is, without a JSON content type', async () => {
    const form = new FormData();
    form.append('file', new Blob(['phone\n13900001111\n'], { type: 'text/csv' }), 'leads.csv');
    await api.createApi({ token: () => 't' })('/ok', { method: 'POST', form });
    expect(seen[0]!.headers['content-type']).to.match(/^multipart\/form-data; boundary=/);
    expect(seen[0]!.body).to.include('13900001111');
  });

  it('a request that never reaches the server: the page network text, or the browser error when the page has none', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const deadPath = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/ok`;
    closed.close();
    await once(closed, 'close');
    expect(await failure(api.createApi({ token: () => 't', errors: ERRORS })(deadPath))).to.include({ status: 0, message: ERRORS.network });
    const raw = await failure(api.createApi({ token: () => 't' })(deadPath));
    expect(raw).to.not.be.instanceOf(api.ApiError);
    expect(raw).to.be.instanceOf(TypeError);
  });
});
