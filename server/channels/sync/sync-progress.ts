/**
 * Progress of a sync on the terminal: a cli-progress bar per phase when the stream is a TTY, otherwise a plain
 * line at most every `intervalMs` (and at each phase change and at the end), so logs of cron runs stay readable.
 */
import cliProgress from 'cli-progress';
import type { SyncPhase } from './sync-run.schema.ts';
import type { SyncProgress } from './wecom-sync.service.ts';

export type SyncProgressView = { update(p: SyncProgress): void; stop(): void };

const LABELS: Record<SyncPhase, string> = { customers: '客户 customers', groups: '客户群 groups', done: '完成 done' };

/** The counts so far; distinct contacts are known only once the customers phase is over. */
const detail = ({ phase, counts: c }: SyncProgress) =>
  phase === 'customers' ? `${c.follows} follows, ${c.created} new contacts` : `${c.contacts} contacts, ${c.follows} follows, ${c.groups} groups, ${c.created} new contacts`;

export function createSyncProgress(out: { stream: NodeJS.WritableStream; isTTY: boolean; intervalMs?: number; now?: () => number }): SyncProgressView {
  return out.isTTY ? barView(out.stream) : lineView(out.stream, out.intervalMs ?? 2_000, out.now ?? Date.now);
}

function barView(stream: NodeJS.WritableStream): SyncProgressView {
  let bar: cliProgress.SingleBar | undefined;
  let phase: SyncPhase | undefined;
  const payload = (p: SyncProgress) => ({ label: LABELS[p.phase], detail: detail(p) });
  return {
    update(p) {
      if (p.phase !== phase) {
        bar?.stop();
        phase = p.phase;
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: '{label} |{bar}| {value}/{total} staff | {detail} | {duration_formatted}',
            hideCursor: true,
            barsize: 30,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(p.staffTotal, p.staffDone, payload(p));
        return;
      }
      bar?.update(p.staffDone, payload(p));
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

function lineView(stream: NodeJS.WritableStream, intervalMs: number, now: () => number): SyncProgressView {
  let last: SyncProgress | undefined;
  let printed: SyncProgress | undefined;
  let printedAt = -Infinity;
  const print = (p: SyncProgress) => {
    stream.write(`sync ${LABELS[p.phase]}: ${p.staffDone}/${p.staffTotal} staff | ${detail(p)}\n`);
    printed = p;
    printedAt = now();
  };
  return {
    update(p) {
      const phaseChanged = p.phase !== last?.phase;
      last = p;
      if (phaseChanged || now() - printedAt >= intervalMs) print(p);
    },
    stop() {
      if (last && last !== printed) print(last);
    },
  };
}
