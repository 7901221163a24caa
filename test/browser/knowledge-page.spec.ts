/**
 * The knowledge-base page (/hq/knowledge) in Chromium against the app, a test database and the WeCom simulator:
 * HQ creates an entry with two A/B variants (the server's refusal of one variant shown in the form first), sees it
 * listed, edits it into version 2 and reads version 1, tries a match, bulk-disables, imports a CSV with a bad row,
 * exports, deletes, saves the service settings; a store manager has no nav entry and is refused the page; at 360 px
 * nothing scrolls sideways; the list pages by 20. Screenshots: /tmp/shots-kb-page/ always, docs/screenshots/knowledge-1280.png and
 * knowledge-360.png with SIYU_SCREENSHOTS=1.
 */
import { mkdir } from 'node:fs/promises';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { openBrowser, requireChromium, type OpenBrowser } from '../support/chromium.ts';
import { useTestDatabase } from '../support/database.ts';

const SHOTS = '/tmp/shots-kb-page';
const A = '订单详情里点「申请退货」，7 天内可退。';
const B = '7 天无理由退货：快递员上门取件，运费我们出。';

describe('knowledge-base page /hq/knowledge in Chromium', function () {
  this.timeout(60_000);
  before(function () {
    requireChromium(this);
  });

  const t = useTestDatabase('knowledge_page_browser');
  let h: ChannelHarness;
  const browsers: OpenBrowser[] = [];

  before(async () => {
    await mkdir(SHOTS, { recursive: true });
    h = await startChannelHarness(t.db);
  });

  after(async () => {
    for (const b of browsers) await b.close();
    await h?.stop();
  });

  async function open(token: string, viewport: { width: number; height: number }, path = '/hq/knowledge') {
    const b = await openBrowser(viewport);
    browsers.push(b);
    await b.context.addInitScript((tk) => localStorage.setItem('siyu.hq.token', tk), token);
    await b.page.goto(`${h.baseUrl}${path}`);
    return b;
  }
  const entry = (question: string) => t.db.models.KnowledgeEntry.findOne({ corpId: h.org.corpId, question, deletedAt: null }).lean();
  const rowOf = (page: Page, question: string) => page.locator('#list tbody tr', { has: page.locator('.kb-q', { hasText: question }) });
  const noSideScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

  it('creates an entry with two variants, edits it into a new version, tries a match, bulk-disables, imports, exports and deletes', async () => {
    const b = await open(h.org.tokens.hq, { width: 1280, height: 800 });
    const { page } = b;
    await page.locator('#list .empty', { hasText: '还没有知识条目：新建或导入 CSV' }).waitFor();
    expect(await page.title()).to.equal('知识库 · 私域');
    expect(await page.locator('#cs-links a[aria-current="page"]').getAttribute('data-key')).to.equal('knowledge');

    // Create: one variant is refused by the server with its zh-CN reason, two are taken.
    await page.getByRole('button', { name: /^新建/ }).click();
    const dialog = page.locator('#entry-dialog');
    await dialog.getByLabel(/^标准问题/).fill('怎么退货？');
    await dialog.getByLabel(/^相似问题/).fill('退货流程是什么\n买错了能退吗');
    await dialog.getByLabel(/^答案 /).fill('订单详情里申请退货。');
    await dialog.getByLabel(/^分类/).fill('售后');
    await dialog.getByRole('button', { name: /^添加变体/ }).click();
    await dialog.locator('#variants .v-answer').nth(0).fill(A);
    await dialog.getByRole('button', { name: /^保存/ }).click();
    await dialog.locator('#entry-error', { hasText: '至少 2 个变体' }).waitFor();
    expect(await dialog.locator('#entry-error').textContent()).to.contain('答案变体：');
    await page.screenshot({ path: `${SHOTS}/knowledge-refusal-1280.png` });
    await dialog.getByRole('button', { name: /^添加变体/ }).click();
    expect(await dialog.locator('#variants .v-key').nth(1).inputValue(), 'the next free key').to.equal('B');
    await dialog.locator('#variants .v-answer').nth(1).fill(B);
    await dialog.getByRole('button', { name: /^保存/ }).click();
    await page.locator('#status', { hasText: '已新建「怎么退货？」' }).waitFor();
    expect(b.pageErrors.splice(0), 'only the refused variant').to.deep.equal(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    const created = await entry('怎么退货？');
    expect(created!.variants.map((v) => ({ key: v.key, answer: v.answer }))).to.deep.equal([{ key: 'A', answer: A }, { key: 'B', answer: B }]);
    expect(created!.similar).to.deep.equal(['退货流程是什么', '买错了能退吗']);
    const row = rowOf(page, '怎么退货？');
    expect(await row.textContent()).to.contain('售后').and.contain('v1').and.contain('A/B ×2').and.contain('启用');
    expect((await h.services.experiments.get(h.org.corpId, `kf-knowledge-${String(created!._id)}`)).status).to.equal('running');

    // Edit: a changed answer is version 2; version 1 stays readable as it was.
    await row.locator('.kb-q').click();
    await dialog.getByLabel(/^答案 /).fill('订单详情 → 申请退货，快递员上门取件。');
    await dialog.getByRole('button', { name: /^保存/ }).click();
    await page.locator('#status', { hasText: '（v2）' }).waitFor();
    expect(await rowOf(page, '怎么退货？').textContent()).to.contain('v2');
    await rowOf(page, '怎么退货？').locator('.kb-q').click();
    expect(await dialog.locator('#variants .kb-variant').count(), 'the variants come back into the form').to.equal(2);
    await dialog.locator('#version-list button[data-version="1"]').click();
    await dialog.locator('#version-view', { hasText: '订单详情里申请退货。' }).waitFor();
    expect(await dialog.locator('#version-view').textContent()).to.contain('只读').and.contain(`A：${A}`);
    await page.screenshot({ path: `${SHOTS}/knowledge-dialog-1280.png` });
    await dialog.getByRole('button', { name: /^取消/ }).click();

    // Try: the matcher answers a paraphrase and shows its candidates.
    await page.getByLabel(/客户的话/).fill('买错了能退吗？');
    await page.getByRole('button', { name: /^试一试/ }).click();
    await page.locator('#try-result .kb-decision', { hasText: '直接回答' }).waitFor();
    expect(await page.locator('#try-result .kb-candidates li').first().textContent()).to.contain('怎么退货？').and.match(/相似度 [01]\.\d{3}/);

    // Import: one good row, one bad row with its line and reason; the list shows the new entry.
    const csv = ['标准问题,相似问题,答案,分类,启用,变体', '门店几点开门？,营业时间是几点|晚上几点关门,每天 7:00–22:00。,门店,是,', '没有答案,,,门店,是,'].join('\r\n');
    await page.locator('#import-file').setInputFiles({ name: '知识.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    await page.locator('#import-report', { hasText: '导入完成：新建 1 条' }).waitFor();
    expect(await page.locator('#import-report .kb-row-errors').textContent()).to.contain('第 3 行：缺少答案');
    await rowOf(page, '门店几点开门？').waitFor();
    expect(await page.locator('#total').textContent()).to.match(/^共 2 条/);

    // Bulk disable both checked rows.
    await rowOf(page, '怎么退货？').getByRole('checkbox').check();
    await rowOf(page, '门店几点开门？').getByRole('checkbox').check();
    expect(await page.locator('#checked-count').textContent()).to.contain('已选 2 条');
    await page.getByRole('button', { name: /^批量停用/ }).click();
    await page.locator('#status', { hasText: '已停用 2 条' }).waitFor();
    expect(await page.locator('#list .badge.paused').count()).to.equal(2);
    expect((await entry('门店几点开门？'))!.enabled).to.equal(false);
    await page.locator('#enabled').selectOption('true');
    await page.getByRole('button', { name: /^查询/ }).click();
    await page.locator('#list .empty', { hasText: '没有符合条件的知识条目' }).waitFor();
    await page.getByRole('button', { name: /^重置/ }).click();
    await rowOf(page, '怎么退货？').waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /^导出 CSV/ }).click()]);
    expect(download.suggestedFilename()).to.match(/^知识库-\d{4}-\d{2}-\d{2}\.csv$/);

    await page.screenshot({ path: `${SHOTS}/knowledge-1280.png` });
    if (process.env.SIYU_SCREENSHOTS) await page.screenshot({ path: 'docs/screenshots/knowledge-1280.png' });

    // Delete after a confirmation.
    page.once('dialog', (d) => void d.accept());
    await rowOf(page, '门店几点开门？').getByRole('button', { name: /^删除/ }).click();
    await page.locator('#status', { hasText: '已删除「门店几点开门？」' }).waitFor();
    expect(await entry('门店几点开门？')).to.equal(null);
    expect(b.pageErrors).to.deep.equal([]);
  });

  it('saves the service settings as a whole document, showing the server’s refusal first', async () => {
    const b = await open(h.org.tokens.marketer, { width: 1280, height: 800 }, '/hq/knowledge#settings');
    const { page } = b;
    const form = page.locator('#settings-form');
    await form.waitFor();
    expect(await page.locator('#tab-settings').getAttribute('aria-selected')).to.equal('true');
    expect(await form.getByLabel(/^转人工关键词/).inputValue()).to.contain('投诉');
    await form.getByLabel(/^推荐阈值/).fill('0.9');
    await form.getByRole('button', { name: /^保存设置/ }).click();
    await form.locator('#settings-error', { hasText: '推荐阈值：' }).waitFor();
    await form.getByLabel(/^推荐阈值/).fill('0.35');
    await form.getByLabel(/^转人工关键词/).fill('投诉\n经理，退款');
    await form.getByLabel(/^同义词/).fill('鲜奶，牛奶\n开门、营业');
    await form.getByLabel(/企业微信客户端/).check();
    expect(await form.getByLabel(/^智能助手接待中/).inputValue(), 'the default idle end').to.equal('30');
    await form.getByLabel(/^待接入池中/).fill('120');
    await form.getByRole('button', { name: /^保存设置/ }).click();
    await page.locator('#status', { hasText: '客服设置已保存' }).waitFor();
    expect(b.pageErrors.splice(0), 'only the refused thresholds').to.deep.equal(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    const saved = await h.services.kf.getSettings(h.org.corpId);
    expect(saved).to.deep.include({ suggestThreshold: 0.35, handoverKeywords: ['投诉', '经理', '退款'], synonyms: [['鲜奶', '牛奶'], ['开门', '营业']], reception: 'wecom_client', botIdleEndMinutes: 30, poolIdleEndMinutes: 120 });
    expect(b.pageErrors).to.deep.equal([]);
  });

  it('has no nav entry for a store manager, who is refused the page', async () => {
    const b = await open(h.org.tokens.managerA, { width: 1280, height: 800 });
    const { page } = b;
    await page.locator('#cs-notice').getByText('此页面不对你的角色开放').waitFor();
    const keys = await page.locator('#cs-links a').evaluateAll((links) => links.map((a) => (a as HTMLElement).dataset.key));
    expect(keys).to.not.include('knowledge');
    expect(keys).to.include('service');
    expect(b.pageErrors).to.deep.equal([]);
  });

  it('fits 360 px without sideways scrolling: the list as cards and the edit dialog', async () => {
    await h.services.kf.createEntry(h.org.corpId, { question: '鲜奶保质期多久？这是一个很长很长的标准问题用来检查窄屏换行是否正常', similar: ['鲜奶能放几天'], answer: { text: '冷藏 7 天。' }, category: '产品', variants: [{ key: 'A', answer: '冷藏 7 天。' }, { key: 'B', answer: '0–4℃ 冷藏可放 7 天，开封后 24 小时内喝完。' }] }, 'test');
    const b = await open(h.org.tokens.hq, { width: 360, height: 740 });
    const { page } = b;
    await rowOf(page, '鲜奶保质期多久？').waitFor();
    expect(await noSideScroll(page), 'the list').to.equal(true);
    await page.screenshot({ path: `${SHOTS}/knowledge-360.png`, fullPage: true });
    if (process.env.SIYU_SCREENSHOTS) await page.screenshot({ path: 'docs/screenshots/knowledge-360.png', fullPage: true });
    await rowOf(page, '鲜奶保质期多久？').locator('.kb-q').click();
    await page.locator('#entry-dialog #variants .kb-variant').nth(1).waitFor();
    expect(await noSideScroll(page), 'the dialog').to.equal(true);
    const box = await page.locator('#entry-dialog').boundingBox();
    expect(box!.x >= 0 && box!.x + box!.width <= 360, 'the dialog inside the screen').to.equal(true);
    await page.screenshot({ path: `${SHOTS}/knowledge-dialog-360.png` });
    await page.getByRole('button', { name: /^取消/ }).click();
    await page.getByRole('tab', { name: /^知识条目/ }).focus();
    await page.keyboard.press('ArrowRight');
    await page.locator('#settings-form').waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('tab-settings');
    expect(await noSideScroll(page), 'the settings').to.equal(true);
    await page.screenshot({ path: `${SHOTS}/knowledge-settings-360.png`, fullPage: true });
    expect(b.pageErrors).to.deep.equal([]);
  });

  it('pages 20 entries at a time, and an address past the last page shows the last one', async () => {
    for (let i = 1; i <= 21; i++) await h.services.kf.createEntry(h.org.corpId, { question: `分页问题 ${i} 号？`, answer: { text: `答案 ${i}` }, category: '分页' }, 'test');
    // Earlier tests may have left entries: the numbers follow what the corp has.
    const live = await t.db.models.KnowledgeEntry.countDocuments({ corpId: h.org.corpId, deletedAt: null });
    expect(live).to.be.within(21, 40);
    const b = await open(h.org.tokens.hq, { width: 1280, height: 800 }, '/hq/knowledge?page=9');
    const { page } = b;
    await page.locator('#page-label', { hasText: '第 2 / 2 页' }).waitFor();
    expect(await page.locator('#total').textContent()).to.match(new RegExp(`^共 ${live} 条`));
    expect(await page.locator('#list tbody tr').count()).to.equal(live - 20);
    expect(await page.locator('#next').isDisabled()).to.equal(true);
    await page.getByRole('button', { name: /^上一页/ }).click();
    await page.locator('#page-label', { hasText: '第 1 / 2 页' }).waitFor();
    expect(await page.locator('#list tbody tr').count()).to.equal(20);
    await page.locator('#filter-form').getByLabel(/^分类/).fill('分页');
    await page.locator('#filter-form').getByLabel(/^搜索/).fill('21 号');
    await page.getByRole('button', { name: /^查询/ }).click();
    await page.locator('#total', { hasText: '共 1 条' }).waitFor();
    expect(page.url()).to.contain('search=21').and.contain('category=');
    expect(b.pageErrors).to.deep.equal([]);
  });
});
