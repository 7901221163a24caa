/**
 * Staff phone page /m details (issue #16 item 9) in Chromium: the skip dialog takes the tap that follows a
 * validation message; handled tasks wait in a collapsed 「已完成 / 已跳过」 section below the open ones, done and
 * skipped apart; 「我的二维码」 is the QR image with a save hint; no bilingual label breaks inside a word at 360 px.
 * Screenshots (looked at, not compared): /tmp/siyu-m-details-360.png, /tmp/siyu-m-details-1280.png,
 * /tmp/siyu-m-details-closed.png.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { formatLocalDate } from '../../server/tasks/staff-task.route.ts';
import { startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { openBrowser, requireChromium, type OpenBrowser } from '../support/chromium.ts';
import { useTestDatabase } from '../support/database.ts';

/** Buttons and links whose Chinese label is drawn on more than one line (a word broken like 「已发申/请」). */
function brokenLabels(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const broken: string[] = [];
    for (const button of Array.from(document.querySelectorAll<HTMLElement>('button, a.btn, summary'))) {
      if (!button.offsetParent) continue;
      const walker = document.createTreeWalker(button, NodeFilter.SHOW_TEXT);
      let node = walker.nextNode();
      while (node && !/[\u4e00-\u9fff]/.test(node.textContent ?? '')) node = walker.nextNode();
      if (!node) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const lines = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      if (lines.size > 1) broken.push((node.textContent ?? '').trim());
    }
    return broken;
  });
}

describe('staff phone page /m details in Chromium', function () {
  this.timeout(40_000);
  before(function () {
    requireChromium(this);
  });

  const t = useTestDatabase('staff_page_details');
  let h: ChannelHarness;
  let browser: OpenBrowser | undefined;
  let page: Page;
  let campaignId = '';

  before(async () => {
    h = await startChannelHarness(t.db);
    const { services: s, org } = h;
    const localDate = formatLocalDate(s.clock.now(), 'Asia/Shanghai');
    const base = { corpId: org.corpId, storeId: org.stores.a, staffId: org.staff.a2, localDate, contactIds: [] };
    const due = new Date(s.clock.now().getTime() + 3600_000);
    for (const [key, title] of [['d:done', '整理会员资料'], ['d:skip', '回访老客'], ['d:open', '准备周末活动']] as const) {
      await s.tasks.createOnce({ ...base, key, kind: 'custom', title, dueAt: due });
    }
    const scope = { corpId: org.corpId, storeIds: null };
    const module = s.campaigns;
    const campaign = await module.campaigns.create(scope, { name: '老客加粉', storeIds: [org.stores.a], greetings: [{ id: 'A', text: '您好' }], workingHours: { start: '00:00', end: '24:00' }, dailyQuota: 2 });
    campaignId = campaign.id;
    await module.campaigns.transition(scope, campaignId, 'start', s.clock.now());
    await t.db.models.Lead.create({ corpId: org.corpId, campaignId, key: 'lead-1', phoneMasked: '139****1111', name: '林小姐', status: 'assigned', storeId: org.stores.a, staffId: org.staff.a2, greeting: 'A', assignedAt: s.clock.now(), assignedDate: localDate });

    browser = await openBrowser({ width: 360, height: 740 }, { deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    page = browser.page;
    const link = await fetch(`${h.baseUrl}/api/staff/${org.staff.a2}/login-links`, { method: 'POST', headers: { Authorization: `Bearer ${org.tokens.managerA}` } });
    const { url } = (await link.json()) as { url: string };
    await page.goto(`${h.baseUrl}${url}`);
    await page.locator('#open-list > li').nth(2).waitFor();
    await page.locator('#leads-list > li').first().waitFor();
  });

  after(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('keeps every bilingual label whole at 360 and at 1280 px', async () => {
    await page.screenshot({ path: '/tmp/siyu-m-details-360.png', fullPage: true });
    expect(await brokenLabels(page), 'at 360 px').to.deep.equal([]);
    const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(width.scroll, 'no horizontal scroll at 360 px').to.be.at.most(width.client);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: '/tmp/siyu-m-details-1280.png', fullPage: true });
    expect(await brokenLabels(page), 'at 1280 px').to.deep.equal([]);
    await page.setViewportSize({ width: 360, height: 740 });
  });

  it('shows 「我的二维码」 as the QR image with a hint to save it', async () => {
    await page.locator('.contact-way').getByRole('button', { name: /我的二维码/ }).click();
    const img = page.locator('.contact-way img.qr-image');
    await img.waitFor();
    expect(await img.getAttribute('src')).to.match(/^data:image\/svg\+xml;base64,/);
    expect(await img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0), 'the image decodes').to.equal(true);
    expect(await page.locator('.contact-way a').count(), 'no link instead of the image').to.equal(0);
    expect(await page.locator('.contact-way figcaption').textContent()).to.include('长按图片保存');
    expect(browser!.pageErrors, 'the CSP lets the image load').to.deep.equal([]);
  });

  it('takes the first tap on 确认跳过 after a validation message', async () => {
    const card = page.locator('#open-list li', { hasText: '回访老客' });
    await card.getByRole('button', { name: /^跳过/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByLabel('其他 Other').check();
    await dialog.getByRole('button', { name: /^确认跳过/ }).click();
    await dialog.getByText('选择“其他”时请填写说明').waitFor();
    await dialog.getByLabel(/补充说明/).fill('客户出差');
    await dialog.getByRole('button', { name: /^确认跳过/ }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 3000 });
    const row = await t.db.models.StaffTask.findOne({ corpId: h.org.corpId, key: 'd:skip' }).lean();
    expect(row).to.include({ status: 'skipped', skipReason: '客户出差' });
  });

  it('lists done and skipped tasks apart, below the open ones, in a collapsed section', async () => {
    await page.locator('#open-list li', { hasText: '整理会员资料' }).getByRole('button', { name: /^完成/ }).click();
    await page.locator('#open-list > li').nth(1).waitFor({ state: 'detached' });
    expect(await page.locator('#open-list > li').allTextContents()).to.have.length(1);
    const closed = page.locator('#closed-section');
    expect(await closed.evaluate((d) => d.tagName === 'DETAILS' && !(d as HTMLDetailsElement).open), 'collapsed').to.equal(true);
    expect(await page.locator('#closed-section summary').textContent()).to.include('已完成 / 已跳过').and.include('(2)');
    expect(await page.evaluate(() => Boolean(document.getElementById('open-section')!.compareDocumentPosition(document.getElementById('closed-section')!) & Node.DOCUMENT_POSITION_FOLLOWING)), 'open first').to.equal(true);
    await page.locator('#closed-section summary').click();
    expect(await page.locator('#done-list > li h3').allTextContents()).to.deep.equal(['整理会员资料']);
    expect(await page.locator('#skipped-list > li h3').allTextContents()).to.deep.equal(['回访老客']);
    await page.screenshot({ path: '/tmp/siyu-m-details-closed.png', fullPage: true });
    expect(browser!.pageErrors).to.deep.equal([]);
  });
});
