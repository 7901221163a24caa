/**
 * The experiments dashboard in a real browser: Debian's Chromium (/usr/bin/chromium) driven by playwright-core at
 * 1280×900, against the app listening on a port with a test database and a pinned clock. Three experiments are
 * written straight into the ledger (touches, holdout assignments, outcome events), as the SOP runner and the
 * event log would have: a clear winner with a holdout (the auto-winner decides it when its page is opened), a
 * 600 : 400 split at an intended 50 : 50 (SRM) and a small one (insufficient data). A marketer lists them, reads
 * the winner's statistics and charts, exports the CSV, sees the SRM banner and stops that experiment.
 * Screenshots: /tmp/siyu-experiments.png (the winner), siyu-experiments-list.png, siyu-experiments-srm.png,
 * siyu-experiments-insufficient.png.
 */
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { expect } from 'chai';
import { Types } from 'mongoose';
import type { Page } from 'playwright-core';
import { createApp } from '../../server/app.ts';
import type { Models } from '../../server/modules.ts';
import { CSV_COLUMNS } from '../../server/experiments/results-csv.ts';
import { localDate as localDay } from '../../server/shared/local-date.ts';
import { useTestDatabase } from '../support/database.ts';
import { seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';
import { openBrowser, requireChromium, type OpenBrowser } from '../support/chromium.ts';

const NOW = '2026-12-15T04:00:00Z';
const START = new Date('2026-12-01T01:00:00Z'); // 09:00 in Shanghai
const HOUR = 3_600_000;
const TZ = 'Asia/Shanghai';
const SOP = {
  id: 'ab-intro',
  name: 'A/B 欢迎后介绍',
  trigger: { type: 'event', event: 'friend_added' },
  steps: [{ id: 'intro', type: 'send', channel: 'wecom_1to1', experiment: 'intro-coupon', variants: [{ id: 'story', template: 'tpl-intro-story', weight: 50 }, { id: 'coupon', template: 'tpl-intro-coupon', weight: 50 }] }],
};

/** Per arm: units, and how many of them reply, click and delete the friend within the window. */
type ArmPlan = { arm: string; weight: number; units: number; reply: number; click?: number; deleted?: number };
type ExperimentPlan = { experimentId: string; name?: string; labels?: Record<string, string>; source: { sopId: string | null; stepId: string | null; campaignId: string | null }; arms: ArmPlan[]; holdout?: ArmPlan; goals: string[]; autoWinner?: boolean };

const WINNER: ExperimentPlan = {
  experimentId: 'intro-coupon',
  name: 'A/B 欢迎后介绍 · 首日介绍',
  source: { sopId: 'ab-intro', stepId: 'intro', campaignId: null },
  arms: [
    { arm: 'story', weight: 50, units: 600, reply: 150, click: 20, deleted: 3 },
    { arm: 'coupon', weight: 50, units: 600, reply: 240, click: 30, deleted: 4 },
  ],
  holdout: { arm: 'holdout', weight: 10, units: 120, reply: 26 },
  goals: ['reply', 'click'],
  autoWinner: true,
};
const SRM: ExperimentPlan = {
  experimentId: 'greeting-length',
  source: { sopId: 'ab-intro', stepId: 'greeting', campaignId: null },
  arms: [
    { arm: 'short', weight: 50, units: 600, reply: 150 },
    { arm: 'long', weight: 50, units: 400, reply: 130 },
  ],
  goals: ['reply'],
};
const SMALL: ExperimentPlan = {
  experimentId: 'spring-moments',
  name: '春季朋友圈 · 好友申请问候语',
  labels: { a: 'a「您好，春季上新」', b: 'b「春季福利」' },
  source: { sopId: null, stepId: null, campaignId: 'spring-2027' },
  arms: [
    { arm: 'a', weight: 50, units: 60, reply: 6 },
    { arm: 'b', weight: 50, units: 55, reply: 11 },
  ],
  goals: ['reply'],
};

/** Writes an experiment and its units the way the runner and the event log do; exposures spread over 10 days. */
async function seedExperiment(models: Models, org: TestOrg, plan: ExperimentPlan): Promise<void> {
  const { corpId } = org;
  // Publishing the SOP created its experiment already; the plan replaces it with its own start and arms.
  await models.Experiment.deleteOne({ corpId, experimentId: plan.experimentId });
  await models.Experiment.create({
    corpId,
    experimentId: plan.experimentId,
    name: plan.name ?? null,
    source: plan.source,
    arms: plan.arms.map((a) => ({ id: a.arm, label: plan.labels?.[a.arm] ?? null, templateId: `tpl-${plan.experimentId}-${a.arm}`, weight: a.weight })),
    holdoutWeight: plan.holdout?.weight ?? 0,
    goals: plan.goals,
    startAt: START,
    autoWinner: { enabled: plan.autoWinner ?? false },
  });
  const touches: Array<Record<string, unknown>> = [];
  const assignments: Array<Record<string, unknown>> = [];
  const events: Array<Record<string, unknown>> = [];
  for (const a of [...plan.arms, ...(plan.holdout ? [plan.holdout] : [])]) {
    for (let i = 0; i < a.units; i++) {
      const contactId = new Types.ObjectId().toHexString();
      const storeId = i % 3 === 0 ? org.stores.b : org.stores.a;
      const exposedAt = new Date(START.getTime() + (i % 10) * 24 * HOUR + (i % 7) * HOUR);
      if (a === plan.holdout) assignments.push({ corpId, experimentId: plan.experimentId, contactId, arm: a.arm, storeId, assignedAt: exposedAt });
      else {
        touches.push({
          corpId, key: `${plan.experimentId}:${contactId}`, sopId: plan.source.sopId ?? 'campaign', sopVersion: 1, enrollmentId: `enr-${contactId}`, contactId, storeId,
          stepId: plan.source.stepId ?? 'greeting', channel: 'wecom_1to1', templateId: `tpl-${plan.experimentId}-${a.arm}`, experiment: plan.experimentId, variant: a.arm,
          priority: 0, tz: TZ, dueAt: exposedAt, localDay: localDay(exposedAt, TZ), status: 'sent', sentAt: exposedAt,
        });
      }
      const event = (type: string, hours: number, payload: Record<string, unknown>) =>
        events.push({ corpId, key: `${type}:${contactId}`, direction: 'inbound', channel: 'wecom_kf', type, contactId, storeId, occurredAt: new Date(exposedAt.getTime() + hours * HOUR), recordedAt: exposedAt, payload });
      if (i < a.reply) event('kf.message.text', 5, { origin: 'customer', text: '好的' });
      if (i < (a.click ?? 0)) event('link.clicked', 2, { experiment: plan.experimentId });
      if (i >= a.units - (a.deleted ?? 0)) event('friend_deleted_by_customer', 30, {});
    }
  }
  await models.Touch.insertMany(touches);
  if (assignments.length) await models.ExperimentAssignment.insertMany(assignments);
  await models.Event.insertMany(events);
}

describe('experiments dashboard /experiments in Chromium', function () {
  this.timeout(30_000);
  before(function () {
    requireChromium(this);
  });

  const t = useTestDatabase('experiments_dashboard');
  let server: Server;
  let baseUrl: string;
  let org: TestOrg;
  let browser: OpenBrowser | undefined;
  let page: Page;
  /** Script errors, failed loads and CSP violations the page reports. */
  let pageErrors: string[] = [];

  before(async () => {
    const services = testServices(t.db, { now: NOW });
    org = await seedTestOrg(services);
    server = createApp(services).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    // Publishing refuses templates without a published version.
    await services.content.importPublished({ corpId: org.corpId, storeIds: null }, SOP.steps[0]!.variants.map((v) => ({ templateId: v.template, name: v.id, scene: '测试', tags: [], channels: ['wecom_1to1' as const], text: `介绍 ${v.id}`, attachments: [] })), 'test');
    const sop = await fetch(`${baseUrl}/api/sops`, { method: 'POST', headers: { Authorization: `Bearer ${org.tokens.marketer}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ definition: SOP }) });
    expect(sop.status, 'the SOP the experiments come from').to.equal(201);
    for (const plan of [WINNER, SRM, SMALL]) await seedExperiment(t.db.models, org, plan);

    browser = await openBrowser({ width: 1280, height: 900 }, { acceptDownloads: true });
    ({ page, pageErrors } = browser);
  });

  after(async () => {
    await browser?.close();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const row = (id: string) => page.locator(`#exp-table tr[data-experiment-id="${id}"]`);

  it('signs in with a marketer token from the address and lists every experiment with its status and primary verdict', async () => {
    await page.goto(`${baseUrl}/experiments#token=${org.tokens.marketer}`);
    await page.locator('#exp-table tbody tr').nth(2).waitFor();
    expect(page.url(), 'the token leaves the address bar').to.equal(`${baseUrl}/experiments`);
    expect(await page.evaluate(() => localStorage.getItem('siyu.hq.token'))).to.equal(org.tokens.marketer);

    const winner = row(WINNER.experimentId);
    expect(await winner.locator('.badge.verdict').textContent()).to.include('胜出').and.include('coupon');
    expect(await winner.textContent()).to.include('进行中').and.include('A/B 欢迎后介绍').and.include('intro');
    expect(await row(SRM.experimentId).locator('.badge.verdict').textContent()).to.include('样本比例异常');
    expect(await row(SMALL.experimentId).locator('.badge.verdict').textContent()).to.include('数据不足');
    expect(await row(SMALL.experimentId).locator('.badge.verdict.winner').count(), 'no winner badge on insufficient data').to.equal(0);
    expect(await row(SMALL.experimentId).textContent()).to.include('spring-2027');
    // Issue #16: experiments are named by their SOP step or campaign, arms by their labels; rows from before names show the id.
    expect(await winner.locator('.exp-link').textContent()).to.equal('A/B 欢迎后介绍 · 首日介绍');
    expect(await row(SMALL.experimentId).textContent()).to.include('春季朋友圈 · 好友申请问候语').and.include('a「您好，春季上新」');
    expect(await row(SRM.experimentId).locator('.exp-link').textContent()).to.equal('greeting-length');
    await page.screenshot({ path: '/tmp/siyu-experiments-list.png', fullPage: true });
  });

  it('opens the winner: verdict, every statistic with explanations, both charts, per store and the auto-winner’s reason', async () => {
    await row(WINNER.experimentId).getByRole('button', { name: /^查看/ }).click();
    const verdict = page.locator('#verdict-box .badge.verdict');
    await verdict.waitFor();
    expect(await verdict.textContent()).to.include('胜出').and.include('coupon');
    expect(await page.locator('#verdict-box').textContent()).to.include('coupon 胜出：回复率显著高于对照 story');
    expect(await page.locator('#detail-heading').textContent(), 'opening the page let the auto-winner decide').to.include('已选出胜者');
    expect(await page.locator('#srm-banner').isHidden()).to.equal(true);
    expect(await page.locator('#insufficient-banner').isHidden()).to.equal(true);

    const reply = page.locator('section.metric[data-metric="reply"]');
    expect(await reply.locator('thead th').allTextContents()).to.have.length(4); // statistic, story, coupon, holdout
    expect(await reply.locator('tr[data-stat="users"] td').allTextContents()).to.deep.equal(['600', '600', '120']);
    expect(await reply.locator('tr[data-stat="rate"] td').first().textContent()).to.match(/^25\.00% \[2\d\.\d%, 2\d\.\d%\]$/);
    expect(await reply.locator('tr[data-stat="abs_lift"] td').nth(1).textContent()).to.match(/^\+15\.00 pp \[\+\d+\.\d+ pp, \+\d+\.\d+ pp\]$/);
    for (const key of ['rel_lift', 'z_pooled', 'p_pooled', 'p_unpooled', 'p_welch_rel', 'p_sequential', 'prob_beat_control', 'prob_best', 'p_holm', 'p_bh', 'p_holm_family', 'p_bh_family']) {
      expect(await reply.locator(`tr[data-stat="${key}"] td`).nth(1).textContent(), key).to.match(/\d/);
    }
    const seqTip = reply.locator('tr[data-stat="p_sequential"] .tip');
    await seqTip.focus();
    const tooltip = reply.locator('tr[data-stat="p_sequential"] [role="tooltip"]');
    expect(await tooltip.isVisible()).to.equal(true);
    expect(await tooltip.textContent()).to.include('序贯 p 值：可随时查看而不增加误报');
    await seqTip.blur();
    expect(await tooltip.isVisible()).to.equal(false);
    expect(await reply.locator('tr[data-stat="p_holm_family"] .used').textContent()).to.include('判定依据');
    expect(await page.locator('section.metric[data-metric="click"] .card-head .badge.verdict').textContent(), 'too few clicks').to.include('数据不足');
    expect(await page.locator('section.metric[data-metric="friend_deleted"] .card-head').textContent()).to.include('护栏');

    for (const id of ['chart-rates', 'chart-series']) {
      const canvas = page.locator(`#${id} canvas`).first();
      await canvas.waitFor();
      const box = await canvas.boundingBox();
      expect(box?.width, `${id} has a width`).to.be.greaterThan(300);
      expect(box?.height, `${id} has a height`).to.be.greaterThan(200);
    }
    expect(await page.locator('#series-tz').textContent()).to.include('Asia/Shanghai');
    expect(await page.locator('#store-table tbody tr').allTextContents()).to.have.length(2);
    expect(await page.locator('#store-table tbody').textContent()).to.include('上海一店').and.include('北京一店');
    expect(await page.locator('#config').textContent()).to.include('记录的理由').and.match(/reply: coupon 240\/600 beats control story 150\/600/).and.include('权重 10');
    expect(await page.locator('#stop-open').isHidden(), 'a decided experiment cannot be stopped').to.equal(true);

    const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(width.scroll, 'no horizontal scroll at 1280 px').to.be.at.most(width.client);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: '/tmp/siyu-experiments.png', fullPage: true });
  });

  it('exports the results as a CSV file fetched with the token', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /^导出 CSV/ }).click()]);
    expect(download.suggestedFilename()).to.equal('experiment-intro-coupon.csv');
    const text = await readFile((await download.path())!, 'utf8');
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).to.equal(CSV_COLUMNS.join(','));
    expect(lines[1]).to.match(/^intro-coupon,reply,goal,true,story,true,50,600,150,0\.25,/);
    await page.getByRole('status').getByText('已导出 experiment-intro-coupon.csv').waitFor();
  });

  it('shows the red SRM banner with χ² and p, no winner, and stops the experiment after confirmation', async () => {
    await page.locator('#to-list').click();
    await row(SRM.experimentId).getByRole('link').click();
    const banner = page.locator('#srm-banner');
    await banner.waitFor();
    const text = await banner.textContent();
    expect(text).to.include('样本比例异常').and.include('short 600 : long 400').and.include('50% : 50%').and.include('χ² = 40.00').and.include('p = 2.54e-10');
    expect(await page.locator('#verdict-box .badge.verdict').textContent()).to.include('样本比例异常');
    expect(await page.locator('#detail-view .badge.verdict.winner').count(), 'no winner badge anywhere').to.equal(0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: '/tmp/siyu-experiments-srm.png', fullPage: true });

    await page.getByRole('button', { name: /^停止实验/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: /^确认停止/ }).click();
    await page.getByRole('status').getByText('已停止实验 greeting-length').waitFor();
    expect(await page.locator('#detail-heading').textContent()).to.include('已停止');
    expect(await page.locator('#stop-open').isHidden()).to.equal(true);
    expect((await t.db.models.Experiment.findOne({ corpId: org.corpId, experimentId: SRM.experimentId }).lean())?.status).to.equal('stopped');
  });

  it('labels a small experiment "数据不足 insufficient data" prominently, with the sample it still needs', async () => {
    await page.goto(`${baseUrl}/experiments#exp=${SMALL.experimentId}`);
    const banner = page.locator('#insufficient-banner');
    await banner.waitFor();
    expect(await banner.textContent()).to.include('数据不足').and.include('每组至少 100 人').and.include('a「您好，春季上新」 6 / 60').and.include('约需每组');
    expect(await page.locator('#verdict-box .badge.verdict').textContent()).to.include('数据不足');
    expect(await page.locator('#detail-view .badge.verdict.winner').count()).to.equal(0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: '/tmp/siyu-experiments-insufficient.png', fullPage: true });
    expect(pageErrors, 'no script errors, failed loads or CSP violations').to.deep.equal([]);
  });
});
