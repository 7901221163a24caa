/**
 * The staff side of campaigns (the phone page /m): my leads for today with the greeting to paste and what we
 * know about the customer, the full number on demand (tap-to-copy; never in the list), the four actions, and
 * my 「联系我」 QR for a campaign. A token sees only its own staff member's leads.
 */
import { z } from 'zod';
import { type Principal, ROLES } from '../auth/index.ts';
import { ForbiddenError } from '../errors.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import type { OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import { localDate } from '../shared/local-date.ts';
import { objectIdString } from '../shared/object-id.ts';
import { qrSvgDataUrl } from '../shared/qr-image.ts';
import { corpScope, type Scope } from '../shared/scope.ts';
import type { PhoneSeal } from './campaign-deps.ts';
import type { CampaignDto } from './campaign.repository.ts';
import type { CampaignsModule } from './campaigns.module.ts';
import { STAFF_ACTIONS } from './lead.schema.ts';
import type { LeadDto } from './lead.repository.ts';

const idParams = z.strictObject({ id: objectIdString });

export type LeadRouteDeps = {
  campaigns: Pick<CampaignsModule, 'campaigns' | 'leads' | 'contactWays' | 'greetingTexts'>;
  org: Pick<OrgModule, 'getStaff' | 'getStore'>;
  phones: Pick<PhoneSeal, 'decrypt'>;
  clock: Clock;
};

async function me(principal: Principal | null, org: LeadRouteDeps['org']) {
  if (!principal?.staffId || !principal.corpId) throw new ForbiddenError('此令牌未绑定店员 This token is not bound to a staff member');
  const staff = await org.getStaff({ corpId: principal.corpId, storeIds: null }, principal.staffId);
  const store = await org.getStore({ corpId: principal.corpId, storeIds: null }, staff.storeId);
  return { staff, store, scope: { corpId: principal.corpId, storeIds: [staff.storeId] } as Scope };
}

/**
 * What the phone page shows for one lead: the lead, its campaign's name and the greeting text to paste. The
 * leads are already the member's own, so their campaigns are read corp-wide: a campaign that no longer targets
 * the member's store still names the leads it handed out.
 */
async function present(module: LeadRouteDeps['campaigns'], scope: Scope, leads: LeadDto[]) {
  const ownLeads = corpScope(scope.corpId);
  const campaigns = new Map<string, { campaign: CampaignDto; texts: Map<string, string> }>();
  const out = [];
  for (const lead of leads) {
    let c = campaigns.get(lead.campaignId);
    if (!c) {
      const campaign = await module.campaigns.get(ownLeads, lead.campaignId);
      c = { campaign, texts: await module.greetingTexts(campaign) };
      campaigns.set(lead.campaignId, c);
    }
    const { line: _line, attempts: _attempts, ...rest } = lead;
    out.push({ ...rest, campaign: { id: c.campaign.id, name: c.campaign.name, status: c.campaign.status }, greetingText: lead.greeting ? (c.texts.get(lead.greeting) ?? '') : '' });
  }
  return out;
}

export function leadRoutes(deps: LeadRouteDeps): RouteDef[] {
  const { campaigns: module } = deps;
  return [
  defineRoute({
    method: 'get',
    path: '/api/me/leads',
    tag: 'campaigns',
    summary: '我的加粉线索 The signed-in staff member’s leads: open ones, then today’s closed ones',
    roles: ROLES,
    async handler(_input, { principal }) {
      const { staff, store, scope } = await me(principal, deps.org);
      const today = localDate(deps.clock.now(), store.timezone);
      const leads = await module.leads.forStaff(scope, staff.id, today);
      return { today, items: await present(module, scope, leads) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/me/leads/:id/phone',
    tag: 'campaigns',
    summary: '线索完整号码 The full phone number of one of my leads (fetched when tapped, to copy)',
    roles: ROLES,
    params: idParams,
    async handler({ params }, { principal, koa }) {
      const { staff, scope } = await me(principal, deps.org);
      const sealed = await module.leads.sealedPhoneForStaff(scope, staff.id, params.id);
      koa.set('Cache-Control', 'no-store');
      const e164 = deps.phones.decrypt(sealed);
      return { phone: e164.startsWith('+86') ? e164.slice(3) : e164, e164 };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/me/leads/:id/actions',
    tag: 'campaigns',
    summary: '记录加粉结果 Record what I did: requested, not_found, refused or wrong_number',
    roles: ROLES,
    params: idParams,
    body: z.strictObject({ action: z.enum(STAFF_ACTIONS) }),
    async handler({ params, body }, { principal }) {
      const { staff, scope } = await me(principal, deps.org);
      const lead = await module.leads.act(scope, staff.id, params.id, body.action);
      return (await present(module, scope, [lead]))[0];
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/me/campaigns/:id/contact-way',
    tag: 'campaigns',
    summary: '我的活动二维码 My 「联系我」 QR for a campaign (created on first use; its state names the campaign and me)',
    roles: ROLES,
    params: idParams,
    async handler({ params }, { principal }) {
      const { staff, scope } = await me(principal, deps.org);
      const campaign = await module.campaigns.get(scope, params.id);
      const way = await module.contactWays.ensure(campaign, staff.id);
      return { ...way, qrImage: way.qrCode ? await qrSvgDataUrl(way.qrCode) : null };
    },
  }),
];
}
