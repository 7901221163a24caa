import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpRequest, runLoad } from '../../bench/keep-alive-load.ts';

/** The callback-ingest load generator: every request answered once, on kept-alive connections, failures loud. */
describe('bench keep-alive load generator', () => {
  let server: http.Server;
  let port: number;
  const seen: string[] = [];
  const sockets = new Set<unknown>();

  before(async () => {
    server = http.createServer((req, res) => {
      sockets.add(req.socket);
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push(`${req.url} ${body}`);
        if (req.url === '/hang-up') return req.socket.destroy();
        // A chunked-free reply split over two writes: the client must join partial reads.
        const reply = req.url === '/refuse' ? 'no' : 'success';
        res.writeHead(req.url === '/refuse' ? 401 : 200, { 'content-length': reply.length });
        res.write(reply.slice(0, 3));
        setTimeout(() => res.end(reply.slice(3)), 1);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    seen.length = 0;
    sockets.clear();
  });

  const request = (path: string, body: string) => httpRequest('127.0.0.1', port, path, 'text/plain', Buffer.from(body));

  it('answers every request exactly once over at most `connections` sockets', async () => {
    const answers: number[] = [];
    await runLoad({
      host: '127.0.0.1',
      port,
      connections: 4,
      count: 50,
      request: (i) => request(`/r${i}`, `body ${i} 数据`),
      answered: (i, ms, status, body) => {
        expect([status, body]).to.deep.equal([200, 'success']);
        expect(ms).to.be.greaterThan(0);
        answers.push(i);
      },
    });
    expect(answers.sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 50 }, (_, i) => i));
    expect(seen.sort()).to.deep.equal(Array.from({ length: 50 }, (_, i) => `/r${i} body ${i} 数据`).sort());
    expect(sockets.size).to.equal(4);
  });

  it('stops at the first answer the caller refuses', async () => {
    const run = runLoad({
      host: '127.0.0.1',
      port,
      connections: 2,
      count: 10,
      request: (i) => request(i === 3 ? '/refuse' : '/ok', ''),
      answered: (_i, _ms, status, body) => {
        if (status !== 200) throw new Error(`refused: ${status} ${body}`);
      },
    });
    expect(String(await run.catch((e: unknown) => e))).to.contain('refused: 401 no');
  });

  it('fails when the server hangs up on an unanswered request', async () => {
    const run = runLoad({ host: '127.0.0.1', port, connections: 1, count: 3, request: (i) => request(i === 1 ? '/hang-up' : '/ok', ''), answered: () => {} });
    expect(String(await run.catch((e: unknown) => e))).to.contain('request 1 unanswered');
  });
});
