/**
 * The story the demo tells, end to end, from an empty database through the boot `npm start` uses (demo mode, its
 * WeCom simulator, scheduler and SOP engine): a new friend scans the daytime store's code → the A/B welcome goes
 * out → new-friend-onboarding enrolls them → an hour later (the clock is moved, nothing else is) the first
 * 1:1 touch becomes a task on /m → the staff member completes it and confirms the send in WeCom → the customer
 * replies → the welcome experiment counts the arm and the reply on /experiments → /hq's execution shows the send.
 * Screenshots: story-*.png at 1280×800 into $SIYU_SHOTS_DIR (default /tmp/shots-story), so `npm test` never rewrites
 * the committed copies in docs/screenshots/ (refresh those with SIYU_SHOTS_DIR=docs/screenshots).
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { boot, type Running } from '../../server/boot.ts';
import { loadConfig } from '../../server/config.ts';
import { fixedClock } from '../../server/shared/clock.ts';
import { openBrowser, requireChromium, type OpenBrowser } from '../support/chromium.ts';
import { testMongoUri, useTestDatabase } from '../support/database.ts';

const KEYS = { SIYU_PHONE_KEY: 'ab'.repeat(32), SIYU_HASH_KEY: 'cd'.repeat(32) };
const TOKEN = 'story-admin-token-0123456789';
const UNIONID = 'oStoryUnion000001';
const SHOTS = process.env.SIYU_SHOTS_DIR ?? '/tmp/shots-story';
mkdirSync(SHOTS, { recursive: true });

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 45_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('the demo story in Chromium, on npm start’s own boot', function () {
  this.timeout(180_000);
  before(function () {
    requireChromium(this);
  });

  const t = useTestDatabase('story');
  const clock = fixedClock(new Date(), true);
  let running: Running | undefined;
  let browser: OpenBrowser | undefined;
  let page: Page;
  let dataDir: string;

  before(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'siyu-story-'));
    const env = { ...KEYS, MONGODB_URI: testMongoUri(), MONGODB_DB: t.name, PORT: '0', HOST: '127.0.0.1', SIYU_DEMO: 'true', SIYU_DEMO_ACTIVITY_MS: '3600000', SIYU_ADMIN_TOKEN: TOKEN, SIYU_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    running = await boot(loadConfig(env), { clock, logger: pino({ level: 'silent' }) });
    browser = await openBrowser({ width: 1280, height: 800 });
    ({ page } = browser);
  });

  after(async () => {
    await browser?.close();
    await running?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('scan → welcome → SOP run → task done on /m → touch sent → reply → arm counted on /experiments → execution on /hq', async () => {
    const app = running!;
    const demo = app.demo!;
    const m = t.db.models;
    const callbacks = `${app.url}/callbacks/wecom`;
    const store = (await m.Store.findOne({ code: 'GL-DAY01' }).lean())!;
    const storeId = String(store._id);
    const code = (await m.LiveCode.findOne({ channel: 'store', storeId }).lean())!;
    const experimentId = code.welcome!.experimentId!;

    // 1. A simulated WeChat user scans the daytime store's code.
    const friend = await demo.newFriend(callbacks, { configId: code.configId, unionid: UNIONID });
    expect(friend.state).to.equal(code.state);
    const contact = await until('the new friend as a contact', () => m.Contact.findOne({ externalUserId: friend.externalUserId }).lean());
    const contactId = String(contact._id);

    // 2. The welcome (one arm of the store code's A/B welcome) goes out within WeCom's 20 s.
    await until('the welcome', async () => demo.simulator.state.welcomeSends.find((w) => w.external_userid === friend.externalUserId));
    const assigned = await until('the welcome arm', () => m.ExperimentAssignment.findOne({ experimentId, contactId }).lean());
    expect(['gift', 'perks']).to.include(assigned.arm);

    // 3. new-friend-onboarding enrolls them (its trigger waits for live-code states).
    await until('the onboarding run', () => m.Enrollment.findOne({ sopId: 'new-friend-onboarding', contactId }).lean());

    // 4. An hour later the first 1:1 touch is due: a mass-send task for the staff member who was added.
    clock.advance(61 * 60_000);
    const task = await until('the 1:1 task', () => m.StaffTask.findOne({ kind: 'mass_send_confirm', contactIds: contactId }).lean(), 60_000);
    const staff = (await m.Staff.findById(task.staffId).lean())!;
    expect(staff.userId).to.equal(friend.userId);

    // 5. The staff member completes it on /m (signed in through a one-time link, as the 09:00 card does).
    const link = await fetch(`${app.url}/api/staff/${task.staffId}/login-links?corpId=${store.corpId}`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(link.status, await link.clone().text()).to.equal(201);
    await page.goto(`${app.url}${((await link.json()) as { url: string }).url}`);
    const card = page.locator(`#open-list li[data-task-id="${String(task._id)}"]`);
    await card.waitFor();
    await card.scrollIntoViewIfNeeded();
    expect(await card.locator('.text').textContent(), 'the touch text, rendered for this customer').to.include('鲜牧');
    await page.screenshot({ path: `${SHOTS}/story-m.png` });
    await card.getByRole('button', { name: /^完成/ }).click();
    await page.locator(`#done-list li[data-task-id="${String(task._id)}"]`).waitFor({ state: 'attached' });
    expect((await m.StaffTask.findById(task._id).lean())!.status).to.equal('done');

    // 6. …and sends it in WeCom: the simulator delivers it to the customer.
    const mass = [...demo.simulator.state.massSends.values()].find((s) => s.rows.some((r) => r.external_userid === friend.externalUserId))!;
    demo.simulator.control.confirmMassSend(mass.msgid, friend.userId);
    expect(demo.simulator.state.massDeliveries.some((d) => d.external_userid === friend.externalUserId)).to.equal(true);
    const touch = (await m.Touch.findOne({ contactId, stepId: 'day0-intro' }).lean())!;
    expect(touch.status).to.equal('sent');

    // 7. The customer replies (微信客服, the same WeChat user: the unionid joins them).
    await demo.customerWrites(callbacks, { externalUserId: friend.externalUserId, text: '谢谢，周末去店里看看', unionid: UNIONID });
    await until('the reply on the contact', () => m.Event.findOne({ contactId, direction: 'inbound', type: 'kf.message.text' }).lean());

    // 8. /experiments counts the arm (and the reply) of the welcome experiment.
    await page.goto(`${app.url}/experiments#token=${TOKEN}`);
    const row = page.locator(`#exp-table tr[data-experiment-id="${experimentId}"]`);
    await row.waitFor();
    await row.getByRole('button', { name: /^查看/ }).click();
    const users = page.locator('section.metric[data-metric="reply"] tr[data-stat="users"] td');
    await users.first().waitFor();
    const counts = (await users.allTextContents()).map(Number);
    expect(counts.reduce((a, b) => a + b, 0), `users per arm: ${counts.join(', ')}`).to.equal(1);
    // An arm with no units yet has no sample-size line: the banner leaves it out rather than printing "null".
    expect(await page.locator('#insufficient-banner').textContent()).to.include('数据不足').and.not.include('null');
    await page.screenshot({ path: `${SHOTS}/story-experiments.png` });

    // 9. /hq's execution shows the send in the daytime store.
    await page.goto(`${app.url}/hq#token=${TOKEN}`);
    await page.getByRole('tab', { name: /^执行/ }).click();
    const storeRow = page.locator(`#touch-table tbody tr[data-store-id="${storeId}"]`);
    await storeRow.waitFor();
    expect(Number(await storeRow.locator('td.sent').textContent())).to.be.greaterThan(0);
    await page.screenshot({ path: `${SHOTS}/story-hq.png` });
  });
});
