/**
 * `siyu ab analyze` and `siyu ab sample-size`: the A/B statistics engine on the command line, for
 * marketers checking an experiment by hand and for scripts (`--json`). Invalid input exits with code 2.
 */
import type { Command } from 'commander';
import { analyze, armProblems, sampleSizePerArm, sampleSizeProblems, targetRate, type Analysis, type NamedArm, type SampleSizeInput, type Verdict } from '../experiments/index.ts';
import { table } from './text-table.ts';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;

function fail(cmd: Command, problems: string[]): never {
  // Prints to stderr, then exits 2 (or throws a CommanderError under exitOverride, which main.ts maps).
  return cmd.error(problems.map((p) => `错误 error: ${p}`).join('\n'), { exitCode: 2, code: 'siyu.invalidInput' });
}

/** `<name>:<users>:<conversions>`, split from the right so a name may itself contain ':'. */
function parseArm(spec: string): NamedArm | string {
  const parts = spec.split(':');
  const conversions = parts.pop() ?? '';
  const users = parts.pop() ?? '';
  const name = parts.join(':');
  if (parts.length === 0 || name === '' || !NUMBER.test(users) || !NUMBER.test(conversions)) {
    return `--arm expects <name>:<users>:<conversions>, e.g. A:10000:1000, got "${spec}"`;
  }
  return { name, users: Number(users), conversions: Number(conversions) };
}

function parseNumber(flag: string, raw: string, problems: string[]): number {
  if (!NUMBER.test(raw.trim())) problems.push(`${flag} expects a number, got "${raw}"`);
  return Number(raw);
}

const collect = (value: string, previous: string[]) => [...previous, value];

type SampleSizeOptions = Record<'baseline' | 'mde' | 'alpha' | 'power', string> & {
  relative?: boolean;
  json?: boolean;
};


const NONE = '—';
const percent = (x: number | null, signed = false) =>
  x === null ? NONE : `${signed && x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`;
