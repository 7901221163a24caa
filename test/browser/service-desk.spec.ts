/**
 * 微信客服 end to end, in Chromium against the app, a test database and the WeCom simulator: a customer enters a
 * session and gets the greeting menu, asks a known question and is answered, asks something unknown and is handed
 * to the pool; an agent takes it on /service, replies twice (desk mode: WeCom keeps the session at 1), ends it;
 * the customer rates it. In wecom_client mode the desk is read only after the take. Screenshots:
 * docs/screenshots/service-1280.png and service-360.png (SIYU_SCREENSHOTS=1), /tmp/shots-kf/ always.
 */
import { mkdir } from 'node:fs/promises';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { deliverCallback } from '../../adapters/wecom/simulator/callback-driver.ts';
import { kfMsgOrEvent } from '../../adapters/wecom/simulator/callback-events.ts';
import { SIM_CORP_ID } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { GREETING, HANDOVER_TEXT, SURVEY_HEAD } from '../../server/kf/bot/kf-bot.ts';
import { CALLBACK_AES_KEY, CALLBACK_TOKEN, startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { openBrowser, requireChromium, type OpenBrowser } from '../support/chromium.ts';
import { useTestDatabase } from '../support/database.ts';

type Menu = { head_content: string; list: { click: { id: string; content: string } }[] };

describe('service desk /service end to end against the WeCom simulator', function () {
  this.timeout(60_000);
  before(function () {
    requireChromium(this);
  });

  const t = useTestDatabase('service_desk_browser');
  const KF = 'wkDESK0001';
  const USER = 'wmDeskLin';
  let h: ChannelHarness;
  let browser: OpenBrowser | undefined;
  let page: Page;
  let pageErrors: string[] = [];
  let at = 1_795_200_000;

  const pull = async (token: string) => {
    await deliverCallback({ url: `${h.baseUrl}/callbacks/wecom`, token: CALLBACK_TOKEN, encodingAESKey: CALLBACK_AES_KEY, corpId: SIM_CORP_ID, retryDelayMs: 0, xml: kfMsgOrEvent({ corpId: SIM_CORP_ID, token, openKfId: KF, createTime: at++ }) });
    await h.processor.drain();
  };
  const say = (content: string) => pull(h.sim.control.kfCustomerMessage({ open_kfid: KF, external_userid: USER, content, nickname: '林女士' }).token);
  const events = () => h.sim.state.kf.eventSends.filter((s) => s.body.touser === USER).map((s) => s.body);
  const sends = () => h.sim.state.kf.sent.filter((s) => s.body.touser === USER).map((s) => s.body);

  before(async () => {
    h = await startChannelHarness(t.db);
    h.sim.control.addKfServicer(KF, 'a2');
    h.sim.control.addKfServicer(KF, 'a1');
    h.sim.control.setKfCustomer({ external_userid: USER, nickname: '林女士' });
    for (const e of [
      { question: '鲜奶保质期多久？', similar: ['鲜奶能放几天', '牛奶开封后多久要喝完'], answer: { text: '冷藏保质期 7 天，开封后请 24 小时内喝完。' } },
      { question: '门店几点开门？', similar: ['营业时间是几点', '晚上几点关门'], answer: { text: '每天 7:00–22:00。' } },
      { question: '怎么开发票？', similar: ['电子发票怎么开'], answer: { text: '订单详情里申请开票。' } },
    ]) {
      await h.services.kf.createEntry(SIM_CORP_ID, e, 'test');
    }
    browser = await openBrowser({ width: 1280, height: 800 });
    await browser.context.addInitScript((token) => localStorage.setItem('siyu.service.token', token), h.org.tokens.staffA);
    ({ page, pageErrors } = browser);
    await mkdir('/tmp/shots-kf', { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('greets, answers, hands over; the agent takes, replies and ends on /service; the customer rates it', async () => {
    // The customer opens the chat: the greeting with the menu of top questions (welcome code).
    await pull(h.sim.control.kfEnterSession({ open_kfid: KF, external_userid: USER }).token);
    const greeting = events()[0]!.msgmenu as Menu;
    expect(greeting.head_content).to.equal(GREETING);
    expect(greeting.list.map((i) => i.click.content)).to.include('鲜奶保质期多久？');

    // A known question is answered by the bot.
    await say('鲜奶能放几天呀？');
    expect((sends().at(-1)!.text as { content: string }).content).to.equal('冷藏保质期 7 天，开封后请 24 小时内喝完。');

    // Something the knowledge base does not know goes to our pool; WeCom keeps the session with the API (desk mode).
    await say('我上周买的酸奶盒子漏了，包装是不是有问题');
    expect(h.sim.state.kf.conversations.get(USER)?.sessionState).to.equal(1);
    expect((sends().at(-1)!.text as { content: string }).content).to.equal(HANDOVER_TEXT);

    // The agent (staff a2) sees it waiting, takes it, replies, ends it.
    await page.goto(`${h.baseUrl}/service`);
    await page.locator('#app').waitFor();
    await page.locator('#pool button', { hasText: '林女士' }).click();
    await page.locator('#conv-meta', { hasText: '待接入' }).waitFor();
    expect(await page.locator('#messages li').allTextContents()).to.satisfy((texts: string[]) => texts.some((x) => x.includes('包装是不是有问题')));
    await page.locator('#take').click();
    await page.locator('#conv-meta', { hasText: '人工接待' }).waitFor();
    expect(h.sim.state.kf.conversations.get(USER)?.sessionState).to.equal(1);
    expect(await page.locator('#native-note').isHidden()).to.equal(true);
    await page.locator('#mine button', { hasText: '林女士' }).waitFor();

    await page.locator('#kb-q').fill('发票');
    await page.locator('#kb-form button').click();
    await page.locator('#kb li', { hasText: '怎么开发票？' }).waitFor();
    const reply = '非常抱歉！请把订单号发给我，我们给您补发一盒。';
    await page.locator('#reply-text').fill(reply);
    await page.locator('#reply-form button[type=submit]').click();
    await page.locator('#messages li.servicer', { hasText: reply }).waitFor();
    // A second reply arrives too: both are send_msg inside the window.
    const second = '订单号在「我的订单」里，复制发给我就行。';
    await page.locator('#reply-text').fill(second);
    await page.locator('#reply-form button[type=submit]').click();
    await page.locator('#messages li.servicer', { hasText: second }).waitFor();
    expect(sends().slice(-2).map((b) => (b.text as { content: string }).content)).to.deep.equal([reply, second]);
    expect(await page.locator('#error').isHidden()).to.equal(true);
    // 转工单: the follow-up the agent keeps (owner: the signed-in staff member).
    await page.locator('#ticket-title').fill('酸奶包装漏了，补发一盒');
    await page.locator('#ticket-due').fill('2030-01-02T10:00');
    await page.locator('#ticket-form button[type=submit]').click();
    await page.locator('#status', { hasText: '已转工单' }).waitFor();
    expect(await t.db.models.KfTicket.findOne({ corpId: SIM_CORP_ID }).lean()).to.include({ title: '酸奶包装漏了，补发一盒', ownerStaffId: h.org.staff.a2, state: 'assigned' });
    // A second follow-up goes to a colleague of the store, picked from the owners the desk offers.
    const owners = await page.locator('#ticket-owner option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(owners, 'me, then the store’s other active staff; nobody of store B').to.include(h.org.staff.a1).and.not.include(h.org.staff.b1).and.not.include(h.org.staff.a2);
    await page.locator('#ticket-title').fill('回访：确认补发已收到');
    await page.locator('#ticket-owner').selectOption(h.org.staff.a1);
    await page.locator('#ticket-due').fill('2030-01-03T10:00');
    await page.locator('#ticket-form button[type=submit]').click();
    // The status already says 已转工单 from the first one: the form clears its title once this one is created.
    await page.waitForFunction(() => (document.getElementById('ticket-title') as HTMLInputElement).value === '');
    expect(await t.db.models.KfTicket.findOne({ corpId: SIM_CORP_ID, title: '回访：确认补发已收到' }).lean()).to.include({ ownerStaffId: h.org.staff.a1 });
    await page.screenshot({ path: '/tmp/shots-kf/service-1280.png', fullPage: false });
    if (process.env.SIYU_SCREENSHOTS) await page.screenshot({ path: 'docs/screenshots/service-1280.png', fullPage: false });

    await page.locator('#end').click();
    await page.locator('#conv-meta', { hasText: '已结束' }).waitFor();
    const survey = events().at(-1)!.msgmenu as Menu;
    expect(survey.head_content).to.equal(SURVEY_HEAD);
    expect(survey.list.map((i) => i.click.content)).to.deep.equal(['很满意', '满意', '不满意']);

    // The customer rates it; the desk shows the rating.
    await pull(h.sim.control.kfMenuClick({ open_kfid: KF, external_userid: USER, menu_id: survey.list[0]!.click.id }).token);
    const [stored] = await t.db.models.KfSession.find({ corpId: SIM_CORP_ID, externalUserId: USER }).lean();
    expect(stored).to.include({ state: 4, rating: 3, servicerUserId: 'a2' });
    await page.reload();
    await page.locator('#app').waitFor();
    expect(pageErrors).to.deep.equal([]);

    // The phone width: no horizontal scroll.
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${h.baseUrl}/service`);
    await page.locator('#app').waitFor();
    await page.locator('#review li', { hasText: '包装是不是有问题' }).waitFor();
    // The numbers show today's session with its rating (3 / 3).
    await page.locator('#numbers tr', { hasText: '3.0 / 3' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(360);
    await page.screenshot({ path: '/tmp/shots-kf/service-360.png', fullPage: true });
    if (process.env.SIYU_SCREENSHOTS) await page.screenshot({ path: 'docs/screenshots/service-360.png', fullPage: true });
  });

  it('wecom_client mode: after the take the desk shows the conversation read only, with a note to reply in WeCom', async () => {
    const kf = h.services.kf;
    const before = await kf.getSettings(SIM_CORP_ID);
    await kf.putSettings(SIM_CORP_ID, { ...before, reception: 'wecom_client' });
    try {
      const user = 'wmDeskNative';
      h.sim.control.setKfCustomer({ external_userid: user, nickname: '周先生' });
      await pull(h.sim.control.kfCustomerMessage({ open_kfid: KF, external_userid: user, content: '你们招加盟商吗，怎么联系', nickname: '周先生' }).token);
      expect(h.sim.state.kf.conversations.get(user)?.sessionState).to.equal(2);
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto(`${h.baseUrl}/service`);
      await page.locator('#app').waitFor();
      await page.locator('#pool button', { hasText: '周先生' }).click();
      await page.locator('#native-note').waitFor();
      expect(await page.locator('#reply-form').isHidden()).to.equal(true);
      await page.locator('#take').click();
      await page.locator('#conv-meta', { hasText: '人工接待' }).waitFor();
      expect(h.sim.state.kf.conversations.get(user)).to.include({ sessionState: 3, servicerUserid: 'a2' });
      expect(await page.locator('#native-note').isVisible()).to.equal(true);
      expect(await page.locator('#reply-form').isHidden()).to.equal(true);
      await page.screenshot({ path: '/tmp/shots-kf/service-native-1280.png', fullPage: false });
      expect(pageErrors).to.deep.equal([]);
    } finally {
      await kf.putSettings(SIM_CORP_ID, before);
    }
  });

  it('the ticket raised on the desk above shows on the owner’s /m, and the owner moves it on', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.evaluate((token) => localStorage.setItem('siyu.m.token', token), h.org.tokens.staffA);
    await page.goto(`${h.baseUrl}/m`);
    const card = page.locator('#tickets-list li', { hasText: '酸奶包装漏了，补发一盒' });
    await card.waitFor();
    expect(await card.getAttribute('data-state')).to.equal('assigned');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(360);
    await page.screenshot({ path: '/tmp/shots-kf/m-tickets-360.png', fullPage: true });
    await card.locator('button').click();
    await page.locator('#tickets-list li[data-state=handled]').waitFor();
    expect((await t.db.models.KfTicket.findOne({ corpId: SIM_CORP_ID }).lean())?.state).to.equal('handled');
    expect(pageErrors).to.deep.equal([]);
  });

  it('numbers: today’s sessions of the story with the rating, both charts drawn; ending with a category stores it', async () => {
    await mkdir('/tmp/shots-kf-numbers', { recursive: true });
    // One more customer, handed over; the agent ends the session picking the question category.
    await h.services.kf.createEntry(SIM_CORP_ID, { question: '酸奶包装漏了怎么办？', answer: { text: '请联系客服补发。' }, category: '售后' }, 'test');
    const user = 'wmDeskChen';
    h.sim.control.setKfCustomer({ external_userid: user, nickname: '陈先生' });
    await pull(h.sim.control.kfCustomerMessage({ open_kfid: KF, external_userid: user, content: '会员卡能不能转给我妈妈用', nickname: '陈先生' }).token);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${h.baseUrl}/service`);
    await page.locator('#app').waitFor();
    await page.locator('#pool button', { hasText: '陈先生' }).click();
    await page.locator('#take').click();
    await page.locator('#conv-meta', { hasText: '人工接待' }).waitFor();
    await page.locator('#end-category').selectOption('售后');
    await page.locator('#end').click();
    await page.locator('#conv-meta', { hasText: '已结束' }).waitFor();
    expect(await t.db.models.KfSession.findOne({ corpId: SIM_CORP_ID, externalUserId: user }).lean()).to.include({ state: 4, category: '售后' });

    // Today's row counts every session of the story (in the corp's zone) with the one rating 很满意.
    const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
    const sessions = await t.db.models.KfSession.countDocuments({ corpId: SIM_CORP_ID });
    const row = page.locator('#numbers tr', { hasText: today });
    await row.locator('td', { hasText: '3.0 / 3（1 评）' }).waitFor();
    expect(await row.locator('td').nth(1).textContent()).to.equal(String(sessions));
    expect(await row.locator('td').nth(8).textContent(), 'ended just now: not judged for 48 h').to.equal('待定 Pending');
    await page.locator('#numbers-by').selectOption('agent');
    await page.locator('#numbers tr', { hasText: 'a2' }).locator('td', { hasText: '3.0 / 3（1 评）' }).waitFor();
    // Both charts are drawn on a canvas with something on it.
    for (const id of ['chart-sessions', 'chart-rates']) {
      const drawn = await page.evaluate((chartId) => {
        const canvas = document.querySelector(`#${chartId} canvas`) as HTMLCanvasElement | null;
        if (!canvas || !canvas.width) return false;
        const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        return px.some((v, i) => i % 4 === 3 && v > 0);
      }, id);
      expect(drawn, id).to.equal(true);
    }
    await page.locator('.numbers').scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/shots-kf-numbers/numbers-1280.png', fullPage: true });

    // 360 px: the charts fit, the table scrolls in its own box, the page does not scroll sideways.
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${h.baseUrl}/service`);
    await page.locator('#numbers td', { hasText: '3.0 / 3' }).waitFor();
    await page.locator('#chart-rates canvas').waitFor();
    const fit = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      chart: document.querySelector('#chart-rates canvas')!.getBoundingClientRect().right,
      table: (({ scrollWidth, clientWidth }) => ({ scrollWidth, clientWidth }))(document.querySelector('.numbers .scroll')!),
    }));
    expect(fit.page).to.be.at.most(360);
    expect(fit.chart).to.be.at.most(360);
    expect(fit.table.scrollWidth, 'the table scrolls inside its box').to.be.greaterThan(fit.table.clientWidth);
    await page.locator('.numbers').screenshot({ path: '/tmp/shots-kf-numbers/numbers-360.png' });
    await page.screenshot({ path: '/tmp/shots-kf-numbers/service-360-full.png', fullPage: true });
    expect(pageErrors).to.deep.equal([]);
  });

  it('opens read only from the console’s navigation with the console’s token, with a way back to the console', async () => {
    const other = await openBrowser({ width: 360, height: 740 });
    try {
      await other.context.addInitScript((token) => localStorage.setItem('siyu.hq.token', token), h.org.tokens.hq);
      await other.page.goto(`${h.baseUrl}/service`);
      await other.page.locator('#status', { hasText: '只读' }).waitFor();
      expect(await other.page.locator('#signed-out').isHidden(), 'no second sign-in').to.equal(true);
      expect(await other.page.locator('#to-console').getAttribute('href')).to.equal('/hq');
      expect(await other.page.locator('#to-console').isVisible()).to.equal(true);
      expect(await other.page.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(360);
      await other.page.screenshot({ path: '/tmp/shots-kf/service-console-360.png' });
      expect(other.pageErrors).to.deep.equal([]);
    } finally {
      await other.close();
    }
    // The staff desk of the story above has no such link: its own token signed it in.
    expect(await page.locator('#to-console').isHidden()).to.equal(true);
  });
});
