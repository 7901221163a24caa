/**
 * `siyu leads import <file.csv> --campaign <id> [--encoding utf8|gbk] [--json]`: imports a lead CSV into a
 * campaign (the API upload's code path). A progress bar over the file's bytes goes to stderr (plain lines when
 * stderr is not a terminal; nothing with --json); stdout ends with one JSON line:
 * `{"rows","imported","duplicates","invalid","errors":[{"line","reason"}]}`. Exit codes: 0 done (bad rows are
 * reported, not fatal), 1 failure, 2 invalid input (unknown campaign, unreadable file, no phone column).
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { CsvHeaderError, importLeadsFile, type FileProgress } from '../campaigns/index.ts';
import { ConfigError } from '../config.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { withCliContext } from './cli-context.ts';

type ImportOptions = { campaign: string; encoding?: 'utf8' | 'gbk'; json?: boolean };

function progressView(json: boolean) {
  if (json) return { update: (_p: FileProgress) => {}, stop: () => {} };
  if (!process.stderr.isTTY) {
    let last = 0;
    return {
      update: (p: FileProgress) => {
        if (Date.now() - last < 2000) return;
        last = Date.now();
        process.stderr.write(`leads: ${p.rows} rows, ${p.imported} imported, ${p.duplicates} duplicates, ${p.invalid} invalid\n`);
      },
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: '导入 import |{bar}| {percentage}% | {rows} rows, {imported} imported, {duplicates} dup, {invalid} invalid | {duration_formatted}', hideCursor: true, barsize: 30 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (p: FileProgress) => {
      const payload = { rows: p.rows, imported: p.imported, duplicates: p.duplicates, invalid: p.invalid };
      if (!started) {
        bar.start(Math.max(p.bytesTotal, 1), Math.min(p.bytesRead, p.bytesTotal), payload);
        started = true;
      } else bar.update(Math.min(p.bytesRead, p.bytesTotal), payload);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

export function registerLeadsCommands(program: Command): void {
  const leads = program.command('leads').description('加粉线索 add-friend campaign leads');
  leads
    .command('import <file>')
    .description('从 CSV 导入线索 import leads from a CSV file (UTF-8 or GBK) into a campaign')
    .requiredOption('--campaign <id>', '活动 id campaign id')
    .option('--encoding <encoding>', '文件编码 file encoding: utf8 | gbk (default: detected)')
    .option('--json', '只输出 JSON output only the JSON summary (no progress)')
    .action(async (file: string, opts: ImportOptions, cmd: Command) => {
      if (opts.encoding && opts.encoding !== 'utf8' && opts.encoding !== 'gbk') cmd.error('错误 error: --encoding must be utf8 or gbk', { exitCode: 2, code: 'siyu.invalidInput' });
      try {
        const summary = await withCliContext(async ({ services }) => {
          const view = progressView(opts.json === true);
          try {
            return await importLeadsFile(services.campaigns, { campaignId: opts.campaign, file, ...(opts.encoding ? { encoding: opts.encoding } : {}), onProgress: (p) => view.update(p) });
          } finally {
            view.stop();
          }
        });
        console.log(JSON.stringify(summary));
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (err instanceof ConfigError || err instanceof NotFoundError || err instanceof CsvHeaderError || err instanceof ConflictError || code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
          cmd.error(`错误 error: ${(err as Error).message}`, { exitCode: 2, code: 'siyu.invalidInput' });
        }
        process.exitCode = 1;
        process.stderr.write(`错误 error: import failed: ${(err as Error).message}\n`);
      }
    });
}