const points = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}`;
const pValue = (p: number | null) => (p === null ? NONE : p !== 0 && p < 1e-4 ? p.toExponential(2) : p.toFixed(4));
const interval = (ci: [number, number] | null, format: (x: number) => string) =>
  ci ? `[${format(ci[0])}, ${format(ci[1])}]` : NONE;

function describeVerdict(verdict: Verdict): string {
  if (verdict === 'srm') return '样本比例失衡，结果不可信 sample-ratio mismatch: results untrustworthy';
  if (verdict === 'insufficient_data') {
    return (
      '样本不足 insufficient data（每组 ≥100 用户且 ≥25 转化，最大组 ≥150 转化 / ' +
      'per arm ≥100 users and ≥25 conversions, largest arm ≥150）'
    );
  }
  if (verdict === 'no_difference') return '无显著差异 no significant difference';
  const [kind, ...name] = verdict.split(':');
  const arm = name.join(':');
  return kind === 'winner' ? `${arm} 胜出 ${arm} wins` : `${arm} 显著差于对照 ${arm} is worse than control`;
}

type Decision = 'fixed' | 'sequential';
const DECISIONS: readonly Decision[] = ['fixed', 'sequential'];

/** The rule the verdict was decided on, stated the way the dashboard states it. */
function decisionRule(decision: Decision): string {
  return decision === 'sequential'
    ? '判定依据 decided on: 序贯 p 值（可随时查看），Holm 校正，α = 0.05 sequential p (peeking-safe, as the dashboard), Holm-corrected, α = 0.05'
    : '判定依据 decided on: 合并 z 检验 p 值（只在结束时看一次有效），Holm 校正，α = 0.05 pooled z p (valid for one look at the end), Holm-corrected, α = 0.05';
}

function renderAnalysis(result: Analysis, decision: Decision): string {
  const control = result.arms[0]?.name ?? 'A';
  const armRows = result.arms.map((a, i) => [
    a.name,
    String(a.users),
    String(a.conversions),
    percent(a.rate),
    percent(result.prob_best[i] ?? null),
  ]);
  const stats: [string, (c: Analysis['comparisons'][number]) => string][] = [
    ['绝对提升 abs lift (pts)', (c) => points(c.abs_lift)],
    ['95% CI 绝对 abs (pts)', (c) => interval(c.ci95_abs, points)],
    ['相对提升 rel lift', (c) => percent(c.rel_lift, true)],
    ['95% CI 相对 rel (Welch)', (c) => interval(c.ci95_rel, (x) => percent(x, true))],
    ['z 合并 pooled', (c) => c.z_pooled.toFixed(4)],
    ['p 合并 pooled z', (c) => pValue(c.p_pooled)],
    ['p 非合并 unpooled z', (c) => pValue(c.p_unpooled)],
    ['p 相对 Welch rel', (c) => pValue(c.p_welch_rel)],
    ['p 序贯 sequential', (c) => pValue(c.p_sequential)],
    ['P(胜过对照 beat control)', (c) => percent(c.prob_beat_control)],
    ['p Holm', (c) => pValue(c.p_holm)],
    ['p BH', (c) => pValue(c.p_bh)],
  ];
  const statRows = stats.map(([label, get]) => [label, ...result.comparisons.map(get)]);
  const { chi2, p, flagged } = result.srm;
  return [
    table([['组 arm', '用户 users', '转化 conversions', '转化率 rate', 'P(最佳 best)'], ...armRows]),
    '',
    table([['指标 statistic', ...result.comparisons.map((c) => `${c.arm} vs ${control}`)], ...statRows]),
    '',
    `样本比例 SRM: χ² = ${chi2.toFixed(4)}, p = ${pValue(p)} → ${flagged ? '失衡 mismatch' : '正常 ok'}`,
    `结论 verdict: ${result.verdict} — ${describeVerdict(result.verdict)}`,
    decisionRule(decision),
  ].join('\n');
}

/** Adds `ab analyze` and `ab sample-size` to the program. */
export function registerAbCommands(program: Command): void {
  const ab = program.command('ab').description('A/B 实验统计 A/B experiment statistics');

  ab.command('analyze')
    .description('比较各组与第一组（对照）compare every arm with the first (control)')
    .option('--arm <name:users:conversions>', '一组 one arm, repeat per arm; the first is control', collect, [])
    .option('--weights <list>', '计划分流比例 intended split, e.g. 50,50')
    .option('--decision <rule>', '判定规则 decision rule: sequential（序贯，默认，与看板相同 the dashboard’s）or fixed（合并 z，只看一次 one look）', 'sequential')
    .option('--json', '输出 JSON output JSON')
    .action((opts: { arm: string[]; weights?: string; decision: string; json?: boolean }, cmd: Command) => {
      if (!DECISIONS.includes(opts.decision as Decision)) fail(cmd, [`--decision 只能是 fixed 或 sequential --decision expects fixed or sequential, got "${opts.decision}"`]);
      const decision = opts.decision as Decision;
      const parsed = opts.arm.map(parseArm);
      const malformed = parsed.filter((a): a is string => typeof a === 'string');
      if (malformed.length > 0) fail(cmd, malformed);
      const arms = parsed as NamedArm[];
      const weights = opts.weights?.split(',').map((w) => (NUMBER.test(w.trim()) ? Number(w) : Number.NaN));
      const problems = armProblems(arms, weights);
      if (problems.length > 0) fail(cmd, problems);
      const result = analyze(arms, { weights, sequential: decision === 'sequential' });
      console.log(opts.json ? JSON.stringify({ ...result, decision }, null, 2) : renderAnalysis(result, decision));
    });

  ab.command('sample-size')
    .description('每组所需样本量 units needed per arm (pooled-null, as R power.prop.test)')
    .requiredOption('--baseline <p>', '对照转化率 control conversion rate, e.g. 0.2')
    .requiredOption('--mde <d>', '最小可检测效应 minimum detectable effect, absolute unless --relative')
    .option('--relative', 'mde 为相对值 mde is relative to the baseline')
    .option('--alpha <a>', '显著性水平 two-sided significance level', '0.05')
    .option('--power <q>', '功效 power', '0.8')
    .option('--json', '输出 JSON output JSON')
    .action((opts: SampleSizeOptions, cmd: Command) => {
      const problems: string[] = [];
      const input: SampleSizeInput = {
        baseline: parseNumber('--baseline', opts.baseline, problems),
        mde: parseNumber('--mde', opts.mde, problems),
        relative: opts.relative === true,
        alpha: parseNumber('--alpha', opts.alpha, problems),
        power: parseNumber('--power', opts.power, problems),
      };
      if (problems.length === 0) problems.push(...sampleSizeProblems(input));
      if (problems.length > 0) fail(cmd, problems);
      const perArm = sampleSizePerArm(input);
      const result = { per_arm: perArm, per_arm_ceil: Math.ceil(perArm) };
      if (opts.json) {
        console.log(JSON.stringify(result));
        return;
      }
      const target = targetRate(input.baseline, input.mde, input.relative);
      console.log(
        [
          `每组样本量 per arm: ${perArm.toFixed(2)}（向上取整 rounded up: ${result.per_arm_ceil}）`,
          `总计 total (2 组 arms): ${2 * result.per_arm_ceil}`,
          `基线 baseline ${percent(input.baseline)} → 目标 target ${percent(target)}`,
          `α = ${input.alpha}，功效 power = ${input.power}`,
        ].join('\n'),
      );
    });
}
