/** The errcode module pages import turns `vendor:41048` into the zh-CN explanation, code included. */
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { vendorErrcodesModule } from './vendor-errcodes.route.ts';

describe('/web/shared/vendor-errcodes.js', () => {
  it('explains a vendor reason in zh-CN and keeps an unknown code', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'siyu-errcodes-'));
    try {
      const file = path.join(dir, 'vendor-errcodes.mjs');
      await writeFile(file, vendorErrcodesModule());
      const { vendorErrorText } = (await import(pathToFileURL(file).href)) as { vendorErrorText: (code: string) => string };
      expect(vendorErrorText('vendor:41048')).to.equal('企业微信拒绝：客户不存在或未添加该成员为好友 (41048) — 请确认客户仍是该成员的好友');
      expect(vendorErrorText('84061')).to.include('(84061)').and.include('没有好友关系');
      expect(vendorErrorText('vendor:rate_limit')).to.include('(rate_limit)');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
