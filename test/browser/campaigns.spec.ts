/**
 * Campaign pages in Chromium (Debian's, driven by playwright-core): the leads on the staff phone page /m (masked
 * phone, tap-to-copy of the full number fetched on demand, greeting to paste, the actions) and the HQ campaign
 * page /hq/campaigns (lead upload, assignment, funnel chart, breakdown, leaderboard, greeting experiment).
 * Screenshots: /tmp/siyu-m-leads.png, /tmp/siyu-hq-campaigns.png.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { openBrowser, requireChromium, type OpenBrowser } from '../support/chromium.ts';
import { useTestDatabase } from '../support/database.ts';

const GREETING = '您好，我是上海一店的小林，给您留了会员福利～';

describe('campaign pages in Chromium', function () {
  this.timeout(40_000);
  before(function () {
    requireChromium(this);
  });

  const t = useTestDatabase('campaign_pages');
  let h: ChannelHarness;
  let browser: OpenBrowser | undefined;
  let page: Page;
  let campaignId: string;
  let pageErrors: string[] = [];

  before(async () => {
    h = await startChannelHarness(t.db);
    const scope = { corpId: h.org.corpId, storeIds: null };
    const module = h.services.campaigns;
    // Whole-day working hours: the harness clock is real time.
    const campaign = await module.campaigns.create(scope, { name: '老客加粉', storeIds: [h.org.stores.a], greetings: [{ id: 'A', text: GREETING }], workingHours: { start: '00:00', end: '24:00' }, dailyQuota: 2 });
    campaignId = campaign.id;
    await module.campaigns.transition(scope, campaignId, 'start', h.services.clock.now());
    browser = await openBrowser({ width: 1280, height: 900 }, { permissions: ['clipboard-read', 'clipboard-write'] });
    ({ page, pageErrors } = browser);
  });

  after(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('HQ: uploads leads, assigns them and shows the funnel, breakdown and leaderboard', async () => {
    await page.goto(`${h.baseUrl}/hq/campaigns#token=${h.org.tokens.hq}`);
    await page.locator('#cp-list button').first().waitFor();
    // The list is drawn before the first campaign is opened: wait for its heading, not just the list.
    await page.locator('#detail-heading', { hasText: '老客加粉' }).waitFor();
    expect(await page.locator('#detail-heading').textContent()).to.equal('老客加粉');
    const csv = ['手机号,姓名,门店,城市,来源,标签', '13900001111,林小姐,SH01,上海,orders,"vip,老客"', '13900002222,陈先生,SH01,上海,events,', 'bad,坏号码,,,,'].join('\n');
    await page.locator('#import-file').setInputFiles({ name: 'leads.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: /^上传/ }).click();
    await page.locator('#import-errors tbody tr').first().waitFor();
    expect(await page.locator('#import-summary').textContent()).to.include('导入 2').and.include('无效 1');
    expect(await page.locator('#import-errors tbody td').first().textContent()).to.equal('4');

    await page.getByRole('button', { name: /^立即分配/ }).click();
    await page.waitForFunction(() => document.querySelector('#totals dd')?.textContent === '2' && document.querySelectorAll('#totals dd')[1]?.textContent === '2');
    expect(await page.locator('#chart-funnel canvas').count(), 'ECharts drew the funnel').to.be.greaterThan(0);
    expect(await page.locator('#breakdown tbody tr').first().locator('th').textContent()).to.equal('上海一店');
    expect(await page.locator('#leaderboard tbody tr').count()).to.be.greaterThan(0);
    await page.screenshot({ path: '/tmp/siyu-hq-campaigns.png', fullPage: true });
    expect(pageErrors).to.deep.equal([]);
  });

  it('staff: sees their leads with masked phones, copies the full number and the greeting, records an action', async () => {
    // Give both leads to 导购乙 (a2) so the phone page shows them.
    await t.db.models.Lead.updateMany({ campaignId }, { $set: { staffId: h.org.staff.a2, storeId: h.org.stores.a } });
    const link = await fetch(`${h.baseUrl}/api/staff/${h.org.staff.a2}/login-links`, { method: 'POST', headers: { Authorization: `Bearer ${h.org.tokens.managerA}` } });
    const { url } = (await link.json()) as { url: string };
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${h.baseUrl}${url}`);
    const cards = page.locator('#leads-list > li');
    await cards.nth(1).waitFor();
    const lin = page.locator('#leads-list li', { hasText: '林小姐' });
    expect(await lin.locator('h3').textContent()).to.include('139****1111');
    expect(await lin.locator('.lead-context').textContent()).to.include('上海').and.include('#vip');
    expect(await page.content(), 'the full number is not in the page before a tap').to.not.include('13900001111');
    await lin.getByRole('button', { name: /^复制号码/ }).click();
    await lin.getByRole('button', { name: /^已复制/ }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).to.equal('13900001111');
    await lin.locator('.text-box').getByRole('button', { name: /^复制/ }).click();
    await lin.getByRole('button', { name: /^已复制/ }).first().waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).to.equal(GREETING);
    await lin.getByRole('button', { name: /^已发申请/ }).click();
    await page.locator('#leads-list li[data-status="requested"]').waitFor();
    const chen = page.locator('#leads-list li', { hasText: '陈先生' });
    await chen.getByRole('button', { name: /^空号/ }).click();
    await page.locator('#leads-list li[data-status="wrong_number"]').waitFor();
    await page.locator('.contact-way').getByRole('button', { name: /我的二维码/ }).click();
    const qr = page.locator('.contact-way img.qr-image');
    await qr.waitFor();
    const way = await t.db.models.CampaignContactWay.findOne({ campaignId, staffId: h.org.staff.a2 }).lean();
    expect(way!.state).to.match(/^c:[0-9a-v]{6}:1$/);
    expect(await qr.getAttribute('src')).to.match(/^data:image\/svg\+xml;base64,/);
    expect(way!.qrCode).to.match(/^https:\/\/wework\.qpic\.cn\//);
    const rows = await t.db.models.Lead.find({ campaignId }).lean();
    expect(rows.map((r) => r.status).sort()).to.deep.equal(['requested', 'wrong_number']);
    const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(width.scroll, 'no horizontal scroll at 360 px').to.be.at.most(width.client);
    await page.screenshot({ path: '/tmp/siyu-m-leads.png', fullPage: true });
    expect(pageErrors).to.deep.equal([]);
  });
});
