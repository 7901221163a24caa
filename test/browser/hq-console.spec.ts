/**
 * The HQ console in a real browser: Debian's Chromium (/usr/bin/chromium) driven by playwright-core at 1280×900,
 * against the app listening on a port with a test database, the WeCom simulator as the default WeCom account,
 * the test org and the seeded content library. HQ publishes an SOP from YAML, reads its dry run, enables it,
 * and — once the test has driven the SOP engine for an enrolled friend — sees the sent touch in the execution
 * view and its charts. Screenshots: /tmp/siyu-hq.png (execution), siyu-hq-1024.png (the same at 1024 px),
 * siyu-hq-sop.png (dry run), siyu-hq-content.png (publish problems).
 */
import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { SEED_TEMPLATES, seedContentTemplates } from '../../server/content/seed-templates.ts';
import { contentRenderer } from '../../server/sop/runtime/content-renderer.ts';
import { SopEngine } from '../../server/sop/runtime/sop-engine.ts';
import { startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { useTestDatabase } from '../support/database.ts';
import { openBrowser, requireChromium, type OpenBrowser } from '../support/chromium.ts';

const SOP_ID = 'new-friend-onboarding';

describe('HQ console /hq in Chromium', function () {
  this.timeout(30_000);
  before(function () {
    requireChromium(this);
  });

  const t = useTestDatabase('hq_console');
  let h: ChannelHarness;
  let browser: OpenBrowser | undefined;
  let page: Page;
  /** Script errors, failed loads and CSP violations the page reports. */
  let pageErrors: string[] = [];

  before(async () => {
    h = await startChannelHarness(t.db);
    await seedContentTemplates(h.services, h.org.corpId);
    browser = await openBrowser({ width: 1280, height: 900 });
    ({ page, pageErrors } = browser);
  });

  after(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('signs in with a token from the address, lists the content library, shows every check problem and previews with the sample contact', async () => {
    await page.goto(`${h.baseUrl}/hq#token=${h.org.tokens.hq}`);
    const rows = page.locator('#tpl-table tbody tr');
    await rows.nth(SEED_TEMPLATES.length - 1).waitFor();
    expect(await rows.count()).to.equal(SEED_TEMPLATES.length);
    expect(page.url(), 'the token leaves the address bar').to.equal(`${h.baseUrl}/hq`);
    expect(await page.evaluate(() => localStorage.getItem('siyu.hq.token'))).to.equal(h.org.tokens.hq);
    expect(await page.locator('#corp-name').textContent()).to.include('测试企业');

    await page.getByRole('button', { name: /^新建模板/ }).click();
    await page.getByLabel(/^模板 ID/).fill('tpl-hq-welcome');
    await page.getByLabel(/^名称/).fill('总部欢迎语');
    await page.getByLabel(/^文案/).fill('{{contact.nickname}}您好！全网最低价，点 https://evil.example/x 领取');
    await page.getByRole('button', { name: /^发布/ }).click();
    const problems = page.locator('#tpl-problems');
    await problems.locator('li').first().waitFor();
    const text = await problems.textContent();
    expect(text).to.include('unknown_variable').and.include('sensitive_word').and.include('link_domain_not_allowed');
    const count = await problems.locator('li').count();
    expect(text).to.include(`${count} 个问题`);
    await page.screenshot({ path: '/tmp/siyu-hq-content.png' });

    await page.getByLabel(/^文案/).fill('{{contact.name|您好}}，欢迎来到{{store.name}}！');
    await page.getByRole('button', { name: /^预览/ }).click();
    await page.locator('#tpl-preview-box').waitFor();
    expect(await page.locator('#preview-text').textContent()).to.equal('张三，欢迎来到示例门店！');
    expect(await page.locator('#preview-checks').textContent()).to.include('发布检查通过');
    await page.getByRole('button', { name: /^发布/ }).click();
    await page.getByRole('status').getByText('已发布 tpl-hq-welcome v1').waitFor();
    expect(await problems.isHidden()).to.equal(true);
    expect(await page.locator('#editor-heading').textContent()).to.include('编辑草稿').and.include('总部欢迎语');
    await page.locator('#tpl-table tr[data-template-id="tpl-hq-welcome"]').getByText('v1', { exact: true }).waitFor();
  });

  it('publishes an SOP from YAML (problems with their paths first), shows the dry run per store with a timeline, and enables it', async () => {
    const yaml = await readFile('sop-templates/new-friend-onboarding.yaml', 'utf8');
    await page.getByRole('tab', { name: /^SOP/ }).click();
    await page.locator('#sop-publish-box summary').click();
    const area = page.getByLabel(/^SOP 定义/);
    await area.fill(yaml.replace('channel: wecom_1to1', 'channel: carrier_pigeon'));
    await page.getByRole('button', { name: /^发布 SOP/ }).click();
    await page.locator('#sop-problems li').first().waitFor();
    expect(await page.locator('#sop-problems code').first().textContent()).to.match(/^steps/);

    await area.fill(yaml);
    await page.getByRole('button', { name: /^发布 SOP/ }).click();
    const row = page.locator(`#sop-table tr[data-sop-id="${SOP_ID}"]`);
    await row.waitFor();
    expect(await page.locator('#sop-problems').isHidden()).to.equal(true);
    expect(await row.textContent()).to.include('草稿').and.include('v1').and.include('添加好友');

    const stores = page.locator('#dry-stores tbody tr');
    await stores.nth(1).waitFor();
    expect(await stores.allTextContents()).to.have.length(2);
    expect((await stores.allTextContents()).join()).to.include('上海一店').and.include('北京一店').and.include('按事件进入');
    const timeline = page.locator('#dry-timeline tbody tr');
    expect(await timeline.count()).to.be.at.least(10);
    const lastStep = await timeline.filter({ hasText: 'day7-coupon-expiry' }).textContent();
    expect(lastStep).to.match(/\d+月\d+日周.\s*19:30/).and.include('新人券到期提醒');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: '/tmp/siyu-hq-sop.png', fullPage: true });

    await row.getByRole('button', { name: /^启用/ }).click();
    await row.getByText('已启用').waitFor();
    expect(await row.getByRole('button', { name: /^暂停/ }).isVisible()).to.equal(true);
  });

  it('shows the SOP run for an enrolled new friend: a sent touch in the stats, the execution table, its charts and the nightly trend', async () => {
    const { services: s, org } = h;
    const customer = h.sim.control.addCustomer({ name: '新客小林', follow_user: [{ userid: 'a2', state: 'lc:sh01counter' }] });
    const { contact } = await s.identities.upsert(org.corpId, { identities: [{ kind: 'wecom', externalUserId: customer.external_userid }], profile: { name: '新客小林' } });
    await s.follows.upsert(org.corpId, { contactId: contact.id, staff: await s.org.getStaff({ corpId: org.corpId, storeIds: null }, org.staff.a2), addedAt: s.clock.now() });
    const res = await fetch(`${h.baseUrl}/api/sops/${SOP_ID}/enrollments`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${org.tokens.hq}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ contactId: contact.id }),
    });
    expect(await res.json()).to.include({ enrolled: true });

    // The first send follows a 1-hour wait, then quiet hours may move it to 09:00: pin the clock past each.
    const engine = new SopEngine(s, s.sops, contentRenderer(s), 'hq-console-test', pino({ level: 'silent' }));
    await engine.tick();
    s.clock.advance(61 * 60_000);
    await engine.tick();
    const planned = await t.db.models.Touch.findOne({ corpId: org.corpId, sopId: SOP_ID, stepId: 'day0-intro' }).lean();
    expect(planned, 'the first send is planned').to.not.equal(null);
    if (planned!.status === 'scheduled') {
      s.clock.advance(Math.max(0, planned!.dueAt.getTime() - s.clock.now().getTime()) + 1000);
      await engine.tick();
    }
    const sent = await t.db.models.Touch.findById(planned!._id).lean();
    expect(sent).to.include({ status: 'sent', storeId: org.stores.a });

    await page.locator(`#sop-table tr[data-sop-id="${SOP_ID}"]`).getByRole('button', { name: /^执行统计/ }).click();
    await page.locator('#stats-cards .stat.sent').waitFor();
    expect(await page.locator('#stats-cards .stat.sent').textContent()).to.include('已发送').and.include('1');

    // The nightly rollup of that day (normally agenda at 02:00 store time) feeds the trend chart.
    await s.daily.rollupStoreDay({ corpId: org.corpId, storeId: org.stores.a, localDate: sent!.localDay });
    await page.getByRole('tab', { name: /^执行/ }).click();
    const storeRow = page.locator(`#touch-table tbody tr[data-store-id="${org.stores.a}"]`);
    await storeRow.waitFor();
    expect(await storeRow.locator('td.sent').textContent()).to.equal('1');
    expect(await page.locator('#exec-cards .stat.sent .stat-value').textContent()).to.equal('1');
    // The queues now: the touch was sent, so nothing is due; the inbox card is there for HQ.
    await page.locator('#exec-backlog .stat.backlog-inbox').waitFor();
    expect(await page.locator('#exec-backlog .stat.backlog-touches').textContent()).to.include('到期未发触达').and.include('无积压');
    const table = await page.locator('#exec-table tbody').textContent();
    expect(table).to.include('华东').and.include('上海一店').and.include('导购乙').and.include('华北');
    const staffRow = page.locator('#exec-table tr.level-2', { hasText: '导购乙' });
    expect(await staffRow.locator('td.num').allTextContents(), 'done, skipped, open, total: one open mass-send task').to.deep.equal(['0', '0', '1', '1']);
    expect(await staffRow.locator('.rate').textContent()).to.equal('0.0%');

    expect(await page.locator('#trend-note').textContent(), 'the rollup is there: no "no rollups yet" note').to.equal('');
    for (const id of ['chart-completion', 'chart-touches', 'chart-trend']) {
      const canvas = page.locator(`#${id} canvas`).first();
      await canvas.waitFor();
      const box = await canvas.boundingBox();
      expect(box?.width, `${id} has a width`).to.be.greaterThan(100);
      expect(box?.height, `${id} has a height`).to.be.greaterThan(100);
    }
    const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(width.scroll, 'no horizontal scroll at 1280 px').to.be.at.most(width.client);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: '/tmp/siyu-hq.png', fullPage: true });
    await page.setViewportSize({ width: 1024, height: 768 });
    const narrow = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(narrow.scroll, 'no horizontal scroll at 1024 px').to.be.at.most(narrow.client);
    expect((await page.locator('#chart-touches canvas').first().boundingBox())?.width, 'the charts follow the window').to.be.greaterThan(600);
    await page.screenshot({ path: '/tmp/siyu-hq-1024.png', fullPage: true });
    expect(pageErrors, 'no script errors or CSP violations; the only failed loads are the two refusals asked for above').to.deep.equal([
      'Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)',
      'Failed to load resource: the server responded with a status of 400 (Bad Request)',
    ]);
  });

  it('feeds the page from /api/sop-execution: store managers see their store only, staff are refused, ranges are checked', async () => {
    const get = (query: string, token: string) => fetch(`${h.baseUrl}/api/sop-execution${query}`, { headers: { Authorization: `Bearer ${token}` } });
    const hq = (await (await get('', h.org.tokens.hq)).json()) as { from: string; to: string; touches: { stores: Array<{ storeId: string }>; total: { sent: number } } };
    expect(hq.touches.stores.map((x) => x.storeId)).to.have.members([h.org.stores.a, h.org.stores.b]);
    expect(hq.touches.total.sent).to.equal(1);
    const res = await get(`?from=${hq.from}&to=${hq.to}`, h.org.tokens.managerA);
    expect(res.status).to.equal(200);
    const manager = (await res.json()) as typeof hq & { completion: { regions: Array<{ stores: Array<{ storeId: string }> }> } };
    expect(manager.touches.stores.map((x) => x.storeId)).to.deep.equal([h.org.stores.a]);
    expect(manager.completion.regions.flatMap((r) => r.stores.map((x) => x.storeId))).to.deep.equal([h.org.stores.a]);
    expect((await get('', h.org.tokens.staffA)).status).to.equal(403);
    const backwards = await get(`?from=${hq.to}&to=2020-01-01`, h.org.tokens.hq);
    expect(backwards.status).to.equal(400);
    expect(JSON.stringify(await backwards.json())).to.include('开始日期不能晚于结束日期 From must not be after to');
  });
});
