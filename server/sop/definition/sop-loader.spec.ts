import { expect } from 'chai';
import { stringify } from 'yaml';
import { formatProblem, loadSopDirectory, parseSopText, validateSop } from './sop-loader.ts';
import type { LoaderFs, SopLoadResult } from './sop-loader.ts';

const base = () => ({
  id: 'test-sop',
  name: '测试 SOP',
  trigger: { type: 'event', event: 'friend_added', state_prefix: 'store-' },
  steps: [
    { id: 'wait-1h', type: 'wait', duration: '1h' },
    { id: 'hello', type: 'send', channel: 'wecom_1to1', template: 'tpl-hello' },
  ] as Record<string, unknown>[],
});

/** Problems as `path: message` lines, for compact assertions. */
function problems(result: SopLoadResult): string[] {
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
}
const withSteps = (steps: Record<string, unknown>[], extra: Record<string, unknown> = {}) =>
  problems(validateSop({ ...base(), ...extra, steps }));

describe('validateSop: schema', () => {
  it('accepts a minimal SOP and fills in the defaults', () => {
    const result = validateSop(base());
    expect(result.ok, problems(result).join('\n')).to.equal(true);
    if (!result.ok) return;
    expect(result.sop).to.include({ subject: 'contact', priority: 50 });
    expect(result.sop.reentry).to.deep.equal({ mode: 'never' });
    expect(result.sop.exit_on).to.deep.equal([]);
  });

  const cases: [string, Record<string, unknown>, string][] = [
    ['an unknown step type', { id: 'x', type: 'sleep' }, 'steps[2].type: 须为以下之一：wait、send、tag、untag、task、branch Must be one of wait, send, tag, untag, task, branch'],
    ['an unknown key', { id: 'x', type: 'tag', tags: ['a'], colour: 'red' }, 'steps[2]: 出现未知的键(key): "colour" Unrecognized key: "colour"'],
    ['a send without content', { id: 'x', type: 'send', channel: 'kf' }, 'steps[2]: template 与 variants 只能给一种 Give either template or variants'],
    ['an empty template id', { id: 'x', type: 'send', channel: 'kf', template: '  ' }, 'steps[2].template: 模板 id 不能为空 Template id must be a non-empty string'],
    ['an unknown channel', { id: 'x', type: 'send', channel: 'sms', template: 't' }, 'steps[2].channel'],
    ['a zero weight', { id: 'x', type: 'send', channel: 'wecom_1to1', variants: [{ id: 'a', template: 't-a', weight: 0 }, { id: 'b', template: 't-b', weight: 1 }] }, 'steps[2].variants[0].weight: 权重须为正数 Weight must be positive'],
    ['a single variant', { id: 'x', type: 'send', channel: 'wecom_1to1', variants: [{ id: 'a', template: 't-a', weight: 1 }] }, 'steps[2].variants: A/B 发送至少需要 2 个版本 An A/B send needs at least 2 variants'],
    ['a window rule on a windowless channel', { id: 'x', type: 'send', channel: 'wecom_1to1', template: 't', outside_window: 'skip' }, 'steps[2].outside_window: 只有 kf 和 official_account 有会话窗口 Only kf and official_account have a window'],
    ['a wait with both forms', { id: 'x', type: 'wait', duration: '1d', day: 1, at: '10:00' }, 'steps[2]: duration 与 day/at 只能给一种 Give either duration, or day and at, not both'],
    ['a day without at', { id: 'x', type: 'wait', day: 3 }, 'steps[2].at: day 与 at 须同时给出 Day and at go together'],
    ['a wait of a month', { id: 'x', type: 'wait', duration: '1mo' }, 'steps[2].duration: 不支持月和年'],
    ['an impossible clock time', { id: 'x', type: 'wait', day: 1, at: '24:00' }, 'steps[2].at: 须为本地时间 HH:MM'],
    ['a custom task without text', { id: 'x', type: 'task', kind: 'custom' }, 'steps[2].text: 自定义任务需要 text A custom task needs text'],
    ['a step id that is not kebab-case', { id: 'Day 3', type: 'tag', tags: ['a'] }, 'steps[2].id: 须为短横线小写格式'],
    ['the reserved id end', { id: 'end', type: 'tag', tags: ['a'] }, 'steps[2].id: "end" 是保留字'],
    ['a missing field', { id: 'x', type: 'tag' }, 'steps[2].tags: 必填（array） Required (array)'],
    ['an unknown condition', { id: 'x', type: 'branch', condition: { kind: 'opened' }, then: 'hello', else: 'end' }, 'steps[2].condition.kind: 须为以下之一：replied、has_tag、clicked Must be one of replied, has_tag, clicked'],
  ];
  for (const [what, step, expected] of cases) {
    it(`reports ${what} with its path`, () => {
      const found = withSteps([...base().steps, step]);
      expect(found.some((p) => p.startsWith(expected)), found.join('\n')).to.equal(true);
    });
  }

  it('reports trigger problems: unknown event, bad cron, an audience without criteria', () => {
    expect(problems(validateSop({ ...base(), trigger: { type: 'event', event: 'birthday' } }))).to.deep.equal([
      'trigger.event: 须为以下之一：friend_added、tag_added、joined_group、oa_subscribed、kf_session_started Must be one of friend_added, tag_added, joined_group, oa_subscribed, kf_session_started',
    ]);
    expect(problems(validateSop({ ...base(), trigger: { type: 'schedule', cron: '0 25 * * *' } }))[0]).to.match(/^trigger\.cron: hour/);
    expect(problems(validateSop({ ...base(), trigger: { type: 'audience', daily_at: '08:00' } }))).to.deep.equal([
      'trigger: 受众至少需要 tags、stores、lifecycle 之一 An audience needs at least one of tags, stores, lifecycle',
    ]);
    expect(problems(validateSop({ ...base(), trigger: { type: 'audience', lifecycle: ['whale'] } }))[0]).to.match(/^trigger\.lifecycle\[0\]/);
  });

  it('reports top-level problems: ids, reentry, exit conditions, no steps', () => {
    const found = problems(
      validateSop({ ...base(), id: 'Test SOP', reentry: { mode: 'after_days' }, exit_on: ['replied', 'replied'], steps: [] }),
    );
    expect(found).to.have.members([
      'id: 须为短横线小写格式，如 new-friend-onboarding Must be kebab-case, e.g. new-friend-onboarding',
      'reentry.days: 必填（number） Required (number)',
      'exit_on: 每个退出条件只能列一次 List each exit condition once',
      'steps: SOP 至少需要一个步骤 An SOP needs at least one step',
    ]);
  });
});

