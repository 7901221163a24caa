/**
 * /hq/org (门店与员工) and /hq/settings (设置) in Chromium against the app, a test database and the WeCom simulator:
 * edit a store, issue a one-time sign-in link and use it on /m, issue and revoke a token, mark a member resigned and
 * follow the handover offer; check the WeCom account's credentials, connect an account (secrets never shown back),
 * save the content rules. Screenshots at 1280×800 and 360×740: /tmp/siyu-hq-org-*.png, /tmp/siyu-hq-settings-*.png
 * (docs/screenshots/ holds copies).
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { openBrowser, requireChromium, type OpenBrowser } from '../support/chromium.ts';
import { useTestDatabase } from '../support/database.ts';

async function noHorizontalScroll(page: Page) {
  const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(width.scroll, 'no horizontal scroll').to.be.at.most(width.client);
}

describe('HQ stores-and-staff /hq/org and settings /hq/settings in Chromium', function () {
  this.timeout(40_000);
  before(function () {
    requireChromium(this);
  });

  const t = useTestDatabase('hq_org_settings');
  let h: ChannelHarness;
  let browser: OpenBrowser | undefined;
  let page: Page;
  let pageErrors: string[] = [];

  before(async () => {
    h = await startChannelHarness(t.db);
    browser = await openBrowser({ width: 1280, height: 800 }, { permissions: ['clipboard-read', 'clipboard-write'] });
    await browser.context.addInitScript((token) => localStorage.getItem('siyu.hq.token') ?? localStorage.setItem('siyu.hq.token', token), h.org.tokens.hq);
    ({ page, pageErrors } = browser);
  });

  after(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('lists stores and staff, and edits a store’s city and time zone', async () => {
    await page.goto(`${h.baseUrl}/hq/org`);
    await page.locator('#store-table tbody tr').nth(1).waitFor();
    expect(await page.title()).to.equal('门店与员工 · 私域');
    const row = page.locator(`#store-table tr[data-store-id="${h.org.stores.b}"]`);
    expect(await row.textContent()).to.include('北京一店').and.include('Asia/Shanghai').and.include('21:00–次日 09:00');
    expect(await page.locator('#staff-table tbody tr').count()).to.equal(3);
    await page.screenshot({ path: '/tmp/siyu-hq-org-1280.png' });

    await row.getByRole('button', { name: /^编辑门店/ }).click();
    await page.getByLabel(/^城市/).fill('天津');
    await page.getByLabel(/^时区/).fill('Asia/Urumqi');
    await page.getByRole('button', { name: /^保存/ }).click();
    await row.getByText('天津').waitFor();
    expect(await row.textContent()).to.include('Asia/Urumqi');
    const store = await h.services.org.getStore({ corpId: h.org.corpId, storeIds: null }, h.org.stores.b);
    expect(store).to.include({ city: '天津', timezone: 'Asia/Urumqi' });

    // A time zone the server refuses shows its reason in the dialog.
    await row.getByRole('button', { name: /^编辑门店/ }).click();
    await page.getByLabel(/^时区/).fill('Mars/Base');
    await page.getByRole('button', { name: /^保存/ }).click();
    await page.locator('#store-problems').getByText(/IANA/).waitFor();
    await page.getByRole('button', { name: /^取消/ }).first().click();
    expect(pageErrors.splice(0), 'only the refused time zone').to.deep.equal(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  });

  it('edits a store’s quiet hours across midnight and its daily cap, and shows a refused window’s reason', async () => {
    const row = page.locator(`#store-table tr[data-store-id="${h.org.stores.b}"]`);
    await row.getByRole('button', { name: /^编辑门店/ }).click();
    expect(await page.getByLabel(/^免打扰开始/).inputValue(), 'the default the store has today').to.equal('21:00');
    await page.getByLabel(/^免打扰开始/).fill('22:00');
    await page.getByLabel(/^免打扰结束/).fill('08:00');
    await page.getByLabel(/^每日上限/).fill('2');
    await page.locator('#store-dialog').screenshot({ path: '/tmp/siyu-hq-org-store-dialog-1280.png' });
    await page.getByRole('button', { name: /^保存/ }).click();
    await row.getByText('22:00–次日 08:00').waitFor();
    expect(await row.textContent()).to.include('每人每日 2 条');
    const store = await h.services.org.getStore({ corpId: h.org.corpId, storeIds: null }, h.org.stores.b);
    expect(store).to.deep.include({ quietHours: { start: '22:00', end: '08:00' }, dailyCap: 2 });
    const other = page.locator(`#store-table tr[data-store-id="${h.org.stores.a}"]`);
    expect(await other.textContent(), 'the other store keeps the defaults').to.include('21:00–次日 09:00').and.include('每人每日 1 条');

    await row.getByRole('button', { name: /^编辑门店/ }).click();
    await page.getByLabel(/^免打扰结束/).fill('22:00');
    await page.getByRole('button', { name: /^保存/ }).click();
    await page.locator('#store-problems').getByText(/免打扰开始与结束不能相同/).waitFor();
    await page.getByRole('button', { name: /^取消/ }).first().click();
    expect(pageErrors.splice(0), 'only the refused window').to.deep.equal(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    expect((await h.services.org.getStore({ corpId: h.org.corpId, storeIds: null }, h.org.stores.b)).quietHours, 'nothing refused was stored').to.deep.equal({ start: '22:00', end: '08:00' });
  });

  it('issues a one-time sign-in link shown as a QR and a link, which signs the member in on /m once', async () => {
    const row = page.locator(`#staff-table tr[data-staff-id="${h.org.staff.a2}"]`);
    await row.getByRole('button', { name: /登录链接/ }).click();
    await page.locator('#link-box').waitFor();
    await page.waitForFunction(() => {
      const img = document.getElementById('link-qr') as HTMLImageElement | null;
      return !!img && img.src.startsWith('data:image/svg+xml') && img.complete && img.naturalWidth > 0;
    });
    const link = await page.locator('#link-url').inputValue();
    expect(link).to.match(new RegExp(`^${h.baseUrl}/m/login\\?t=[\\w-]{20,}$`));
    await page.getByRole('button', { name: /^复制/ }).first().click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).to.equal(link);

    const phone = await browser!.context.newPage();
    await phone.setViewportSize({ width: 360, height: 740 });
    await phone.goto(link);
    await phone.locator('#who-name', { hasText: '导购乙' }).waitFor();
    expect(await phone.evaluate(() => localStorage.getItem('siyu.m.token'))).to.match(/^siyu_/);
    const again = await fetch(link, { redirect: 'manual' });
    expect(again.status, 'the link works once').to.equal(401);
    await phone.close();
    expect(pageErrors).to.deep.equal([]);
  });

  it('issues a token shown once, lists it, and revokes it so it no longer signs in', async () => {
    await page.locator('#token-name').fill('营销小王');
    await page.locator('#token-role').selectOption('marketer');
    await page.getByLabel(/^有效天数/).fill('30');
    await page.getByRole('button', { name: /^签发令牌/ }).click();
    await page.locator('#token-secret').waitFor();
    const secret = await page.locator('#token-value').inputValue();
    expect(secret).to.match(/^siyu_/);
    const row = page.locator('#token-table tbody tr', { hasText: '营销小王' });
    await row.waitFor();
    expect(await row.textContent()).to.include('营销').and.include('有效');
    expect((await fetch(`${h.baseUrl}/api/stores`, { headers: { Authorization: `Bearer ${secret}` } })).status).to.equal(200);

    await row.getByRole('button', { name: /^吊销/ }).click();
    await row.getByText(/已吊销/).waitFor();
    expect(await row.getByRole('button', { name: /^吊销/ }).count()).to.equal(0);
    expect((await fetch(`${h.baseUrl}/api/stores`, { headers: { Authorization: `Bearer ${secret}` } })).status).to.equal(401);
    expect(pageErrors).to.deep.equal([]);
  });

  it('marks a member resigned and offers the handover, prefilled', async () => {
    const row = page.locator(`#staff-table tr[data-staff-id="${h.org.staff.b1}"]`);
    await row.getByRole('button', { name: /离职/ }).click();
    await page.getByRole('button', { name: /^确认离职/ }).click();
    const offer = page.locator('#resigned-box');
    await offer.getByRole('link', { name: /^把其客户交给同事/ }).click();
    await page.waitForURL(`${h.baseUrl}/hq/handover?kind=resigned&from=${h.org.staff.b1}`);
    await page.locator('#app').waitFor();
    expect(await page.locator('input[name="kind"][value="resigned"]').isChecked()).to.equal(true);
    expect(await page.locator('#from').inputValue()).to.equal(h.org.staff.b1);
    const staff = await h.services.org.getStaff({ corpId: h.org.corpId, storeIds: null }, h.org.staff.b1);
    expect(staff.status).to.equal('resigned');
    expect(pageErrors).to.deep.equal([]);
  });

  it('has no horizontal scroll on a phone', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${h.baseUrl}/hq/org`);
    await page.locator('#staff-table tbody tr').first().waitFor();
    await page.screenshot({ path: '/tmp/siyu-hq-org-360.png' });
    // The store dialog with its delivery-policy fields fits the phone too.
    await page.locator(`#store-table tr[data-store-id="${h.org.stores.b}"]`).getByRole('button', { name: /^编辑门店/ }).click();
    const fields = await page.evaluate(() => Array.from(document.querySelectorAll('#store-dialog input')).map((e) => Math.round(e.getBoundingClientRect().right)));
    expect(Math.max(...fields), 'store dialog inputs inside the screen').to.be.at.most(360);
    await page.screenshot({ path: '/tmp/siyu-hq-org-store-dialog-360.png' });
    await page.getByRole('button', { name: /^取消/ }).first().click();
    const wide = await page.evaluate(() => Array.from(document.querySelectorAll('body *')).filter((e) => !e.closest('dialog') && !e.parentElement?.closest('.table-wrap') && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 8).map((e) => `${e.tagName}#${e.id}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`));
    expect(wide, 'elements wider than the screen').to.deep.equal([]);
    await noHorizontalScroll(page);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('settings: checks the WeCom account’s credentials, shows the callback URL, never shows secrets, saves the content rules', async () => {
    await page.goto(`${h.baseUrl}/hq/settings`);
    const account = page.locator(`#account-list li[data-account-id="${h.wecom.id}"]`);
    await account.waitFor();
    expect(await account.locator('.acc-config').textContent()).to.include('******').and.not.include(String((h.wecom.config as { secret: string }).secret));
    expect(await account.locator('.callback input').inputValue()).to.equal(`${h.baseUrl}/callbacks/wecom`);
    await account.getByRole('button', { name: /^检查凭证/ }).click();
    await account.getByText('凭证有效').waitFor();

    await page.locator('#account-add summary').click();
    await page.locator('#acc-kind').selectOption('official_account');
    await page.getByLabel(/^名称/).fill('品牌公众号');
    await page.getByLabel(/^AppID/).fill('wxbrand00000001');
    await page.getByLabel(/^AppSecret/).fill('brand-app-secret-xyz');
    await page.getByLabel(/^令牌 Token/).fill('brandtoken');
    await page.getByLabel(/^EncodingAESKey/).fill('too-short');
    await page.getByRole('button', { name: /^保存账号/ }).click();
    await page.locator('#account-problems').getByText(/encodingAESKey/).waitFor();
    expect(pageErrors.splice(0), 'only the refused key').to.deep.equal(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    await page.getByLabel(/^EncodingAESKey/).fill('');
    await page.getByRole('button', { name: /^保存账号/ }).click();
    const added = page.locator('#account-list li', { hasText: '品牌公众号' });
    await added.waitFor();
    expect(await added.textContent()).to.include('wxbrand00000001').and.not.include('brand-app-secret-xyz');
    expect(await page.content(), 'the secret left the page').to.not.include('brand-app-secret-xyz');

    await page.locator('#words').fill('最低价\n全网第一\n');
    await page.locator('#domains').fill('example.com\nbrand.cn');
    await page.getByRole('button', { name: /^保存规则/ }).click();
    await page.getByRole('status').getByText('规则已保存').waitFor();
    expect(await page.locator('#words-count').textContent()).to.equal('(2)');
    const res = await fetch(`${h.baseUrl}/api/content/settings`, { headers: { Authorization: `Bearer ${h.org.tokens.hq}` } });
    expect(await res.json()).to.deep.include({ sensitiveWords: ['最低价', '全网第一'], allowedLinkDomains: ['example.com', 'brand.cn'] });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: '/tmp/siyu-hq-settings-1280.png' });

    await page.setViewportSize({ width: 360, height: 740 });
    await page.reload();
    await page.locator('#content-card').waitFor();
    await noHorizontalScroll(page);
    await page.screenshot({ path: '/tmp/siyu-hq-settings-360.png' });
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(pageErrors).to.deep.equal([]);
  });
});
