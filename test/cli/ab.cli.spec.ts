import { expect } from 'chai';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/siyu.js ab …` as a user would through `npx siyu`. */
function siyu(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const argv = [path.join(root, 'bin/siyu.js'), 'ab', ...args];
    execFile(process.execPath, argv, { cwd: root }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** JSON.stringify writes NaN and Infinity as null, so the raw text must not contain them either. */
function parseClean(stdout: string): unknown {
  expect(stdout).to.not.match(/NaN|Infinity/);
  return JSON.parse(stdout);
}

describe('siyu ab (CLI)', () => {
  it('analyze --json prints the worked example in the spec shape', async () => {
    const run = await siyu('analyze', '--arm', 'A:10000:1000', '--arm', 'B:10000:1100', '--weights', '50,50', '--json');
    expect(run.code, run.stderr).to.equal(0);
    const result = parseClean(run.stdout) as Record<string, unknown> & {
      comparisons: Record<string, unknown>[];
      prob_best: number[];
    };
    expect(result).to.have.all.keys('arms', 'comparisons', 'prob_best', 'srm', 'verdict', 'decision');
    expect(result.decision, 'the dashboard’s rule by default').to.equal('sequential');
    expect(result.arms).to.deep.equal([
      { name: 'A', users: 10000, conversions: 1000, rate: 0.1 },
      { name: 'B', users: 10000, conversions: 1100, rate: 0.11 },
    ]);
    const c = result.comparisons[0]!;
    expect(c.p_pooled).to.be.closeTo(0.0210752, 5e-8);
    expect(c.p_sequential).to.be.closeTo(0.549038, 5e-7);
    expect(c.prob_beat_control).to.be.closeTo(0.989457, 5e-7);
    expect(result.srm).to.deep.equal({ chi2: 0, p: 1, flagged: false });
    // Issue #16: the CLI called winner:B on the pooled p (0.021) while the dashboard decides on the sequential p (0.549).
    expect(result.verdict).to.equal('no_difference');
  });

  it('analyze --decision fixed decides on the pooled p, and both rules are stated in the output', async function () {
    this.timeout(120_000); // CLI processes start slowly on a shared machine
    const fixed = await siyu('analyze', '--arm', 'A:10000:1000', '--arm', 'B:10000:1100', '--decision', 'fixed', '--json');
    expect(fixed.code, fixed.stderr).to.equal(0);
    expect(parseClean(fixed.stdout)).to.include({ verdict: 'winner:B', decision: 'fixed' });
    const text = await siyu('analyze', '--arm', 'A:10000:1000', '--arm', 'B:10000:1100');
    expect(text.stdout).to.include('判定依据 decided on: 序贯 p 值').and.include('no_difference');
    const bad = await siyu('analyze', '--arm', 'A:10:1', '--arm', 'B:10:2', '--decision', 'bayes');
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include('--decision');
  });

  it('analyze bounds the relative-lift interval at −100% (a rate cannot fall below 0)', async function () {
    this.timeout(120_000); // CLI processes start slowly on a shared machine
    const run = await siyu('analyze', '--arm', 'A:20:10', '--arm', 'B:20:1', '--json');
    const result = parseClean(run.stdout) as { comparisons: Array<{ ci95_rel: [number, number]; rel_lift: number }> };
    expect(result.comparisons[0]!.rel_lift).to.be.closeTo(-0.9, 1e-9);
    expect(result.comparisons[0]!.ci95_rel[0]).to.equal(-1);
  });

  it('analyze --json writes null, never NaN, for undefined relative statistics', async () => {
    const run = await siyu('analyze', '--arm', 'ctl:3:0', '--arm', 'v1:2:2', '--arm', 'v2:1:0', '--json');
    expect(run.code, run.stderr).to.equal(0);
    const result = parseClean(run.stdout) as { comparisons: Record<string, unknown>[]; verdict: string };
    expect(result.comparisons).to.have.length(2);
    expect(result.comparisons[0]).to.include({ rel_lift: null, ci95_rel: null, p_welch_rel: null });
    expect(result.verdict).to.equal('insufficient_data');
  });

  it('analyze without --json prints a zh-CN-first table', async () => {
    const run = await siyu('analyze', '--arm', 'A:10000:1000', '--arm', 'B:10000:1100', '--decision', 'fixed');
    expect(run.code, run.stderr).to.equal(0);
    for (const text of ['组 arm', '转化率 rate', 'B vs A', 'winner:B', '判定依据 decided on: 合并 z 检验']) expect(run.stdout).to.include(text);
  });

  it('sample-size --json gives the real pooled-null n and its ceiling', async () => {
    const run = await siyu('sample-size', '--baseline', '0.2', '--mde', '0.05', '--json');
    expect(run.code, run.stderr).to.equal(0);
    const result = parseClean(run.stdout) as { per_arm: number; per_arm_ceil: number };
    expect(result).to.have.all.keys('per_arm', 'per_arm_ceil');
    expect(result.per_arm).to.be.closeTo(1093.739045766165, 1e-6);
    expect(result.per_arm_ceil).to.equal(1094);
  });

  it('sample-size takes --relative, --alpha and --power', async () => {
    const run = await siyu(
      ...['sample-size', '--baseline', '0.05', '--mde', '0.1', '--relative'],
      ...['--alpha', '0.01', '--power', '0.9', '--json'],
    );
    expect(run.code, run.stderr).to.equal(0);
    expect((parseClean(run.stdout) as { per_arm: number }).per_arm).to.be.closeTo(59210.04947193071, 1e-5);
  });

  const invalid: [string, string[], RegExp][] = [
    ['conversions above users', ['analyze', '--arm', 'A:10:11', '--arm', 'B:10:1'], /exceed/],
    ['a negative count', ['analyze', '--arm', 'A:-10:1', '--arm', 'B:10:1'], /positive integer/],
    ['a non-integer count', ['analyze', '--arm', 'A:10:1.5', '--arm', 'B:10:1'], /non-negative integer/],
    ['a malformed --arm', ['analyze', '--arm', 'A:10', '--arm', 'B:10:1'], /<name>:<users>:<conversions>/],
    ['a single arm', ['analyze', '--arm', 'A:10:1'], /at least 2 arms/],
    ['duplicate arm names', ['analyze', '--arm', 'A:10:1', '--arm', 'A:10:2'], /duplicate/],
    ['too few weights', ['analyze', '--arm', 'A:10:1', '--arm', 'B:10:2', '--weights', '50'], /2 weights/],
    ['a zero weight', ['analyze', '--arm', 'A:10:1', '--arm', 'B:10:2', '--weights', '50,0'], /positive/],
    ['a baseline outside (0, 1)', ['sample-size', '--baseline', '1', '--mde', '0.1'], /baseline/],
    ['an mde leaving (0, 1)', ['sample-size', '--baseline', '0.9', '--mde', '0.2'], /outside/],
    ['a relative mde leaving (0, 1)', ['sample-size', '--baseline', '0.6', '--mde', '1', '--relative'], /outside/],
    ['a non-numeric baseline', ['sample-size', '--baseline', 'abc', '--mde', '0.1'], /expects a number/],
    ['a missing baseline', ['sample-size', '--mde', '0.1'], /baseline/],
  ];
  for (const [what, args, message] of invalid) {
    it(`exits 2 with a message on stderr for ${what}`, async () => {
      const run = await siyu(...args);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.match(message);
      expect(run.stdout).to.equal('');
    });
  }
});
