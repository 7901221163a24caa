/**
 * What a CLI command that works on data needs: the config (parsed once), the database and the services, opened
 * as `npm start` opens them (MONGODB_URI, or the development database in the data dir) with the default channel
 * accounts from the environment, but without HTTP, scheduler or demo seed. Logs go to stderr: stdout is the
 * command's output.
 */
import pino, { type Logger } from 'pino';
import { openServices } from '../boot.ts';
import { loadConfig, type Config } from '../config.ts';
import { setupDepsOf, type Modules } from '../modules.ts';

/** Setup's dependencies from an opened graph (setup.command.ts opens its own, without the environment's accounts first). */
export { setupDepsOf };

export type CliContext = { config: Config; services: Modules; logger: Logger; close(): Promise<void> };

export async function openCliContext(opts: { config?: Config; logger?: Logger } = {}): Promise<CliContext> {
  const config = opts.config ?? loadConfig();
  const logger = opts.logger ?? pino({ level: config.logLevel }, pino.destination({ fd: 2, sync: true }));
  const opened = await openServices(config, { logger });
  try {
    await opened.services.channels.upsertDefaultAccounts(logger);
  } catch (err) {
    await opened.close().catch(() => undefined);
    throw err;
  }
  return { config, services: opened.services, logger, close: () => opened.close() };
}

/** Opens the context, runs `fn`, and closes everything afterwards, whether `fn` succeeded or not. */
export async function withCliContext<T>(fn: (ctx: CliContext) => Promise<T>, opts: { config?: Config; logger?: Logger } = {}): Promise<T> {
  const ctx = await openCliContext(opts);
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}
