/** Raw HTTP probes for process-level tests: a request held open mid-body, and "is anyone accepting on this port". */
import http from 'node:http';
import net from 'node:net';

export type Answer = { status: number; text: string };

/**
 * Starts a POST on its own connection and sends only the first 10 bytes of the body, so the request is in
 * flight while the test does something (a shutdown); `finish()` sends the rest and resolves with the answer.
 */
export function heldRequest(port: number, path: string, body: string, headers: Record<string, string>): { finish(): Promise<Answer> } {
  const req = http.request({ host: '127.0.0.1', port, method: 'POST', path, agent: false, headers: { 'content-length': String(Buffer.byteLength(body)), ...headers } });
  const answered = new Promise<Answer>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
  });
  req.write(body.slice(0, 10));
  return {
    finish() {
      req.end(body.slice(10));
      return answered;
    },
  };
}

/** True when a TCP connection to the port is refused. */
export function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => (s.destroy(), resolve(false)));
    s.on('error', () => resolve(true));
  });
}
