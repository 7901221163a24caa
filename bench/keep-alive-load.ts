/**
 * A lean HTTP/1.1 load generator: `connections` keep-alive sockets, each writing one prebuilt request and waiting
 * for its whole response before the next (no pipelining), as Tencent's callback senders do.
 *
 * Why not node:http or autocannon: on this two-core machine the load generator shares the CPU with the server and
 * the database. node:http cost about 60 µs per request and autocannon about as much (it rebuilds every request
 * whose body changes and parses responses in JavaScript), so 40% of a core went to the "vendor" and its
 * preemptions landed in our ack latency. Writing prebuilt bytes and reading a fixed-length reply costs a
 * fraction of that.
 */
import net from 'node:net';

export type LoadOptions = {
  host: string;
  port: number;
  connections: number;
  count: number;
  /** The whole request for index i: request line, headers, body. */
  request(i: number): Buffer;
  /** Called once per exchange with its latency (request written → response read); throwing stops the run. */
  answered(i: number, ms: number, status: number, body: string): void;
};

const HEAD_END = Buffer.from('\r\n\r\n');

export function httpRequest(host: string, port: number, path: string, contentType: string, body: Buffer): Buffer {
  const head = `POST ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** Sends requests 0…count-1 over the connections; resolves when every one is answered, rejects on the first failure. */
export function runLoad(o: LoadOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let answered = 0;
    let failed = false;
    const sockets: net.Socket[] = [];
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      for (const s of sockets) s.destroy();
      reject(err);
    };
    const open = () => {
      const socket = net.connect({ host: o.host, port: o.port, noDelay: true });
      sockets.push(socket);
      let current = -1;
      let t0 = 0;
      let pending: Buffer | null = null;
      let awaiting = false;
      const send = () => {
        if (next >= o.count) return void socket.end();
        current = next++;
        const bytes = o.request(current);
        awaiting = true;
        t0 = performance.now();
        socket.write(bytes);
      };
      socket.on('connect', send);
      socket.on('data', (chunk: Buffer) => {
        const now = performance.now();
        const buf: Buffer = pending ? Buffer.concat([pending, chunk]) : chunk;
        const headEnd = buf.indexOf(HEAD_END);
        if (headEnd < 0) return void (pending = buf);
        const head = buf.toString('latin1', 0, headEnd);
        const length = /\r\ncontent-length: *(\d+)/i.exec(head);
        if (!length) return fail(new Error(`response without content-length: ${head}`));
        const end = headEnd + 4 + Number(length[1]);
        if (buf.length < end) return void (pending = buf);
        if (buf.length > end) return fail(new Error('bytes after the response: the server answered twice'));
        pending = null;
        awaiting = false;
        try {
          o.answered(current, now - t0, Number(head.slice(9, 12)), buf.toString('utf8', headEnd + 4, end));
        } catch (err) {
          return fail(err as Error);
        }
        if (++answered === o.count) {
          for (const s of sockets) s.end();
          return resolve();
        }
        send();
      });
      socket.on('error', fail);
      socket.on('close', () => {
        if (awaiting) fail(new Error(`the server closed a connection with request ${current} unanswered`));
      });
    };
    for (let c = 0; c < Math.min(o.connections, o.count); c++) open();
  });
}
