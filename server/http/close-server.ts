import type { Server } from 'node:http';

/**
 * Stop accepting, let in-flight requests finish (idle keep-alive connections are closed now, busy ones after
 * their response), and cut whatever is still open after `graceMs`.
 */
export async function closeServer(server: Server, graceMs = 10_000): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const force = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(force);
}
