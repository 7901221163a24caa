/**
 * Issue #16 item 8: what users read comes zh-CN first. A static guard over all of server/: no typed HTTP error
 * (nor a ConfigError, which the CLI and boot print) thrown with an English-only literal, and the default
 * messages of server/errors.ts, auto-winner reasons, publish checks, audience counts and vendor-failure kinds
 * all carry a CJK character.
 *
 * Not guarded, on purpose: plain Error / RangeError / TypeError throws. They are internal invariants that no
 * user can trigger with valid deployments (a route declared twice, an immutable version written, a duplicate
 * participant registration, an impossible duration after schema validation, a bad fixture file in the kf
 * evaluation); the error handler answers them as a generic zh-CN 500 and logs the English text for developers.
 * UnsupportedMediaTypeError is called with the expected media type, not a sentence; the class words the message.
 */
import { expect } from 'chai';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describeVendorError } from '../../adapters/registry.ts';
import { ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../../server/errors.ts';
import { autoWinnerBlocked } from '../../server/experiments/auto-winner.ts';
import { audienceCount } from '../../server/sop/runtime/audience-count.ts';

const CJK = /[\u4e00-\u9fff]/;
const DOMAINS = ['server'];
// A typed HTTP error whose message starts as an English literal ('…' or `…` opening with a Latin letter).
const ENGLISH_THROW = /throw new (BadRequest|Validation|Unauthenticated|Forbidden|Conflict|Unavailable|PayloadTooLarge|Config|SyncInterrupted|CsvHeader)Error\((['`])[A-Za-z]/;

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sources(full)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) out.push(full);
  }
  return out;
}

describe('zh-CN first where users read', () => {
  it('throws no English-only typed error anywhere in server/', async () => {
    const offenders: string[] = [];
    for (const dir of DOMAINS) {
      for (const file of await sources(dir)) {
        (await readFile(file, 'utf8')).split('\n').forEach((line, i) => {
          if (ENGLISH_THROW.test(line) && !CJK.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
        });
      }
    }
    expect(offenders, offenders.join('\n')).to.deep.equal([]);
  });

  it('gives the typed errors zh-CN default messages', () => {
    for (const e of [new NotFoundError('SOP', 'x'), new UnauthenticatedError(), new ForbiddenError(), new ValidationError([])]) expect(e.message, e.name).to.match(CJK);
  });

  it('names what was not found in zh-CN, the English name after it', () => {
    expect(new NotFoundError('live code', 'lc1').message).to.equal('未找到渠道活码 lc1 live code lc1 not found');
    const names = ['contact', 'staff', 'content template', 'task', 'tag', 'tag group', 'lead', 'corp', 'store', 'knowledge entry', 'channel account', 'campaign', 'saved filter', 'kf session', 'handover', 'group', 'experiment'];
    for (const what of names) expect(new NotFoundError(what).message.split(' ')[0], what).to.match(CJK).and.not.include(what);
  });

  it('says why the auto-winner cannot decide in zh-CN', () => {
    expect(autoWinnerBlocked({ status: 'running', autoWinner: { enabled: false } })).to.match(CJK);
    expect(autoWinnerBlocked({ status: 'stopped', autoWinner: { enabled: true } })).to.match(CJK);
  });

  it('explains an audience count and a vendor failure without an errcode in zh-CN', () => {
    expect(audienceCount({ matched: 3, enrolled: 1, skipped: { opted_out: 1, reentry_too_soon: 1 }, noStaff: 1 }, 'enable').explanation.zh).to.match(CJK).and.not.match(/reentry_|opted_out/);
    expect(describeVendorError('vendor:rate_limited')).to.match(CJK).and.not.include('平台错误 (');
  });
});
