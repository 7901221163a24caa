/**
 * The chat sidebar opened in an ordinary browser (the real JS-SDK, no WeCom client around it): instead of
 * 「正在加载…」 forever, it says in zh-CN, then English, that it must be opened from the WeCom chat toolbar and how.
 * Screenshot: /tmp/siyu-sidebar-outside.png.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { openBrowser, requireChromium, type OpenBrowser } from '../support/chromium.ts';
import { useTestDatabase } from '../support/database.ts';

describe('chat sidebar /sidebar outside WeCom in Chromium', function () {
  this.timeout(30_000);
  before(function () {
    requireChromium(this);
  });

  const t = useTestDatabase('sidebar_outside');
  let h: ChannelHarness;
  let browser: OpenBrowser | undefined;
  let page: Page;

  before(async () => {
    h = await startChannelHarness(t.db);
    browser = await openBrowser({ width: 360, height: 740 }, { deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    page = browser.page;
  });

  after(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('stops loading and says to open it from the WeCom chat toolbar', async () => {
    const { token } = await h.services.tokens.issue({ corpId: h.org.corpId, role: 'staff', name: 'sidebar', staffId: h.org.staff.a2 });
    await page.goto(`${h.baseUrl}/sidebar#token=${encodeURIComponent(token)}`);
    const notice = page.locator('#outside-wecom');
    await notice.waitFor({ timeout: 10_000 });
    expect(await notice.locator('h2').textContent()).to.match(/^请在企业微信聊天工具栏中打开/);
    expect(await notice.textContent()).to.include('与客户的单聊').and.include('Open it from the WeCom chat toolbar');
    expect(await page.locator('#status').textContent(), 'no spinner left').to.equal('');
    expect(await page.locator('#profile').isVisible()).to.equal(false);
    await page.screenshot({ path: '/tmp/siyu-sidebar-outside.png' });
  });
});
