/**
 * The console shell (server/web/shared/console.js) in Chromium against the app, a test database and the WeCom
 * simulator: one token for every console page, the navigation each role sees, a store manager who is no longer
 * refused by /hq, staff sent to /m, the phone menu, sign-in by the form and sign-out.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { openBrowser, requireChromium, type OpenBrowser } from '../support/chromium.ts';
import { useTestDatabase } from '../support/database.ts';

const navKeys = (page: Page) => page.locator('#cs-links a').evaluateAll((links) => links.map((a) => (a as HTMLElement).dataset.key));
const token = (page: Page) => page.evaluate(() => localStorage.getItem('siyu.hq.token'));

describe('console shell in Chromium', function () {
  this.timeout(40_000);
  before(function () {
    requireChromium(this);
  });

  const t = useTestDatabase('console_shell');
  let h: ChannelHarness;
  let browser: OpenBrowser | undefined;
  let page: Page;
  let pageErrors: string[] = [];

  before(async () => {
    h = await startChannelHarness(t.db);
    browser = await openBrowser({ width: 1280, height: 800 });
    ({ page, pageErrors } = browser);
  });

  after(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('signs an HQ admin in with the form once and keeps them signed in on every console page, with every nav entry', async () => {
    await page.goto(`${h.baseUrl}/hq/settings`);
    await page.getByLabel(/^API 令牌/).fill(h.org.tokens.hq);
    await page.getByRole('button', { name: /^登录/ }).click();
    await page.locator('#content-card').waitFor();
    expect(await page.title()).to.equal('设置 · 私域');
    expect(await navKeys(page)).to.deep.equal(['exec', 'customers', 'tags', 'groups', 'content', 'live-codes', 'campaigns', 'experiments', 'handover', 'knowledge', 'service', 'org', 'settings']);
    expect(await page.locator('#cs-links a[aria-current="page"]').getAttribute('data-key')).to.equal('settings');
    expect(await page.locator('#cs-who').textContent()).to.include('总部管理员').and.include('测试企业');

    // The same token opens the experiments dashboard, which used to keep a sign-in of its own.
    await page.getByRole('link', { name: /^A\/B 实验/ }).click();
    await page.waitForURL(`${h.baseUrl}/experiments`);
    await page.locator('#list-view').waitFor();
    expect(await page.locator('#cs-notice').count()).to.equal(0);
    await page.getByRole('link', { name: /^SOP & 内容/ }).click();
    await page.locator('#panel-content').waitFor();
    await page.getByRole('link', { name: /^总览\/执行/ }).click();
    await page.locator('#panel-exec').waitFor();
    expect(await page.locator('#cs-links a[aria-current="page"]').getAttribute('data-key')).to.equal('exec');
    expect(pageErrors).to.deep.equal([]);
  });

  it('shows a marketer the corp-wide pages but not the handover, and /hq/org without changes or tokens', async () => {
    await page.goto(`${h.baseUrl}/hq/org#token=${h.org.tokens.marketer}`);
    await page.locator('#staff-card').waitFor();
    expect(await navKeys(page)).to.deep.equal(['exec', 'customers', 'tags', 'groups', 'content', 'live-codes', 'campaigns', 'experiments', 'knowledge', 'service', 'org', 'settings']);
    expect(await page.locator('#staff-table tbody tr').count()).to.equal(3);
    expect(await page.locator('#tokens-card').isHidden()).to.equal(true);
    expect(await page.getByRole('button', { name: /^新增员工/ }).isHidden()).to.equal(true);
    expect(pageErrors).to.deep.equal([]);
  });

  it('keeps a store manager signed in on /hq with their store’s execution only, and their staff in the handover', async () => {
    await page.goto(`${h.baseUrl}/hq#token=${h.org.tokens.managerA}`);
    await page.locator('#panel-exec').waitFor();
    expect(await navKeys(page)).to.deep.equal(['exec', 'customers', 'handover', 'service']);
    expect(await token(page), 'the token is kept, not cleared').to.equal(h.org.tokens.managerA);
    expect(await page.locator('#tab-content').isHidden()).to.equal(true);
    expect(await page.locator('#cs-who').textContent()).to.include('店长').and.include('上海一店');
    await page.locator('#exec-table tbody tr').first().waitFor();
    expect(await page.locator('#exec-table tbody').textContent()).to.include('上海一店').and.not.include('北京一店');

    await page.getByRole('link', { name: /^客户继承/ }).click();
    await page.locator('#app').waitFor();
    const from = await page.locator('#to option').allTextContents();
    expect(from.join()).to.include('导购乙').and.include('店长甲').and.not.include('导购丙');

    // A page not for their role says so and keeps them signed in.
    await page.goto(`${h.baseUrl}/hq/org`);
    await page.locator('#cs-notice').getByText('此页面不对你的角色开放').waitFor();
    expect(await token(page)).to.equal(h.org.tokens.managerA);
    expect(pageErrors).to.deep.equal([]);
  });

  it('hands a staff token over to the staff page /m', async () => {
    await page.goto(`${h.baseUrl}/hq#token=${h.org.tokens.staffA}`);
    await page.waitForURL(`${h.baseUrl}/m`);
    await page.locator('#who-name', { hasText: '导购乙' }).waitFor();
    expect(await token(page)).to.equal(null);
  });

  it('opens the navigation from the menu button on a phone, without horizontal scrolling, and signs out', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${h.baseUrl}/hq/org#token=${h.org.tokens.hq}`);
    await page.locator('#staff-card').waitFor();
    expect(await page.locator('#cs-nav').isVisible() && (await page.locator('#cs-nav').boundingBox())!.x < 0, 'the nav is off-screen').to.equal(true);
    await page.getByRole('button', { name: /菜单/ }).click();
    await page.waitForFunction(() => document.getElementById('cs-nav')!.getBoundingClientRect().x >= 0);
    expect(await page.getByRole('button', { name: /菜单/ }).getAttribute('aria-expanded')).to.equal('true');
    const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(width.scroll, 'no horizontal scroll at 360 px').to.be.at.most(width.client);
    await page.getByRole('button', { name: /^退出/ }).click();
    await page.locator('#signin-form').waitFor();
    expect(await token(page)).to.equal(null);
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(pageErrors).to.deep.equal([]);
  });
});
