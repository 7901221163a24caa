import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testMongoUri, useTestDatabase } from '../support/database.ts';
import { testServices } from '../support/test-app.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const template = (name: string) => path.join('sop-templates', name);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/siyu.js sop …` as a user would through `npx siyu`. */
function siyu(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(root, 'bin/siyu.js'), 'sop', ...args], { cwd: root }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const BROKEN = `id: Broken SOP
name: 坏模板
trigger: { type: event, event: friend_added }
steps:
  - { id: hello, type: send, channel: sms, template: tpl-hello }
  - { id: wait, type: wait, duration: 1mo }
  - { id: check, type: branch, condition: { kind: replied }, then: nowhere, else: end }
`;

describe('siyu sop (CLI)', () => {
  let tmp = '';
  before(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'siyu-sop-'));
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  it('validate exits 0 for the shipped templates', async () => {
    const files = ['new-friend-onboarding.yaml', 'weekly-group-content.yaml', 'fresh-milk-repurchase.yaml'].map(template);
    const run = await siyu('validate', ...files);
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).to.have.length(4);
    expect(lines[3], 'without --corp it says what it did not check').to.include('--corp');
  });

  it('validate exits 1 with one "<file>: <path>: <reason>" line per problem', async () => {
    const broken = path.join(tmp, 'broken.yaml');
    await writeFile(broken, BROKEN);
    const run = await siyu('validate', template('new-friend-onboarding.yaml'), broken);
    expect(run.code).to.equal(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines).to.deep.equal([
      `${broken}: id: 须为短横线小写格式，如 new-friend-onboarding Must be kebab-case, e.g. new-friend-onboarding`,
      `${broken}: steps[0].channel: 无效选项：期望以下之一 "wecom_1to1"|"wecom_group"|"wecom_moments"|"kf"|"official_account" Invalid option: expected one of "wecom_1to1"|"wecom_group"|"wecom_moments"|"kf"|"official_account"`,
      `${broken}: steps[1].duration: 不支持月和年（1 月 31 日加 1 个月有歧义），请用天数，如 30d，或 day N + at HH:MM Months and years are not supported (Jan 31 + 1 month is ambiguous); use days, e.g. 30d, or day N at HH:MM`,
    ]);
  });

  it('validate reports cross-reference problems once the shape is right, and unreadable files', async () => {
    const dangling = path.join(tmp, 'dangling.yaml');
    await writeFile(dangling, BROKEN.replace('Broken SOP', 'dangling').replace('sms', 'wecom_1to1').replace('1mo', '1d'));
    const run = await siyu('validate', dangling, path.join(tmp, 'missing.yaml'));
    expect(run.code).to.equal(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).to.equal(`${dangling}: steps[2].then: 没有 id 为 "nowhere" 的步骤 No step with id "nowhere"`);
    expect(lines[1]).to.match(/missing\.yaml: \(root\): 无法读取 Cannot read: /);
  });

  it('plan --json prints each step with its UTC instant (day 3 at 10:00 from 23:50 local)', async () => {
    const run = await siyu(
      ...['plan', template('new-friend-onboarding.yaml'), '--entered-at', '2026-11-22T15:50:00Z'],
      ...['--tz', 'Asia/Shanghai', '--json'],
    );
    expect(run.code, run.stderr).to.equal(0);
    const plan = JSON.parse(run.stdout) as { step: string; at: string }[];
    expect(plan.every((p) => Object.keys(p).join() === 'step,at')).to.equal(true);
    const at = Object.fromEntries(plan.map((p) => [p.step, p.at]));
    expect(at['tag-new-friend']).to.equal('2026-11-22T15:50:00.000Z');
    expect(at['day0-intro']).to.equal('2026-11-23T01:00:00.000Z'); // quiet hours → 09:00
    expect(at['wait-day3']).to.equal('2026-11-25T02:00:00.000Z');
    expect(at['day7-coupon-expiry']).to.equal('2026-11-29T11:30:00.000Z');
  });

  it('plan reads an --entered-at without offset as local time in --tz, and honours --quiet-hours off', async () => {
    const run = await siyu(
      ...['plan', template('new-friend-onboarding.yaml'), '--entered-at', '2026-11-22T23:50'],
      ...['--tz', 'Asia/Shanghai', '--quiet-hours', 'off', '--json'],
    );
    expect(run.code, run.stderr).to.equal(0);
    const plan = JSON.parse(run.stdout) as { step: string; at: string }[];
    expect(plan.find((p) => p.step === 'day0-intro')?.at).to.equal('2026-11-22T16:50:00.000Z');
  });

  it('plan without --json prints a zh-CN-first table with local times', async () => {
    const run = await siyu('plan', template('weekly-group-content.yaml'), '--entered-at', '2026-03-02T09:00', '--tz', 'America/New_York');
    expect(run.code, run.stderr).to.equal(0);
    for (const text of ['社群每周内容日历', '步骤 step', '本地时间 local', '2026-03-08 10:00 周日', '2026-03-08T14:00:00.000Z']) {
      expect(run.stdout).to.include(text);
    }
  });

  const invalid: [string, string[], RegExp][] = [
    ['an unknown zone', ['--entered-at', '2026-11-22T15:50:00Z', '--tz', 'Mars/Olympus'], /IANA time zone/],
    ['a malformed instant', ['--entered-at', 'yesterday', '--tz', 'Asia/Shanghai'], /ISO-8601/],
    ['malformed quiet hours', ['--entered-at', '2026-11-22T15:50:00Z', '--tz', 'Asia/Shanghai', '--quiet-hours', '9pm'], /HH:MM-HH:MM/],
  ];
  for (const [what, args, message] of invalid) {
    it(`plan exits 2 for ${what}`, async () => {
      const run = await siyu('plan', template('new-friend-onboarding.yaml'), ...args);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.match(message);
      expect(run.stdout).to.equal('');
    });
  }
});

