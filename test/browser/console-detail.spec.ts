/**
 * The console's customer detail (/hq/customers/:id), tag page (/hq/tags) and group pages (/hq/groups,
 * /hq/groups/:id) in Chromium against the app, a test database and the WeCom simulator: sign in as HQ, open a
 * customer and add a tag, merge two tags (after the dry-run count), see a refused rename, open a group; a store
 * manager of another store gets the 404 state.
 * Screenshots at 1280×800 and 360×740 go to /tmp/shots-detail/ (docs/screenshots/ holds the committed ones).
 */
import { mkdir } from 'node:fs/promises';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { openBrowser, requireChromium, type OpenBrowser } from '../support/chromium.ts';
import { useTestDatabase } from '../support/database.ts';
import { SIDEBAR_CUSTOMER, seedSidebarCustomer, type SidebarSeed } from '../support/sidebar-seed.ts';

const SHOTS = '/tmp/shots-detail';

describe('console customer, tag and group pages in Chromium', function () {
  this.timeout(60_000);
  before(function () {
    requireChromium(this);
  });

  const t = useTestDatabase('console_detail_browser');
  let h: ChannelHarness;
  let seed: SidebarSeed;
  let desktop: OpenBrowser | undefined;
  let phone: OpenBrowser | undefined;
  let page: Page;

  before(async () => {
    await mkdir(SHOTS, { recursive: true });
    h = await startChannelHarness(t.db);
    seed = await seedSidebarCustomer(h);
    const corpId = h.org.corpId;
    const day = (d: number) => new Date(Date.now() - d * 86_400_000);
    await h.services.groups.syncMembers(corpId, { chatId: 'wr-sh-coffee', name: '上海咖啡爱好者群', ownerUserId: 'a2', storeId: h.org.stores.a, notice: '每周六上午新品试饮', members: [
      { memberType: 'staff', userId: 'a2', joinTime: day(28) },
      { memberType: 'external', userId: SIDEBAR_CUSTOMER, contactId: seed.contactId, joinTime: day(20), joinScene: 3 },
      { memberType: 'external', userId: 'wm-zhou', joinTime: day(12), joinScene: 1 },
      { memberType: 'external', userId: 'wm-quit', joinTime: day(15), joinScene: 2 },
    ] }, day(15));
    await h.services.groups.syncMembers(corpId, { chatId: 'wr-sh-coffee', name: '上海咖啡爱好者群', ownerUserId: 'a2', storeId: h.org.stores.a, notice: '每周六上午新品试饮', members: [
      { memberType: 'staff', userId: 'a2', joinTime: day(28) },
      { memberType: 'external', userId: SIDEBAR_CUSTOMER, contactId: seed.contactId, joinTime: day(20), joinScene: 3 },
      { memberType: 'external', userId: 'wm-zhou', joinTime: day(12), joinScene: 1 },
    ] }, day(5));
    await h.services.groups.syncMembers(corpId, { chatId: 'wr-bj-tea', name: '北京茶友群', ownerUserId: 'b1', storeId: h.org.stores.b, notice: '', members: [{ memberType: 'staff', userId: 'b1', joinTime: day(3) }] }, day(3));
    desktop = await openBrowser({ width: 1280, height: 800 });
    await desktop.context.addInitScript((token) => localStorage.setItem('siyu.hq.token', token), h.org.tokens.hq);
    page = desktop.page;
  });

  after(async () => {
    await desktop?.close();
    await phone?.close();
    await h?.stop();
  });

  it('opens a customer and adds a tag', async () => {
    await page.goto(`${h.baseUrl}/hq/customers/${seed.contactId}`);
    await page.locator('#c-name', { hasText: '林小姐' }).waitFor();
    expect(await page.title()).to.equal('林小姐 · 客户详情 · 私域');
    expect(await page.locator('#identities td').allTextContents()).to.include.members(['导购乙', '林姐', 'lc-poster']);
    expect(await page.locator('#tag-list .chip').count()).to.equal(1);
    await page.locator('#tag-pick').selectOption(seed.tags.local);
    await page.locator('#tag-add').click();
    await page.locator('#tag-list .chip', { hasText: '咖啡' }).waitFor();
    expect((await t.db.models.Contact.findById(seed.contactId).lean())!.tagIds).to.include(seed.tags.local);
    await page.locator('#timeline-list li', { hasText: '标签变更' }).first().waitFor();
    expect(await page.locator('#timeline-list li.touch', { hasText: '新客七日关怀' }).count(), 'SOP touches are on the timeline').to.equal(2);
    await page.screenshot({ path: `${SHOTS}/customer-1280.png`, fullPage: true });
    expect(desktop!.pageErrors).to.deep.equal([]);
  });

  it('merges two tags on /hq/tags', async () => {
    await page.goto(`${h.baseUrl}/hq/tags`);
    await page.locator('.tag-name', { hasText: 'VIP' }).waitFor();
    expect(await page.title()).to.equal('标签管理 · 私域');
    await page.locator(`button.merge[data-tag="${seed.tags.vip}"]`).click();
    await page.locator('#merge-into').selectOption(seed.tags.regular);
    // The dialog shows the server's dry-run count and only then lets the merge be confirmed.
    await page.locator('#merge-preview', { hasText: '将影响 1 位客户、1 条好友关系' }).waitFor();
    expect((await t.db.models.Contact.findById(seed.contactId).lean())!.tagIds, 'the preview changes nothing').to.include(seed.tags.vip);
    await page.screenshot({ path: `${SHOTS}/tags-merge-1280.png` });
    await page.locator('#merge-confirm').click();
    await page.locator('#status', { hasText: '已合并' }).waitFor();
    await page.locator('.tag-name', { hasText: 'VIP' }).first().waitFor({ state: 'detached' });
    expect((await t.db.models.Contact.findById(seed.contactId).lean())!.tagIds).to.include(seed.tags.regular).and.not.include(seed.tags.vip);
    await page.screenshot({ path: `${SHOTS}/tags-1280.png`, fullPage: true });
    expect(desktop!.pageErrors).to.deep.equal([]);
  });

  it('shows a WeCom refusal of a merge in zh-CN and keeps the tag', async () => {
    h.sim.control.injectErrors('externalcontact/mark_tag', 84061);
    await page.locator(`button.merge[data-tag="${seed.tags.regular}"]`).click();
    const other = await page.locator('#merge-into option').first().getAttribute('value');
    await page.locator('#merge-into').selectOption(other!);
    await page.locator('#merge-confirm:not([disabled])').click();
    await page.locator('#error', { hasText: '企业微信拒绝了合并标签' }).waitFor();
    expect(await page.locator('.tag-name', { hasText: '普通' }).count()).to.equal(1);
    // The refused request is the one error the browser logs; nothing else may have failed.
    expect(desktop!.pageErrors).to.deep.equal(['Failed to load resource: the server responded with a status of 502 (Bad Gateway)']);
    desktop!.pageErrors.length = 0;
  });

  it('shows WeCom’s refusal of a rename in zh-CN and keeps the old name, here and at WeCom', async () => {
    h.sim.control.injectErrors('externalcontact/edit_corp_tag', 40071);
    page.once('dialog', (d) => void d.accept('银卡'));
    await page.locator('tr', { has: page.locator('.tag-name', { hasText: '普通' }) }).getByRole('button', { name: /^重命名/ }).click();
    await page.locator('#error', { hasText: '企业微信拒绝了修改标签' }).waitFor();
    expect(await page.locator('#error').textContent()).to.include('标签名已存在');
    expect(await page.locator('.tag-name', { hasText: '普通' }).count()).to.equal(1);
    expect((await t.db.models.Tag.findOne({ tagId: seed.tags.regular }).lean())!.name).to.equal('普通');
    expect(h.sim.state.findTag(seed.tags.regular)!.tag.name).to.equal('普通');
    expect(desktop!.pageErrors).to.deep.equal(['Failed to load resource: the server responded with a status of 502 (Bad Gateway)']);
    desktop!.pageErrors.length = 0;

    page.once('dialog', (d) => void d.accept('银卡'));
    await page.locator('tr', { has: page.locator('.tag-name', { hasText: '普通' }) }).getByRole('button', { name: /^重命名/ }).click();
    await page.locator('.tag-name', { hasText: '银卡' }).waitFor();
    expect(h.sim.state.findTag(seed.tags.regular)!.tag.name, 'renamed at WeCom').to.equal('银卡');
  });

  it('lists groups, filters by name and opens one', async () => {
    await page.goto(`${h.baseUrl}/hq/groups`);
    await page.locator('#list a', { hasText: '北京茶友群' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/groups-list-1280.png`, fullPage: true });
    await page.locator('#f-q').fill('咖啡');
    await page.getByRole('button', { name: /^筛选/ }).click();
    await page.locator('#list a', { hasText: '北京茶友群' }).waitFor({ state: 'detached' });
    await page.locator('#list a', { hasText: '上海咖啡爱好者群' }).click();
    await page.locator('#g-name', { hasText: '上海咖啡爱好者群' }).waitFor();
    expect(await page.locator('#members tbody tr').count()).to.equal(3);
    expect(await page.locator('#quits tbody tr').count()).to.equal(1);
    await page.locator('#trend-chart svg').waitFor();
    await page.screenshot({ path: `${SHOTS}/groups-1280.png`, fullPage: true });
    expect(desktop!.pageErrors).to.deep.equal([]);
  });

  it('fits a phone: no sideways scrolling at 360 px, and another store’s customer shows the not-found state', async () => {
    phone = await openBrowser({ width: 360, height: 740 }, { isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await phone.context.addInitScript((token) => localStorage.setItem('siyu.hq.token', token), h.org.tokens.hq);
    const p = phone.page;
    const noSideways = async () => expect(await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).to.equal(0);
    await p.goto(`${h.baseUrl}/hq/customers/${seed.contactId}`);
    await p.locator('#c-name').waitFor();
    await noSideways();
    await p.screenshot({ path: `${SHOTS}/customer-360.png`, fullPage: true });
    await p.goto(`${h.baseUrl}/hq/tags`);
    await p.locator('.tag-name').first().waitFor();
    await noSideways();
    await p.screenshot({ path: `${SHOTS}/tags-360.png`, fullPage: true });
    await p.goto(`${h.baseUrl}/hq/groups/wr-sh-coffee`);
    await p.locator('#trend-chart svg').waitFor();
    await noSideways();
    await p.screenshot({ path: `${SHOTS}/groups-360.png`, fullPage: true });
    await p.goto(`${h.baseUrl}/hq/groups`);
    await p.locator('#list a').first().waitFor();
    await noSideways();
    await p.screenshot({ path: `${SHOTS}/groups-list-360.png`, fullPage: true });

    const b = await h.services.tokens.issue({ corpId: h.org.corpId, role: 'store_manager', name: 'b-manager', staffId: h.org.staff.b1 });
    await p.evaluate((token) => localStorage.setItem('siyu.hq.token', token), b.token);
    await p.context().clearCookies();
    await phone.context.addInitScript((token) => localStorage.setItem('siyu.hq.token', token), b.token);
    await p.goto(`${h.baseUrl}/hq/customers/${seed.contactId}`);
    await p.locator('#missing', { hasText: '找不到该客户' }).waitFor();
  });
});
