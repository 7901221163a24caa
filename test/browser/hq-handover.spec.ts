/**
 * The HQ handover page (/hq/handover) in Chromium against the app, a test database and the WeCom simulator:
 * start a 在职继承, settle it in the simulator (one customer refuses), read the report. Screenshot:
 * /tmp/siyu-handover.png.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { openBrowser, requireChromium, type OpenBrowser } from '../support/chromium.ts';
import { useTestDatabase } from '../support/database.ts';

describe('HQ handover page /hq/handover in Chromium', function () {
  this.timeout(30_000);
  before(function () {
    requireChromium(this);
  });

  const t = useTestDatabase('handover_browser');
  let h: ChannelHarness;
  let browser: OpenBrowser | undefined;
  let page: Page;
  let pageErrors: string[] = [];

  before(async () => {
    h = await startChannelHarness(t.db);
    const staff = await h.services.org.getStaff({ corpId: h.org.corpId, storeIds: null }, h.org.staff.a2);
    for (const [id, name] of [['wm-page-1', '冯女士'], ['wm-page-2', '陈先生']] as const) {
      h.sim.control.addCustomer({ external_userid: id, name, follow_user: [{ userid: 'a2' }] });
      const { contact } = await h.services.identities.upsert(h.org.corpId, { identities: [{ kind: 'wecom', externalUserId: id }], profile: { name } });
      await h.services.follows.upsert(h.org.corpId, { contactId: contact.id, staff, addedAt: new Date() });
    }
    browser = await openBrowser({ width: 1024, height: 900 });
    await browser.context.addInitScript((token) => localStorage.setItem('siyu.hq.token', token), h.org.tokens.hq);
    ({ page, pageErrors } = browser);
  });

  after(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('starts an in-service handover and reports who moved and who refused', async () => {
    await page.goto(`${h.baseUrl}/hq/handover`);
    await page.locator('#app').waitFor();
    await page.locator('#from').selectOption(h.org.staff.a2);
    await page.locator('#to').selectOption(h.org.staff.a1);
    await page.getByRole('button', { name: /^发起/ }).click();
    await page.locator('#report-summary', { hasText: '共 2 位客户' }).waitFor();
    expect(await page.locator('#report-summary').textContent()).to.equal('在职继承 · 导购乙：共 2 位客户，已接替 0，等待 2，失败 0');
    expect(await page.locator('#jobs li').count()).to.equal(1);

    h.sim.control.transfers.settle({ refuse: ['wm-page-2'] });
    await page.getByRole('button', { name: /^刷新接替结果/ }).click();
    await page.locator('#report-summary', { hasText: '已接替 1' }).waitFor();
    expect(await page.locator('#report-summary').textContent()).to.equal('在职继承 · 导购乙：共 2 位客户，已接替 1，等待 0，失败 1（客户拒绝 Refused by the customer 1）');
    const rows = await page.locator('#customers tr').allTextContents();
    expect(rows).to.deep.equal(['冯女士店长甲已接替 Moved任务 0，SOP 0，待发触达 0', '陈先生店长甲失败 Failed客户拒绝 Refused by the customer']);
    expect(await page.locator('#poll').isHidden(), 'nothing left to poll').to.equal(true);
    await page.screenshot({ path: '/tmp/siyu-handover.png', fullPage: true });
    expect(pageErrors).to.deep.equal([]);
  });
});
