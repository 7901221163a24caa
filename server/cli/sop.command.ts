/**
 * `siyu sop validate <files…>` and `siyu sop plan <file>`: check SOP definitions and preview one run.
 * Validation problems print one a line as `<file>: <path>: <reason>` and exit 1; invalid flags exit 2.
 * With `--corp`, validate also runs the publish checks against that corp (templates published, audience
 * tags existing), so it refuses what `POST /api/sops` would refuse.
 */
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { isValidTimeZone } from '../shared/local-date.ts';
import { daysBetween, localDateOf } from '../shared/local-time.ts';
import { formatProblem, loadSopFile, planSteps, publishProblems, quietHoursSchema } from '../sop/index.ts';
import type { DeliveryPolicy, PlannedStep, QuietHours, Sop, SopLoadResult } from '../sop/index.ts';
import { withCliContext } from './cli-context.ts';
import { table } from './text-table.ts';

function fail(cmd: Command, problems: string[]): never {
  return cmd.error(problems.map((p) => `错误 error: ${p}`).join('\n'), { exitCode: 2, code: 'siyu.invalidInput' });
}

function printProblems(results: SopLoadResult[]): boolean {
  let bad = false;
  for (const r of results) {
    if (r.ok) continue;
    bad = true;
    for (const p of r.problems) console.log(formatProblem(p));
  }
  return bad;
}



const TYPE_LABEL: Record<PlannedStep['type'], string> = {
  wait: '等待 wait',
  send: '发送 send',
  tag: '打标签 tag',
  untag: '去标签 untag',
  task: '任务 task',
  branch: '分支 branch',
};
const WEEKDAY = ['一', '二', '三', '四', '五', '六', '日'];

function renderPlan(sop: Sop, plan: PlannedStep[], enteredAt: Date, tz: string): string {
  const entryDate = localDateOf(enteredAt, tz);
  const local = (at: Date) => {
    const dt = DateTime.fromJSDate(at, { zone: tz });
    return `${dt.toFormat('yyyy-MM-dd HH:mm')} 周${WEEKDAY[dt.weekday - 1] ?? ''}`;
  };
  const rows = plan.map((p, i) => [
    p.step,
    TYPE_LABEL[p.type],
    sop.steps[i]?.title ?? '',
    `第 ${daysBetween(entryDate, localDateOf(p.at, tz))} 天`,
    local(p.at),
    p.at.toISOString(),
  ]);
  return [
    `${sop.name}（${sop.id}）`,
    `进入 entered: ${local(enteredAt)} ${tz} = ${enteredAt.toISOString()}`,
    '',
    table([['步骤 step', '类型 type', '标题 title', '天 day', `本地时间 local (${tz})`, 'UTC'], ...rows]),
    '',
    '分支按文件顺序线性预览；打标签、分支不受免打扰时段影响 branches are previewed linearly in file order; tag and branch steps ignore quiet hours.',
  ].join('\n');
}

type PlanOptions = { enteredAt: string; tz: string; json?: boolean; quietHours: string; capPerDay?: string };

function parsePolicy(opts: PlanOptions, problems: string[]): DeliveryPolicy {
  const policy: DeliveryPolicy = {};
  if (opts.quietHours === 'off') policy.quietHours = false;
  else {
    const [start, end] = opts.quietHours.split('-');
    const parsed = quietHoursSchema.safeParse({ start, end });
    if (parsed.success) policy.quietHours = parsed.data satisfies QuietHours;
    else problems.push(`--quiet-hours expects HH:MM-HH:MM or off, got "${opts.quietHours}"`);
  }
  if (opts.capPerDay !== undefined) {
    const n = Number(opts.capPerDay);
    if (!/^\d+$/.test(opts.capPerDay) || n < 1) problems.push(`--cap-per-day expects a positive integer, got "${opts.capPerDay}"`);
    policy.frequencyCap = { per_day: n, per_month: null };
  }
  return policy;
}

/** Adds `sop validate` and `sop plan` to the program. */
export function registerSopCommands(program: Command): void {
  const sop = program.command('sop').description('SOP 定义校验与排期预览 SOP definitions and schedule preview');

  sop
    .command('validate')
    .description('校验 SOP YAML 文件 validate SOP YAML files; one line per problem: <file>: <path>: <reason>')
    .argument('<files...>', 'YAML 文件 files, e.g. sop-templates/*.yaml')
    .option('--corp <corpId>', '按企业检查模板已发布、受众标签存在（与发布时相同）also check templates and audience tags against this corp, as publishing does')
    .action(async (files: string[], opts: { corp?: string }) => {
      const results = await Promise.all(files.map((f) => loadSopFile(f)));
      let bad = printProblems(results);
      if (opts.corp) {
        const corpId = opts.corp;
        const checked = await withCliContext(async ({ services }) => Promise.all(results.map(async (r) => (r.ok ? { file: r.file, ...(await publishProblems(services, corpId, r.sop)) } : null))));
        for (const c of checked) {
          if (!c?.problems.length) continue;
          bad = true;
          for (const p of c.problems) console.log(formatProblem({ file: c.file, path: p.path, message: p.message }));
        }
      }
      if (bad) {
        process.exitCode = 1;
        return;
      }
      for (const r of results) if (r.ok) console.log(`有效 valid: ${r.file} (${r.sop.id}, ${r.sop.steps.length} 步 steps)`);
      // Without a corp the templates and tags are unchecked: say so rather than let "valid" promise a publish.
      if (!opts.corp) console.log('提示 note: 未检查模板与受众标签是否存在，加 --corp <corpId> 按企业检查 templates and audience tags not checked; add --corp <corpId>');
    });

  sop
    .command('plan')
    .description('预览一个客户的排期 plan each step for one subject entering at an instant')
    .argument('<file>', 'SOP YAML 文件 file')
    .requiredOption('--entered-at <iso>', '进入时间 ISO-8601 entry instant; without an offset, local time in --tz')
    .requiredOption('--tz <zone>', '门店时区 store IANA time zone, e.g. Asia/Shanghai')
    .option('--quiet-hours <HH:MM-HH:MM|off>', '免打扰时段 quiet hours', '21:00-09:00')
    .option('--cap-per-day <n>', '每日触达上限 per-contact touches a day (off unless given)')
    .option('--json', '输出 JSON output JSON: [{"step","at"}]')
    .action(async (file: string, opts: PlanOptions, cmd: Command) => {
      const problems: string[] = [];
      if (!isValidTimeZone(opts.tz)) problems.push(`--tz expects an IANA time zone, e.g. Asia/Shanghai, got "${opts.tz}"`);
      const entered = isValidTimeZone(opts.tz) ? DateTime.fromISO(opts.enteredAt, { zone: opts.tz }) : null;
      if (entered && !entered.isValid) problems.push(`--entered-at expects ISO-8601, e.g. 2026-11-22T15:50:00Z, got "${opts.enteredAt}"`);
      const policy = parsePolicy(opts, problems);
      if (problems.length > 0 || !entered) fail(cmd, problems);
      const result = await loadSopFile(file);
      if (!result.ok) {
        printProblems([result]);
        process.exitCode = 1;
        return;
      }
      const enteredAt = entered.toJSDate();
      const plan = planSteps(result.sop, enteredAt, opts.tz, policy);
      if (opts.json) console.log(JSON.stringify(plan.map((p) => ({ step: p.step, at: p.at.toISOString() }))));
      else console.log(renderPlan(result.sop, plan, enteredAt, opts.tz));
    });
}