describe('validateSop: cross-references', () => {
  it('reports duplicate step ids', () => {
    expect(withSteps([...base().steps, { id: 'hello', type: 'tag', tags: ['a'] }])).to.deep.equal([
      'steps[2].id: 步骤 id "hello" 重复（首次出现在 steps[1]） Duplicate step id "hello" (first at steps[1])',
    ]);
  });

  it('reports jump targets and condition references that do not exist', () => {
    const found = withSteps([
      { id: 'hello', type: 'send', channel: 'wecom_1to1', template: 'tpl-hello', next: 'nowhere' },
      { id: 'check', type: 'branch', condition: { kind: 'replied', since: 'ghost' }, then: 'hello', else: 'missing' },
    ]);
    expect(found).to.deep.equal([
      'steps[0].next: 没有 id 为 "nowhere" 的步骤 No step with id "nowhere"',
      'steps[1].else: 没有 id 为 "missing" 的步骤 No step with id "missing"',
      'steps[1].condition.since: 没有 id 为 "ghost" 的步骤 No step with id "ghost"',
    ]);
  });

  it('requires clicked to point at a send step', () => {
    const found = withSteps([
      { id: 'wait-1h', type: 'wait', duration: '1h' },
      { id: 'check', type: 'branch', condition: { kind: 'clicked', step: 'wait-1h' }, then: 'end', else: 'end' },
    ]);
    expect(found).to.deep.equal(['steps[1].condition.step: "wait-1h" is a wait step; clicked needs a send step']);
  });

  it('reports duplicate variant ids', () => {
    const variants = [
      { id: 'a', template: 't-a', weight: 1 },
      { id: 'a', template: 't-b', weight: 1 },
    ];
    expect(withSteps([{ id: 'ab', type: 'send', channel: 'wecom_1to1', variants }])).to.deep.equal([
      'steps[0].variants[1].id: 版本 id "a" 重复 Duplicate variant id "a"',
    ]);
  });

  it('rejects a loop that never waits, including one through a day-N wait (anchored on entry)', () => {
    const found = withSteps([
      { id: 'hello', type: 'send', channel: 'wecom_1to1', template: 'tpl-hello' },
      { id: 'day1', type: 'wait', day: 1, at: '10:00' },
      { id: 'check', type: 'branch', condition: { kind: 'replied' }, then: 'end', else: 'hello' },
    ]);
    expect(found).to.deep.equal(['steps[2]: 循环中没有按时长等待的步骤：hello → day1 → check → hello Loop without a duration wait: hello → day1 → check → hello']);
  });

  it('accepts a loop through a duration wait', () => {
    expect(
      withSteps([
        { id: 'hello', type: 'send', channel: 'wecom_1to1', template: 'tpl-hello' },
        { id: 'wait-7d', type: 'wait', duration: '7d' },
        { id: 'check', type: 'branch', condition: { kind: 'replied' }, then: 'end', else: 'hello' },
      ]),
    ).to.deep.equal([]);
  });

  it('reports steps that no path reaches', () => {
    expect(
      withSteps([
        { id: 'hello', type: 'send', channel: 'wecom_1to1', template: 'tpl-hello', next: 'end' },
        { id: 'orphan', type: 'tag', tags: ['a'] },
      ]),
    ).to.deep.equal(['steps[1]: 从第一步永远到不了步骤 "orphan" Step "orphan" is never reached from the first step']);
  });

  it('checks channels, steps and triggers against the subject', () => {
    const group = { subject: 'group', trigger: { type: 'schedule', cron: '0 9 * * 1' } };
    expect(withSteps([{ id: 'post', type: 'send', channel: 'wecom_group', template: 't' }], group)).to.deep.equal([]);
    expect(withSteps([{ id: 'post', type: 'send', channel: 'wecom_1to1', template: 't' }], group)).to.deep.equal([
      'steps[0].channel: 对象为 group 时不能使用渠道 wecom_1to1，请用 wecom_group Channel wecom_1to1 is not available for subject group; use wecom_group',
    ]);
    expect(withSteps([{ id: 'tag', type: 'tag', tags: ['a'] }], { subject: 'staff', trigger: group.trigger })).to.deep.equal([
      'steps[0].type: 对象为 staff 时不能使用 tag 步骤 tag steps are not available for subject staff',
    ]);
    expect(withSteps([{ id: 'post', type: 'send', channel: 'wecom_moments', template: 't' }], { subject: 'staff' })).to.deep.equal([
      'trigger.type: 对象为 staff 时不能使用 event 触发，请用 schedule event triggers are not available for subject staff; use schedule',
    ]);
  });
});

