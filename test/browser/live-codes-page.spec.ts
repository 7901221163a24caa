/**
 * The live-codes page in a real browser (Debian's Chromium through playwright-core, 1280×900) against the app on a
 * port with the WeCom simulator as the WeCom account. HQ opens it from the /hq nav, creates a code, sees its QR,
 * a customer scans it (a signed callback, processed), and the numbers and the chart show the add. Then the public
 * nearest-store page routes a customer of 上海 to the store code of 上海一店.
 * Screenshots: /tmp/siyu-live-codes.png, /tmp/siyu-stores-nearest.png.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { deliverCallback } from '../../adapters/wecom/simulator/callback-driver.ts';
import { externalContactEvent } from '../../adapters/wecom/simulator/callback-events.ts';
import { SIM_CORP_ID } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { CALLBACK_AES_KEY, CALLBACK_TOKEN, startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { openBrowser, requireChromium, type OpenBrowser } from '../support/chromium.ts';
import { useTestDatabase } from '../support/database.ts';

describe('live codes page /hq/live-codes in Chromium', function () {
  this.timeout(40_000);
  before(function () {
    requireChromium(this);
  });

  const t = useTestDatabase('live_codes_page');
  let h: ChannelHarness;
  let browser: OpenBrowser | undefined;
  let page: Page;
  let pageErrors: string[] = [];

  before(async () => {
    h = await startChannelHarness(t.db);
    const scope = { corpId: SIM_CORP_ID, storeIds: null };
    await h.services.content.importPublished(scope, [{ templateId: 'tpl-welcome', name: '门店欢迎语', scene: 'welcome', tags: [], channels: ['wecom_1to1'], text: '{{contact.name|您好}}，欢迎来到{{store.name}}！', attachments: [] }], 'test');
    browser = await openBrowser({ width: 1280, height: 900 });
    ({ page, pageErrors } = browser);
  });

  after(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('opens from the /hq nav, creates a code, shows its QR, and counts a scan in the numbers and the chart', async () => {
    await page.goto(`${h.baseUrl}/hq#token=${h.org.tokens.hq}`);
    await page.getByRole('link', { name: /^渠道活码/ }).click();
    await page.waitForURL(`${h.baseUrl}/hq/live-codes`);
    await page.locator('#lc-staff option').first().waitFor({ state: 'attached' });

    await page.getByLabel(/^名称/).fill('地铁海报');
    await page.locator('#lc-staff').selectOption(h.org.staff.a2);
    await page.locator('#lc-welcome').selectOption('tpl-welcome');
    await page.getByRole('button', { name: /^创建活码/ }).click();
    await page.getByRole('status').getByText('已创建「地铁海报」').waitFor();
    const row = page.locator('#lc-table tbody tr', { hasText: '地铁海报' });
    await row.waitFor();
    expect(await row.textContent()).to.include('海报').and.include('导购乙').and.include('启用');

    await page.waitForFunction(() => {
      const img = document.getElementById('lc-qr') as HTMLImageElement | null;
      return !!img && img.src.startsWith('data:image/svg+xml') && img.complete && img.naturalWidth > 0;
    });
    // The facts follow the QR: they wait for the code's welcome ledger.
    await page.locator('#lc-facts dd').first().waitFor();
    const state = await page.locator('#lc-facts').textContent();
    const code = (await h.services.liveCodes.codes.list({ corpId: SIM_CORP_ID, storeIds: null })).find((c) => c.name === '地铁海报')!;
    expect(state).to.include(code.state).and.include('tpl-welcome v1');

    // A customer scans the poster: WeCom pushes the add with the code's state and a welcome code.
    const scan = h.sim.control.scanContactWay(code.configId, { name: '王女士' });
    const xml = externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: scan.userid, externalUserId: scan.external_userid, state: scan.state!, welcomeCode: scan.welcomeCode, createTime: Math.floor(Date.now() / 1000) });
    await deliverCallback({ url: `${h.baseUrl}/callbacks/wecom`, token: CALLBACK_TOKEN, encodingAESKey: CALLBACK_AES_KEY, corpId: SIM_CORP_ID, xml, retryDelayMs: 0 });
    await h.processor.drain();
    expect(h.sim.state.welcomeSends.map((s) => (s.body as { text: { content: string } }).text.content)).to.deep.equal(['王女士，欢迎来到上海一店！']);

    await row.click();
    await page.locator('#lc-facts', { hasText: '已发送 Sent 1' }).waitFor();
    await page.getByRole('button', { name: /^查看/ }).click();
    await page.locator('#stats-totals [data-count="adds"] dd', { hasText: '1' }).waitFor();
    expect(await page.locator('#stats-totals [data-count="net"] dd').textContent()).to.equal('1');
    expect(await page.locator('#stats-staff tbody').textContent()).to.include('导购乙');
    expect(await page.locator('#stats-chart canvas').count()).to.be.greaterThan(0);
    expect(await row.locator('td').nth(4).textContent()).to.equal('1');
    await page.screenshot({ path: '/tmp/siyu-live-codes.png', fullPage: true });
    expect(pageErrors, pageErrors.join('\n')).to.deep.equal([]);
  });

  it('routes a customer to the nearest store’s code on the public page', async () => {
    await page.getByRole('button', { name: /^为每个门店生成门店码/ }).click();
    await page.getByRole('status').getByText(/门店码：新建 2/).waitFor();
    const fresh = await browser!.context.newPage();
    fresh.on('pageerror', (e) => pageErrors.push(e.message));
    await fresh.goto(`${h.baseUrl}/stores/nearest?corpId=${SIM_CORP_ID}`);
    await fresh.locator('#city option[value="上海"]').waitFor({ state: 'attached' });
    await fresh.locator('#city').selectOption('上海');
    await fresh.getByRole('button', { name: /^查找/ }).click();
    await fresh.locator('#store-name', { hasText: '上海一店' }).waitFor();
    await fresh.waitForFunction(() => (document.getElementById('qr') as HTMLImageElement).naturalWidth > 0);
    await fresh.screenshot({ path: '/tmp/siyu-stores-nearest.png' });
    expect(pageErrors, pageErrors.join('\n')).to.deep.equal([]);
  });
});
