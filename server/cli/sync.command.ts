/**
 * `siyu sync wecom [--account <id>] [--restart]`: pulls every customer and customer group of the corp's active
 * staff from WeCom into the contact store. Progress goes to stderr (a bar on a terminal, plain lines otherwise);
 * stdout gets one JSON summary line. A failed or interrupted (Ctrl-C) run is saved and resumes when started
 * again. Exit codes: 0 done, 1 sync failed or interrupted, 2 invalid input (configuration, unknown account).
 */
import type { Command } from 'commander';
import { ChannelError } from '../../adapters/channel-adapter.ts';
import { describeVendorError } from '../../adapters/registry.ts';
import { createSyncProgress, SyncInterruptedError, WecomSyncService } from '../channels/index.ts';
import { ConfigError } from '../config.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../errors.ts';
import { withCliContext } from './cli-context.ts';

type SyncOptions = { account?: string; restart?: boolean };

/** Adds `sync wecom` to the program. */
export function registerSyncCommands(program: Command): void {
  const sync = program.command('sync').description('从渠道全量同步 pull everything from a channel');

  sync
    .command('wecom')
    .description('同步员工的客户与客户群 pull the customers and customer groups of every active staff member')
    .option('--account <id>', '企业微信账号 id WeCom channel account id (default: the default account)')
    .option('--restart', '放弃未完成的同步并重新开始 abandon an unfinished run and start over')
    .action(async (opts: SyncOptions, cmd: Command) => {
      const controller = new AbortController();
      const interrupt = () => controller.abort();
      process.once('SIGINT', interrupt);
      process.once('SIGTERM', interrupt);
      try {
        const summary = await withCliContext(async ({ services }) => {
          const progress = createSyncProgress({ stream: process.stderr, isTTY: process.stderr.isTTY === true });
          try {
            return await new WecomSyncService(services).run({
              ...(opts.account ? { accountId: opts.account } : {}),
              restart: opts.restart === true,
              signal: controller.signal,
              onProgress: (p) => progress.update(p),
            });
          } finally {
            progress.stop();
          }
        });
        const { contacts, created, follows, groups, resumed } = summary;
        console.log(JSON.stringify({ contacts, created, follows, groups, resumed }));
      } catch (err) {
        if (err instanceof ConfigError || err instanceof NotFoundError || err instanceof BadRequestError) {
          cmd.error(`错误 error: ${err.message}`, { exitCode: 2, code: 'siyu.invalidInput' });
        }
        process.exitCode = 1;
        if (err instanceof ConflictError) {
          process.stderr.write(`错误 error: ${err.message}\n`);
          return;
        }
        const errcode = err instanceof ChannelError && err.errcode !== null ? ` — ${describeVendorError(err.errcode)}` : '';
        const what = err instanceof SyncInterruptedError ? '已中断 interrupted' : `同步失败 sync failed: ${(err as Error).message}${errcode}`;
        process.stderr.write(`错误 error: ${what}\n进度已保存，再次运行以继续 progress is saved: run \`siyu sync wecom\` again to resume (--restart starts over)\n`);
      } finally {
        process.off('SIGINT', interrupt);
        process.off('SIGTERM', interrupt);
      }
    });
}