describe('siyu sop validate --corp (CLI, against the test database)', function () {
  this.timeout(60_000);
  const t = useTestDatabase('sop_cli_corp');
  let tmp = '';
  const KEYS = { SIYU_PHONE_KEY: '33'.repeat(32), SIYU_HASH_KEY: '44'.repeat(32) };
  const run = (...args: string[]) =>
    new Promise<Run>((resolve) => {
      const env = { ...process.env, MONGODB_URI: testMongoUri(), MONGODB_DB: t.name, LOG_LEVEL: 'silent', ...KEYS };
      execFile(process.execPath, [path.join(root, 'bin/siyu.js'), 'sop', 'validate', ...args], { cwd: root, env }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });

  before(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'siyu-sop-corp-'));
    await testServices(t.db).org.upsertCorp({ corpId: 'wwclicorp', name: 'CLI' });
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  it('reports a missing template and an unknown audience tag as publishing would, and exits 1', async () => {
    const file = path.join(tmp, 'typo.yaml');
    await writeFile(file, `id: typo\nname: 拼写错误\ntrigger: { type: audience, tags: { all: [不存在的标签] } }\nsteps:\n  - { id: hello, type: send, channel: wecom_1to1, template: tpl-does-not-exist }\n`);
    const offline = await siyu('validate', file);
    expect(offline.code, 'the schema alone is fine').to.equal(0);
    const checked = await run(file, '--corp', 'wwclicorp');
    expect(checked.code, checked.stderr).to.equal(1);
    const lines = checked.stdout.trim().split('\n');
    expect(lines).to.have.length(2);
    expect(lines[0]).to.match(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: steps\\[0\\]\\.template: 模板「tpl-does-not-exist」`));
    expect(lines[1]).to.include('trigger.tags.all[0]: 标签「不存在的标签」不存在');
  });
});
