/**
 * The WeCom chat sidebar (/sidebar) in Chromium at phone width, against the app, a test database and the WeCom
 * simulator, with the JS-SDK replaced by test/support/wecom-jssdk-stub.js (served in place of the vendor file).
 * Screenshot: /tmp/siyu-sidebar.png.
 */
import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { jsapiSignature } from '../../adapters/wecom/client/jsapi-signature.ts';
import { jsapiTicketsOf } from '../../adapters/wecom/simulator/jsapi.route.ts';
import { SIM_CORP_ID, SIM_SECRET } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { SIDEBAR_CUSTOMER, seedSidebarCustomer, type SidebarSeed } from '../support/sidebar-seed.ts';
import { startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { openBrowser, requireChromium, type OpenBrowser } from '../support/chromium.ts';
import { useTestDatabase } from '../support/database.ts';

type Stub = { sent: unknown[]; registered: { corpId: string; jsApiList: string[] }; signatures: { url: string; agentConfig: { timestamp: number; nonceStr: string; signature: string } } };

describe('chat sidebar /sidebar in Chromium (JS-SDK stub)', function () {
  this.timeout(30_000);
  before(function () {
    requireChromium(this);
  });

  const t = useTestDatabase('sidebar_browser');
  let h: ChannelHarness;
  let seed: SidebarSeed;
  let browser: OpenBrowser | undefined;
  let page: Page;
  let pageErrors: string[] = [];
  const apiCalls: string[] = [];

  before(async () => {
    h = await startChannelHarness(t.db);
    seed = await seedSidebarCustomer(h);
    const stub = await readFile(new URL('../support/wecom-jssdk-stub.js', import.meta.url), 'utf8');
    browser = await openBrowser({ width: 360, height: 740 }, { deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    await browser.context.route('**/vendor/wecom-jssdk.js', (route) => route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: stub }));
    await browser.context.addInitScript((externalUserId) => Object.assign(window, { __wwStub: { externalUserId } }), SIDEBAR_CUSTOMER);
    ({ page, pageErrors } = browser);
    page.on('request', (r) => void (r.url().includes('/api/') && apiCalls.push(new URL(r.url()).pathname)));
  });

  after(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('renders the customer of the chat with one profile request, adds a tag and sends a quick reply', async () => {
    const { token } = await h.services.tokens.issue({ corpId: h.org.corpId, role: 'staff', name: 'sidebar', staffId: h.org.staff.a2 });
    await page.goto(`${h.baseUrl}/sidebar#token=${encodeURIComponent(token)}`);
    await page.locator('#profile').waitFor();
    expect(apiCalls).to.deep.equal(['/api/sidebar/signature', '/api/sidebar/contact']);
    // A reload asks for the same two things again (the page keeps nothing but the token).
    apiCalls.length = 0;
    await page.reload();
    await page.locator('#profile').waitFor();
    const readyMs = Number(await page.evaluate(() => document.body.dataset.readyMs));
    // How fast is measured by `npm run bench -- sidebar`, not here: a timed assertion in a test only measures the machine.
    expect(readyMs, 'the page marks when the profile is on screen').to.be.greaterThan(0);
    expect(apiCalls).to.deep.equal(['/api/sidebar/signature', '/api/sidebar/contact']);
    expect(page.url(), 'the token leaves the address bar').to.equal(`${h.baseUrl}/sidebar`);

    const stub = (await page.evaluate(() => (window as unknown as { __wwStub: unknown }).__wwStub)) as Stub;
    expect(stub.registered.corpId).to.equal(SIM_CORP_ID);
    expect(stub.registered.jsApiList).to.include.members(['getCurExternalContact', 'sendChatMessage']);
    const agentTicket = jsapiTicketsOf(h.sim.state).current('agent', `${SIM_CORP_ID}/${SIM_SECRET}`)!;
    const { agentConfig, url } = stub.signatures;
    expect(url).to.equal(`${h.baseUrl}/sidebar`);
    expect(agentConfig.signature, 'registered with the server-computed agentConfig signature').to.equal(jsapiSignature({ ticket: agentTicket, nonceStr: agentConfig.nonceStr, timestamp: agentConfig.timestamp, url }));

    expect(await page.locator('#name').textContent()).to.equal('林小姐');
    expect(await page.locator('#summary').textContent()).to.equal('上海一店 · 139****1111 · 林姐');
    expect(await page.locator('#lifecycle').textContent()).to.equal('客户 Customer');
    expect(await page.locator('#tags .chip').allTextContents()).to.deep.equal(['VIP×']);
    expect(await page.locator('#sops li').allTextContents()).to.have.length(1);
    expect(await page.locator('#experiments li').allTextContents()).to.have.members(['exp-welcome：b', 'exp-moments：对照留存 holdout']);
    expect(await page.locator('#notes li').count()).to.equal(1);

    await page.locator('#tag-picker summary').click();
    await page.locator(`#tag-library button[data-tag-id="${seed.tags.regular}"]`).click();
    await page.locator('#tags .chip', { hasText: '普通' }).waitFor();
    expect(await page.locator('#status').textContent()).to.equal('标签已更新 Tags updated');
    expect(h.sim.state.follower('a2', SIDEBAR_CUSTOMER)!.tag_ids).to.have.members([seed.tags.vip, seed.tags.regular]);

    await page.locator('#reply-search').fill('回访');
    const replies = page.locator('#replies li');
    expect(await replies.count()).to.equal(1);
    expect(await replies.locator('.text').textContent()).to.equal('林小姐，上次购买的商品用得还好吗？');
    await replies.getByRole('button', { name: /^发送/ }).click();
    await page.locator('#status', { hasText: '已发送「售后回访」' }).waitFor();
    const sent = ((await page.evaluate(() => (window as unknown as { __wwStub: Stub }).__wwStub.sent)) as Stub['sent']);
    expect(sent).to.deep.equal([{ msgtype: 'text', text: { content: '林小姐，上次购买的商品用得还好吗？' } }]);

    // The same search box reads the 微信客服 knowledge base: an answer goes into the chat like a quick reply.
    await h.services.kf.createEntry(h.org.corpId, { question: '怎么开发票？', similar: ['发票怎么开'], answer: { text: '订单详情页点「申请开票」即可。' }, category: '售后' }, 'test');
    await page.locator('#reply-search').fill('发票');
    const answer = page.locator('#kb-answers li', { hasText: '怎么开发票？' });
    await answer.waitFor();
    expect(await page.locator('#kb-heading').isVisible()).to.equal(true);
    await answer.getByRole('button', { name: /^发送/ }).click();
    await page.locator('#status', { hasText: '已发送「怎么开发票？」' }).waitFor();
    const sentNow = ((await page.evaluate(() => (window as unknown as { __wwStub: Stub }).__wwStub.sent)) as Stub['sent']);
    expect(sentNow.at(-1)).to.deep.equal({ msgtype: 'text', text: { content: '订单详情页点「申请开票」即可。' } });
    await page.locator('#reply-search').fill('');
    await page.locator('#kb-answers li').first().waitFor({ state: 'detached' });

    await page.locator('#note-text').fill('周六来店试新品');
    await page.getByRole('button', { name: /^保存/ }).click();
    await page.locator('#notes li', { hasText: '周六来店试新品' }).waitFor();

    await page.screenshot({ path: '/tmp/siyu-sidebar.png', fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, 'no horizontal scroll at 360 px').to.equal(0);
    expect(pageErrors).to.deep.equal([]);
  });

  it('asks for a 1:1 chat when opened from a group chat toolbar', async () => {
    await browser!.context.addInitScript(() => Object.assign((window as unknown as { __wwStub: object }).__wwStub, { entry: 'group_chat_tools' }));
    await page.goto(`${h.baseUrl}/sidebar`);
    await page.locator('#error', { hasText: '请在与客户的单聊中打开工具栏' }).waitFor();
    expect(await page.locator('#profile').isHidden()).to.equal(true);
  });
});
