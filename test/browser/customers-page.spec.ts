/**
 * The customer list (/hq/customers) in Chromium against the app, a test database and the WeCom simulator: sign
 * in as HQ, filter by a tag and a store, bulk-tag the filter with a preview and a confirmation (mirrored to
 * WeCom); a store manager sees only their store; at 360 px the page does not scroll sideways.
 * Screenshots: /tmp/shots-customers/customers-1280.png and customers-360.png.
 */
import { expect } from 'chai';
import { mkdir } from 'node:fs/promises';
import { Types } from 'mongoose';
import { startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { openBrowser, requireChromium, type OpenBrowser } from '../support/chromium.ts';
import { useTestDatabase } from '../support/database.ts';

const SHOTS = '/tmp/shots-customers';

describe('customer list page /hq/customers in Chromium', function () {
  this.timeout(40_000);
  before(function () {
    requireChromium(this);
  });

  const t = useTestDatabase('customers_browser');
  let h: ChannelHarness;
  let tags: { vip: string; regular: string; coffee: string };
  const browsers: OpenBrowser[] = [];

  before(async () => {
    await mkdir(SHOTS, { recursive: true });
    h = await startChannelHarness(t.db);
    const s = h.services;
    const corpId = h.org.corpId;
    const scope = { corpId, storeIds: null };
    const level = h.sim.control.addTagGroup('客户等级', ['VIP', '普通']);
    await s.tags.mirror(corpId, [{ groupId: level.group_id, name: level.group_name, order: 0, tags: level.tag.map((x, i) => ({ tagId: x.id, name: x.name, order: i })) }]);
    const local = await s.tags.createGroup(corpId, { name: '兴趣', tags: [{ name: '咖啡' }, { name: '甜品' }] });
    tags = { vip: level.tag[0]!.id, regular: level.tag[1]!.id, coffee: local.tags[0]!.tagId };
    const a2 = await s.org.getStaff(scope, h.org.staff.a2);
    const b1 = await s.org.getStaff(scope, h.org.staff.b1);
    const people: Array<[string, string, typeof a2, string[], 'friend' | 'customer' | 'vip', string]> = [
      ['lin', '林小姐', a2, [tags.vip], 'customer', '13900001111'],
      ['li', '李雷', a2, [tags.vip, tags.coffee], 'vip', '13812345678'],
      ['han', '韩梅梅', a2, [], 'friend', '13700002222'],
      ['zhou', '周杰', a2, [tags.regular], 'customer', '13600003333'],
      ['wang', '王芳', b1, [tags.vip], 'vip', '13500004444'],
      ['zhao', '赵四', b1, [], 'friend', '13400005555'],
    ];
    for (const [i, [key, name, staff, tagIds, lifecycle, phone]] of people.entries()) {
      h.sim.control.addCustomer({ external_userid: `wm-${key}`, name, follow_user: [{ userid: staff.userId, tags: tagIds.filter((x) => !x.startsWith('siyu_')) }] });
      const r = await s.identities.upsert(corpId, { identities: [{ kind: 'wecom', externalUserId: `wm-${key}` }], phone, profile: { name, lifecycle } });
      await s.follows.upsert(corpId, { contactId: r.contact.id, staff, tagIds, addedAt: new Date() });
      await t.db.models.Contact.collection.updateOne({ _id: new Types.ObjectId(r.contact.id) }, { $set: { tagIds, createdAt: new Date(Date.UTC(2026, 10, 1 + i, 2)) } });
    }
  });

  after(async () => {
    for (const b of browsers) await b.close();
    await h?.stop();
  });

  async function open(token: string, viewport: { width: number; height: number }) {
    const b = await openBrowser(viewport);
    browsers.push(b);
    await b.context.addInitScript((tk) => localStorage.setItem('siyu.hq.token', tk), token);
    await b.page.goto(`${h.baseUrl}/hq/customers`);
    await b.page.locator('#total', { hasText: '共' }).waitFor();
    return b;
  }
  const names = async (b: OpenBrowser) => (await b.page.locator('#rows .cu-name').allTextContents()).sort();

  it('filters by a tag and a store, then bulk-tags the filter after a preview and a confirmation', async () => {
    const b = await open(h.org.tokens.hq, { width: 1280, height: 800 });
    const { page } = b;
    expect(await page.title()).to.equal('客户 · 私域');
    expect(await page.locator('#total').textContent()).to.match(/^共 6 位/);
    expect(await page.locator('#rows a.cu-name').first().getAttribute('href')).to.match(/^\/hq\/customers\/[0-9a-f]{24}$/);

    await page.locator('#tag-picker button', { hasText: 'VIP' }).click();
    expect(await page.locator('#tag-picker button', { hasText: 'VIP' }).getAttribute('class')).to.equal('tg all');
    await page.locator('#storeId').selectOption({ label: '上海一店' });
    await page.getByRole('button', { name: /^查询/ }).click();
    await page.locator('#total', { hasText: '共 2 位' }).waitFor();
    expect(await names(b)).to.deep.equal(['李雷', '林小姐']);
    expect(page.url()).to.contain(`tagsAll=${tags.vip}`).and.contain(`storeId=${h.org.stores.a}`);

    await page.getByRole('button', { name: /^批量打标签/ }).click();
    const dialog = page.locator('#bulk-dialog');
    await dialog.getByLabel('普通').check();
    expect(await dialog.locator('#bulk-confirm').isDisabled(), 'confirm waits for a preview').to.equal(true);
    await dialog.getByRole('button', { name: /^预览人数/ }).click();
    await dialog.locator('#bulk-preview', { hasText: '将为 2 位客户添加标签：普通' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/customers-bulk-1280.png` });
    await dialog.getByRole('button', { name: /^确认执行/ }).click();
    await dialog.locator('#bulk-preview', { hasText: '已完成：2 位客户' }).waitFor();
    expect(await dialog.locator('#bulk-preview').textContent()).to.contain('企业微信同步 2 位');
    await dialog.getByRole('button', { name: /^关闭/ }).click();
    await page.locator('#rows .badge', { hasText: '普通' }).first().waitFor();
    const lin = await t.db.models.Contact.findOne({ name: '林小姐' }).lean();
    expect(lin!.tagIds).to.have.members([tags.vip, tags.regular]);
    expect(h.sim.state.follower('a2', 'wm-lin')!.tag_ids).to.include(tags.regular);
    const wang = await t.db.models.Contact.findOne({ name: '王芳' }).lean();
    expect(wang!.tagIds, 'store B untouched').to.deep.equal([tags.vip]);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /^导出 CSV/ }).click()]);
    expect(download.suggestedFilename()).to.match(/^客户-\d{4}-\d{2}-\d{2}\.csv$/);

    await page.getByRole('button', { name: /^重置/ }).click();
    await page.locator('#total', { hasText: '共 6 位' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/customers-1280.png` });
    expect(b.pageErrors).to.deep.equal([]);
  });

  it('saves a filter as a 人群包 and applies it again', async () => {
    const b = await open(h.org.tokens.marketer, { width: 1280, height: 800 });
    const { page } = b;
    await page.locator('#tag-picker button', { hasText: 'VIP' }).click();
    await page.locator('#tag-picker button', { hasText: 'VIP' }).click();
    await page.locator('#tag-picker button', { hasText: '咖啡' }).click();
    await page.locator('#tag-picker button', { hasText: '咖啡' }).click();
    await page.locator('#tag-picker button', { hasText: '咖啡' }).click();
    expect(await page.locator('#tag-picker button', { hasText: '咖啡' }).getAttribute('class')).to.equal('tg none');
    await page.locator('#segment-name').fill('VIP 不喝咖啡');
    await page.getByRole('button', { name: /^保存为人群包/ }).click();
    await page.locator('#status', { hasText: '已保存人群包「VIP 不喝咖啡」' }).waitFor();
    await page.getByRole('button', { name: /^重置/ }).click();
    await page.locator('#total', { hasText: '共 6 位' }).waitFor();
    await page.locator('#segment').selectOption({ label: 'VIP 不喝咖啡' });
    await page.locator('#segment-apply').click();
    await page.locator('#total', { hasText: '共 2 位' }).waitFor();
    expect(await names(b)).to.deep.equal(['林小姐', '王芳']);
    expect(b.pageErrors).to.deep.equal([]);
  });

  it('shows a store manager only their store, and fits 360 px without sideways scrolling', async () => {
    const b = await open(h.org.tokens.managerA, { width: 360, height: 740 });
    const { page } = b;
    expect(await page.locator('#total').textContent()).to.match(/^共 4 位/);
    expect(await names(b)).to.deep.equal(['周杰', '李雷', '林小姐', '韩梅梅']);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(360);
    expect(await page.locator('#q').isVisible(), 'filters folded on a phone').to.equal(false);
    await page.screenshot({ path: `${SHOTS}/customers-360.png` });
    await page.getByRole('button', { name: /^展开筛选/ }).click();
    await page.locator('#q').fill('没有这个人');
    await page.getByRole('button', { name: /^查询/ }).click();
    await page.locator('#empty', { hasText: '没有符合条件的客户' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(360);
    expect(b.pageErrors).to.deep.equal([]);
  });
});