describe('parseSopText', () => {
  it('parses YAML into the same SOP as the object', () => {
    const result = parseSopText(stringify(base()), 'a.yaml');
    expect(result.ok).to.equal(true);
  });

  it('reports YAML syntax errors with line and column', () => {
    const result = parseSopText('id: x\nsteps: [\n', 'broken.yaml');
    expect(result.ok).to.equal(false);
    if (result.ok) return;
    expect(formatProblem(result.problems[0]!)).to.match(/^broken\.yaml: line \d+, column \d+: YAML 语法错误 YAML: /);
  });

  it('reports duplicate keys instead of silently keeping one', () => {
    expect(problems(parseSopText('id: a\nid: b\n', 'dup.yaml'))[0]).to.match(/^line 2, column 1: YAML 语法错误 YAML: .*unique/i);
  });

  it('reports an empty document at the root', () => {
    expect(problems(parseSopText('', 'empty.yaml'))).to.deep.equal(['(root): 无效输入：期望 object，实际接收 空值(null) Invalid input: expected object, received null']);
  });

  it('formats problems as <file>: <path>: <reason>', () => {
    expect(formatProblem({ file: 'a.yaml', path: 'steps[0].id', message: 'bad' })).to.equal('a.yaml: steps[0].id: bad');
  });
});

describe('loadSopDirectory', () => {
  it('reads only YAML files, in name order, and reports a SOP id used twice', async () => {
    const files: Record<string, string> = {
      'dir/b.yaml': stringify(base()),
      'dir/a.yml': stringify(base()),
      'dir/README.md': '# not a template',
    };
    const fs: LoaderFs = {
      readdir: async () => ['b.yaml', 'a.yml', 'README.md'],
      readFile: async (file) => files[file] ?? Promise.reject(new Error(`ENOENT ${file}`)),
    };
    const { sops, problems: found } = await loadSopDirectory('dir', fs);
    expect(sops).to.have.length(2);
    expect(found.map(formatProblem)).to.deep.equal(['dir/b.yaml: id: SOP id "test-sop" 重复（另见 dir/a.yml） Duplicate SOP id "test-sop" (also in dir/a.yml)']);
  });
});
