/**
 * The public store locator page /stores/nearest in Chromium without corpId: a clear zh-CN message when several
 * corps could be meant, the only corp's cities when there is one, and a district that picks its store.
 * Screenshots: /tmp/siyu-stores-nearest-nocorp.png, /tmp/siyu-stores-nearest-district.png.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { openBrowser, requireChromium, type OpenBrowser } from '../support/chromium.ts';
import { useTestDatabase } from '../support/database.ts';

describe('store locator page /stores/nearest without corpId in Chromium', function () {
  this.timeout(30_000);
  before(function () {
    requireChromium(this);
  });

  const t = useTestDatabase('stores_nearest_page');
  let h: ChannelHarness;
  let browser: OpenBrowser | undefined;
  let page: Page;

  before(async () => {
    h = await startChannelHarness(t.db);
    const { org, services: s } = h;
    const scope = { corpId: org.corpId, storeIds: null };
    await s.org.updateStore(scope, org.stores.a, { city: '上海', address: '上海市浦东新区陆家嘴环路 1 号' });
    // The seeded 北京一店 moves to 徐汇 here, so one city has two stores.
    await s.org.updateStore(scope, org.stores.b, { city: '上海', address: '上海市徐汇区漕溪北路 2 号' });
    for (const storeId of [org.stores.a, org.stores.b]) {
      await t.db.models.LiveCode.create({ corpId: org.corpId, accountId: 'acc', name: `store-${storeId}`, channel: 'store', mode: 'rotate', storeId, storeIds: [storeId], staff: [], state: `lc:s${storeId.slice(-8)}`, configId: `cfg-${storeId}`, qrCode: `https://wework.qpic.cn/wwpic/store-${storeId}/0`, status: 'active', createdBy: 'test' });
    }
    await s.org.upsertCorp({ corpId: 'ww-second-corp', name: '第二企业' });
    browser = await openBrowser({ width: 360, height: 740 }, { deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    page = browser.page;
  });

  after(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('says what to do when the link has no corpId and several corps exist', async () => {
    await page.goto(`${h.baseUrl}/stores/nearest`);
    const error = page.locator('#error');
    await error.waitFor();
    expect(await error.textContent()).to.match(/^这个链接缺少企业信息，无法查找门店。请扫描门店海报上的二维码/);
    await page.screenshot({ path: '/tmp/siyu-stores-nearest-nocorp.png' });
  });

  it('uses the only corp, and the district picks its store', async () => {
    await t.db.models.Corp.deleteMany({ corpId: { $ne: h.org.corpId } });
    await page.goto(`${h.baseUrl}/stores/nearest`);
    await page.locator('#city option[value="上海"]').waitFor({ state: 'attached' });
    await page.locator('#city').selectOption('上海');
    await page.locator('#district').fill('徐汇区');
    await page.getByRole('button', { name: /^查找/ }).click();
    await page.locator('#store-name', { hasText: '北京一店' }).waitFor();
    await page.waitForFunction(() => (document.getElementById('qr') as HTMLImageElement).naturalWidth > 0);
    expect(await page.locator('#error').isVisible()).to.equal(false);
    await page.screenshot({ path: '/tmp/siyu-stores-nearest-district.png' });
    expect(browser!.pageErrors.filter((e) => !e.includes('400'))).to.deep.equal([]);
  });
});
