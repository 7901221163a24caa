/**
 * The vendor errcode table: every code the WeCom and official-account clients classify and the simulators answer
 * has a zh-CN explanation and a thing to do, and the message keeps the code.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeVendorError, VENDOR_ERRCODES, vendorErrcodeEntry } from './wecom-errcodes.ts';

const ADAPTERS = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return name === 'fixtures' ? [] : sourceFiles(file);
    return file.endsWith('.ts') && !file.endsWith('.spec.ts') && file !== path.join(ADAPTERS, 'wecom', 'wecom-errcodes.ts') ? [file] : [];
  });
}

/**
 * Errcodes written in code (not comments): `fail(41048, …)`, `errcode: 40096`, `?? 40050`, `=== 40029`, a last
 * argument `…, 40032)` and members of `new Set([…])`. Five-digit numbers from 40000 up, plus -1, 6000 and 301002.
 */
function codesIn(file: string): string[] {
  const src = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
  const found = [...src.matchAll(/(?:fail\(|[,([?:]\s*|errcode:\s*|\?\?\s*|===\s*|=\s*)(-1|6000|301002|[4-9]\d{4})\b(?![\d/])/g)].map((m) => m[1]!);
  return found;
}

describe('vendor errcodes in zh-CN', () => {
  const produced = new Map<string, Set<string>>();
  for (const dir of ['wecom', 'official-account']) {
    for (const file of sourceFiles(path.join(ADAPTERS, dir))) {
      for (const code of codesIn(file)) (produced.get(code) ?? produced.set(code, new Set()).get(code)!).add(path.relative(ADAPTERS, file));
    }
  }

  it('finds the codes the simulators and clients use (the scan works)', () => {
    expect(produced.size).to.be.greaterThan(60);
    for (const code of ['41048', '84061', '40096', '45009', '42001', '95001', '45015', '40128', '60111']) expect(produced.has(code), code).to.equal(true);
  });

  it('has an entry for every code the simulators answer and the clients classify', () => {
    const missing = [...produced].filter(([code]) => !vendorErrcodeEntry(code)).map(([code, files]) => `${code} (${[...files].join(', ')})`);
    expect(missing).to.deep.equal([]);
  });

  it('explains each entry in zh-CN with a thing to do', () => {
    for (const [code, entry] of Object.entries(VENDOR_ERRCODES)) {
      expect(entry.zh, code).to.match(/[\u4e00-\u9fff]/);
      expect(entry.todo, code).to.match(/[\u4e00-\u9fff]/);
    }
  });

  it('says who refused, what it means, the code and what to do', () => {
    expect(describeVendorError(41048)).to.equal('企业微信拒绝：客户不存在或未添加该成员为好友 (41048) — 请确认客户仍是该成员的好友');
    expect(describeVendorError('45015', 'official_account')).to.equal('公众号拒绝：用户超过 48 小时未互动，不能再发客服消息 (45015) — 请等用户再次发消息，或改用模板消息');
  });

  it('explains the `vendor:<kind>` reasons of failures without an errcode, and accepts the `vendor:` prefix', () => {
    for (const kind of ['rate_limited', 'unavailable', 'auth', 'config', 'window_closed', 'recipient', 'invalid', 'unknown']) {
      expect(describeVendorError(`vendor:${kind}`), kind).to.match(/[\u4e00-\u9fff]/).and.not.include('平台错误 (');
    }
    expect(describeVendorError('vendor:rate_limited')).to.equal('企业微信拒绝：调用过于频繁，超出平台限额或并发限制 (rate_limited) — 系统会自动重试，稍后再看结果');
    expect(describeVendorError('vendor:unavailable')).to.match(/^企业微信暂不可用：/);
    expect(describeVendorError('vendor:41048')).to.include('(41048)');
  });

  it('keeps an unknown code in the message', () => {
    expect(describeVendorError(99999)).to.equal('企业微信拒绝：平台错误 (99999) — 请在平台错误码查询中查看此错误码，或联系技术支持');
  });
});
