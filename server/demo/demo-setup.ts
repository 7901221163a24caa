/**
 * What a brand does in its first minutes with Siyu, done for the demo right after its first seed (and only in
 * demo mode: production never enables anything by itself): one store live code per store, each a 「联系我」 QR on
 * the simulator that the simulated new friends scan, and the shipped SOPs that suit the demo enabled.
 */
import type { Logger } from 'pino';
import type { CampaignsModule } from '../campaigns/index.ts';
import type { ExperimentsModule } from '../experiments/index.ts';
import type { LiveCodesModule } from '../live-codes/index.ts';
import type { OrgModule } from '../org/index.ts';
import type { SopModule } from '../sop/index.ts';
import { DAYTIME_STORE, DEMO_CAMPAIGN } from './demo-data.ts';

/**
 * Every shipped SOP except store-opening-friend-drive, which waits for a store-opening campaign's codes the demo
 * does not run.
 */
const DEMO_ENABLED_SOPS = ['new-friend-onboarding', 'dormant-30d-winback', 'fresh-milk-repurchase', 'vip-birthday-care', 'weekly-group-content', 'weekly-moments-calendar'] as const;

/**
 * The daytime store has just opened: its code's welcome tests the opening gift against the store perks (an A/B
 * experiment from the first scan, goal: reply). The other stores greet through new-friend-onboarding.
 */
const DAYTIME_WELCOME = [
  { id: 'gift', templateId: 'tpl-store-opening-gift', weight: 50 },
  { id: 'perks', templateId: 'tpl-onboarding-day1-store-perks', weight: 50 },
];

export type DemoSetupDeps = {
  org: Pick<OrgModule, 'listStores' | 'listStaff'>;
  liveCodes: { service: Pick<LiveCodesModule['service'], 'create'> };
  sops: Pick<SopModule['registry'], 'list' | 'setStatus'>;
  sop: Pick<SopModule, 'enrollAudience'>;
  /** The enabled SOPs' A/B steps are listed on /experiments from the start (what `POST /api/experiments/sync` does). */
  experiments: Pick<ExperimentsModule, 'ensureForSop'>;
  clock: { now(): Date };
  campaigns: Pick<CampaignsModule, 'campaigns' | 'contactWays'>;
};

export type DemoSetupResult = { liveCodes: number; campaignCodes: number; enabled: string[]; audience: Record<string, { matched: number; enrolled: number }> };

export async function setUpDemo(deps: DemoSetupDeps, corpId: string, logger: Logger): Promise<DemoSetupResult> {
  const scope = { corpId, storeIds: null };
  const result: DemoSetupResult = { liveCodes: 0, campaignCodes: 0, enabled: [], audience: {} };
  for (const store of await deps.org.listStores(scope)) {
    try {
      await deps.liveCodes.service.create(scope, { name: `${store.name}门店码`, channel: 'store', storeId: store.id, ...(store.code === DAYTIME_STORE.code ? { welcomeVariants: DAYTIME_WELCOME } : {}) }, 'demo');
      result.liveCodes++;
    } catch (err) {
      logger.warn({ err, store: store.code }, '演示门店码未创建 demo store code not created');
    }
  }
  try {
    result.campaignCodes = await setUpCampaign(deps, scope);
  } catch (err) {
    logger.warn({ err }, '演示加好友活动未创建 demo campaign not created');
  }
  const published = new Set((await deps.sops.list(corpId)).map((s) => s.sopId));
  for (const sopId of DEMO_ENABLED_SOPS) {
    if (!published.has(sopId)) continue;
    const sop = await deps.sops.setStatus(corpId, sopId, 'enabled');
    result.enabled.push(sopId);
    await deps.experiments.ensureForSop(corpId, sop);
    if (sop.definition.trigger.type === 'audience') result.audience[sopId] = await deps.sop.enrollAudience(sop, deps.clock.now());
  }
  return result;
}

/** The add-friend campaign, running, with a 「联系我」 code (created on the simulator) for each of its staff members. */
async function setUpCampaign(deps: DemoSetupDeps, scope: { corpId: string; storeIds: null }): Promise<number> {
  const staff = (await deps.org.listStaff(scope, { status: 'active' })).filter((s) => DEMO_CAMPAIGN.staffUserIds.includes(s.userId));
  const campaign = await deps.campaigns.campaigns.create(scope, { name: DEMO_CAMPAIGN.name, greetings: DEMO_CAMPAIGN.greetings.map((g) => ({ ...g })) });
  const running = await deps.campaigns.campaigns.transition(scope, campaign.id, 'start', deps.clock.now());
  for (const s of staff) await deps.campaigns.contactWays.ensure(running, s.id);
  return staff.length;
}
