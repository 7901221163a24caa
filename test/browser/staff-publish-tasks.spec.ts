/**
 * A staff-subject SOP's moments step on the staff phone page, in Chromium at 360×740: the 朋友圈 card carries the
 * exact text with a copy button and the images to post; 完成 closes the card. Screenshot: /tmp/siyu-m-moments.png.
 */
import { expect } from 'chai';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { seedContentTemplates } from '../../server/content/seed-templates.ts';
import { contentRenderer } from '../../server/sop/runtime/content-renderer.ts';
import { enroll } from '../../server/sop/runtime/enroll.ts';
import { subjectRunId } from '../../server/sop/runtime/routing.ts';
import { SopEngine } from '../../server/sop/runtime/sop-engine.ts';
import { SopRegistry } from '../../server/sop/runtime/sop-registry.ts';
import { startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { openBrowser, requireChromium, type OpenBrowser } from '../support/chromium.ts';
import { useTestDatabase } from '../support/database.ts';

describe('staff phone page /m: a 朋友圈 task from an SOP, in Chromium', function () {
  this.timeout(40_000);
  before(function () {
    requireChromium(this);
  });

  const t = useTestDatabase('staff_publish_tasks');
  let h: ChannelHarness;
  let browser: OpenBrowser | undefined;
  let page: Page;
  let pageErrors: string[] = [];
  let text = '';

  before(async () => {
    h = await startChannelHarness(t.db);
    const s = h.services;
    // Midday in Shanghai today, whatever the hour the suite runs at: outside quiet hours.
    s.clock.set(`${new Date().toISOString().slice(0, 10)}T04:00:00Z`);
    await seedContentTemplates(s, h.org.corpId);
    const registry = new SopRegistry(s, (corpId, ids) => s.content.pinnedVersions(corpId, ids));
    const published = await registry.publish(
      h.org.corpId,
      { id: 'moments-browser', name: '朋友圈页面测试', subject: 'staff', trigger: { type: 'schedule', cron: '0 8 * * mon' }, steps: [{ id: 'post', type: 'send', channel: 'wecom_moments', template: 'tpl-moments-tue-new-product' }] },
      'api',
    );
    await registry.setStatus(h.org.corpId, published.sopId, 'enabled');
    await enroll(s, await registry.get(h.org.corpId, 'moments-browser'), subjectRunId('staff', h.org.staff.a2), s.clock.now());
    await new SopEngine(s, registry, contentRenderer(s), 'browser-worker', pino({ level: 'silent' })).tick();
    const touch = await t.db.models.Touch.findOne({ sopId: 'moments-browser' }).lean();
    expect(touch!.status).to.equal('awaiting');
    text = touch!.text!;
    browser = await openBrowser({ width: 360, height: 740 }, { deviceScaleFactor: 2, isMobile: true, hasTouch: true, permissions: ['clipboard-read', 'clipboard-write'] });
    ({ page, pageErrors } = browser);
  });

  after(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('shows the 朋友圈 card with the exact text, a copy button and the images, and closes it on 完成', async () => {
    const link = await fetch(`${h.baseUrl}/api/staff/${h.org.staff.a2}/login-links`, { method: 'POST', headers: { Authorization: `Bearer ${h.org.tokens.managerA}` } });
    const { url } = (await link.json()) as { url: string };
    await page.goto(`${h.baseUrl}${url}`);
    const card = page.locator('#open-list li.kind-moments');
    await card.waitFor();
    expect(await card.locator('.badge').innerText()).to.match(/^朋友圈\s+Moments$/);
    expect(await card.locator('h3').textContent()).to.equal('发朋友圈 Post to Moments');
    expect(await card.locator('.text').textContent()).to.equal(text);
    const images = card.locator('.media-item.media-image a');
    expect(await images.count()).to.equal(2);
    expect(await images.first().getAttribute('href')).to.match(/strawberry-yogurt-1\.jpg$/);
    await card.locator('.text-box .copy').click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).to.equal(text);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, 'no horizontal scroll at 360 px').to.be.at.most(360);
    await page.screenshot({ path: '/tmp/siyu-m-moments.png', fullPage: true });

    await card.locator('.actions .primary').click();
    await page.locator('#open-list li.kind-moments').waitFor({ state: 'detached' });
    const touch = await t.db.models.Touch.findOne({ sopId: 'moments-browser' }).lean();
    expect(touch!.status, 'done on /m is not a post: WeCom has not reported one').to.equal('awaiting');
    expect(pageErrors).to.deep.equal([]);
  });
});
