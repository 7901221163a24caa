/**
 * `siyu leads import` as a user runs it (node bin/siyu.js), against the test database: a CSV with a malformed row
 * and a duplicate, then the same file again. Progress goes to stderr; stdout ends with the JSON summary.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import iconv from 'iconv-lite';
import { testMongoUri, useTestDatabase } from '../support/database.ts';
import { testServices } from '../support/test-app.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KEYS = { SIYU_PHONE_KEY: '33'.repeat(32), SIYU_HASH_KEY: '44'.repeat(32) };

describe('siyu leads import (CLI)', function () {
  this.timeout(60_000);
  const t = useTestDatabase('leads_cli');
  let dir: string;
  let campaignId: string;

  const siyu = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env = { ...process.env, MONGODB_URI: testMongoUri(), MONGODB_DB: t.name, LOG_LEVEL: 'silent', ...KEYS };
      execFile(process.execPath, [path.join(root, 'bin/siyu.js'), 'leads', 'import', ...args], { cwd: root, env }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'siyu-leads-cli-'));
    const services = testServices(t.db);
    await services.org.upsertCorp({ corpId: 'wwclicorp', name: 'CLI' });
    campaignId = (await services.campaigns.campaigns.create({ corpId: 'wwclicorp', storeIds: null }, { name: 'CLI 导入' })).id;
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('imports a GBK file, reports the bad row by line, and imports nothing twice on a re-run', async () => {
    const file = path.join(dir, 'leads.csv');
    await writeFile(file, iconv.encode('手机号,姓名\r\n13600000001,王女士\r\n12,坏\r\n13600000001,重复\r\n13600000002,李先生\r\n', 'gbk'));
    const first = await siyu(file, '--campaign', campaignId, '--json');
    expect(first.code, first.stderr).to.equal(0);
    const lines = first.stdout.trim().split('\n');
    expect(JSON.parse(lines.at(-1)!)).to.deep.equal({ rows: 4, imported: 2, duplicates: 1, invalid: 1, errors: [{ line: 3, reason: JSON.parse(lines.at(-1)!).errors[0].reason }] });
    expect((await t.db.models.Lead.find({ campaignId }).sort({ line: 1 }).lean()).map((l) => l.name)).to.deep.equal(['王女士', '李先生']);

    const again = await siyu(file, '--campaign', campaignId);
    expect(again.code, again.stderr).to.equal(0);
    expect(JSON.parse(again.stdout.trim().split('\n').at(-1)!)).to.include({ rows: 4, imported: 0, duplicates: 3, invalid: 1 });
  });

  it('exits 2 for an unknown campaign or a missing file', async () => {
    expect((await siyu(path.join(dir, 'nope.csv'), '--campaign', campaignId)).code).to.equal(2);
    const unknown = await siyu(path.join(dir, 'leads.csv'), '--campaign', '0123456789abcdef01234567');
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.include('campaign');
  });
});
