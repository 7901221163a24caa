/**
 * The staff phone page in a real browser: Debian's Chromium (/usr/bin/chromium, installed by .ci/run) driven by
 * playwright-core at a 360×740 viewport, against the app listening on a port with a test database and the WeCom
 * simulator. Screenshots: /tmp/siyu-m.png (tasks open, text copied), siyu-m-skip.png (the skip dialog),
 * siyu-m-done.png (both closed) and siyu-m-401.png (a used link).
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { useTestDatabase } from '../support/database.ts';
import { formatLocalDate } from '../../server/tasks/staff-task.route.ts';
import { openBrowser, requireChromium, type OpenBrowser } from '../support/chromium.ts';

const MASS_TEXT = '【会员日】亲爱的会员，本周六全场 8 折，到店还有小礼物🎁\n回复“1”预约到店时间。';

describe('staff phone page /m in Chromium', function () {
  this.timeout(30_000);
  before(function () {
    requireChromium(this);
  });

  const t = useTestDatabase('staff_mobile');
  let h: ChannelHarness;
  let browser: OpenBrowser | undefined;
  let page: Page;
  const taskIds: { mass: string; call: string } = { mass: '', call: '' };
  /** Script errors, failed loads and CSP violations the page reports. */
  let pageErrors: string[] = [];

  before(async () => {
    h = await startChannelHarness(t.db);
    const { services: s, org } = h;
    const staff = await s.org.getStaff({ corpId: org.corpId, storeIds: null }, org.staff.a2);
    const contactIds: string[] = [];
    for (const [i, name] of ['林小姐', '陈先生', '张阿姨'].entries()) {
      const c = await s.identities.upsert(org.corpId, { identities: [{ kind: 'wecom', externalUserId: `wm-mobile-${i}` }], profile: { name }, phone: `1390000000${i}` });
      await s.follows.upsert(org.corpId, { contactId: c.contact.id, staff, addedAt: new Date() });
      contactIds.push(c.contact.id);
    }
    const localDate = formatLocalDate(s.clock.now(), 'Asia/Shanghai');
    const base = { corpId: org.corpId, storeId: org.stores.a, staffId: org.staff.a2, localDate };
    const mass = await s.tasks.createOnce({
      ...base,
      key: 'browser:mass',
      kind: 'mass_send_confirm',
      title: '确认会员日群发',
      text: MASS_TEXT,
      contactIds,
      dueAt: new Date(s.clock.now().getTime() + 3600_000),
    });
    const call = await s.tasks.createOnce({ ...base, key: 'browser:call', kind: 'call', title: '回访新客林小姐', contactIds: [contactIds[0]!], dueAt: new Date(s.clock.now().getTime() + 7200_000) });
    taskIds.mass = mass.id;
    taskIds.call = call.id;

    browser = await openBrowser({ width: 360, height: 740 }, { deviceScaleFactor: 2, isMobile: true, hasTouch: true, permissions: ['clipboard-read', 'clipboard-write'] });
    ({ page, pageErrors } = browser);
  });

  after(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('signs in through a one-time link, shows both tasks, copies the text, completes one and skips the other', async () => {
    const link = await fetch(`${h.baseUrl}/api/staff/${h.org.staff.a2}/login-links`, { method: 'POST', headers: { Authorization: `Bearer ${h.org.tokens.managerA}` } });
    expect(link.status).to.equal(201);
    const { url } = (await link.json()) as { url: string };

    await page.goto(`${h.baseUrl}${url}`);
    const open = page.locator('#open-list > li');
    await open.nth(1).waitFor();
    expect(await open.count()).to.equal(2);
    expect(page.url(), 'the token leaves the address bar').to.equal(`${h.baseUrl}/m`);
    expect(await page.evaluate(() => localStorage.getItem('siyu.m.token'))).to.match(/^siyu_/);
    expect(await page.locator('#who-name').textContent()).to.equal('导购乙');
    expect(await page.locator('#who-store').textContent()).to.equal('上海一店');

    const mass = page.locator('#open-list li.kind-mass_send_confirm');
    expect(await mass.locator('.text').textContent()).to.equal(MASS_TEXT);
    expect(await mass.locator('.contacts').textContent()).to.equal('3 位客户：林小姐、陈先生、张阿姨');
    await mass.getByRole('button', { name: /^复制/ }).click();
    await mass.getByRole('button', { name: /^已复制/ }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).to.equal(MASS_TEXT);
    const call = page.locator('#open-list li.kind-call');
    expect(await call.locator('.people').textContent()).to.include('林小姐').and.include('139****0000');

    const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(width.scroll, 'no horizontal scroll at 360 px').to.be.at.most(width.client);
    expect(width.client).to.equal(360);
    await page.screenshot({ path: '/tmp/siyu-m.png', fullPage: true });

    await mass.getByRole('button', { name: /^完成/ }).click();
    await page.locator('#done-list li.kind-mass_send_confirm').waitFor({ state: 'attached' });

    await call.getByRole('button', { name: /^跳过/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: /^确认跳过/ }).click();
    await dialog.getByText('请选择跳过原因').waitFor();
    await dialog.getByLabel(/联系不上客户/).check();
    await dialog.getByLabel(/补充说明/).fill('电话无人接听');
    await page.screenshot({ path: '/tmp/siyu-m-skip.png' });
    await dialog.getByRole('button', { name: /^确认跳过/ }).click();
    await page.locator('#skipped-list li.kind-call').waitFor({ state: 'attached' });
    expect(await page.locator('#open-list > li').count()).to.equal(0);
    expect(await page.locator('#empty').isVisible()).to.equal(true);
    expect(await page.locator('#skipped-list li.kind-call .result').textContent()).to.include('联系不上客户：电话无人接听');

    const rows = await t.db.models.StaffTask.find({ corpId: h.org.corpId }).lean();
    const byId = new Map(rows.map((r) => [String(r._id), r]));
    expect(byId.get(taskIds.mass)).to.include({ status: 'done', skipReason: null });
    expect(byId.get(taskIds.mass)?.doneAt).to.be.instanceOf(Date);
    expect(byId.get(taskIds.call)).to.include({ status: 'skipped', skipReason: '联系不上客户：电话无人接听' });
    await page.screenshot({ path: '/tmp/siyu-m-done.png', fullPage: true });
    expect(pageErrors, 'no script errors, failed loads or CSP violations').to.deep.equal([]);
  });

  it('shows the sign-in notice in zh-CN after signing out, and a 401 page for a used link', async () => {
    await page.getByRole('button', { name: /^退出/ }).click();
    await page.locator('#signed-out').waitFor();
    expect(await page.locator('#signed-out h2').textContent()).to.include('请先登录');
    const res = await page.goto(`${h.baseUrl}/m/login?t=used-or-unknown`);
    expect(res?.status()).to.equal(401);
    expect(await page.locator('h1').textContent()).to.equal('登录链接无效或已过期');
    await page.screenshot({ path: '/tmp/siyu-m-401.png' });
  });
});
