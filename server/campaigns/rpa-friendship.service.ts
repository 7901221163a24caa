/**
 * Campaigns whose requests an RPA-hosted (wechaty) account sends itself: `sendDue` takes pool leads and sends
 * `Friendship.add` with the lead's greeting, as fast as the account's pacing allows (working hours, daily cap,
 * minutes apart: the adapter's `nextFriendAddAt` over the requests this account already sent), and records
 * each request like a staff member's (`requested`, or `not_found` when no WeChat user has the number).
 * `matchAccepted` turns confirmed friendships (`friendship_confirmed` in the event log) into accepted leads.
 */
import type { CampaignsDeps } from './campaign-deps.ts';
import { corpScope } from '../shared/scope.ts';
import type { CampaignDto, CampaignRepository } from './campaign.repository.ts';
import type { LeadAssignmentRepository } from './distribution/lead-assignment.repository.ts';
import { greetingTexts, pickGreeting, recordGreetingExposure, repointGreetingExposure } from './greeting.ts';

const DAY_MS = 86_400_000;
/** At most this many requests per account and call, whatever the pacing says. */
const MAX_PER_CALL = 50;

export const rpaStaffId = (accountId: string) => `rpa:${accountId}`;

export class RpaFriendshipService {
  constructor(
    private readonly deps: Pick<CampaignsDeps, 'phones' | 'experiments' | 'content' | 'channelAccounts' | 'adapterFor' | 'identities' | 'contactChannels' | 'events'>,
    private readonly campaigns: CampaignRepository,
    private readonly leads: LeadAssignmentRepository,
  ) {}

  async sendDue(corpId: string, now: Date): Promise<{ sent: number; failed: number }> {
    const out = { sent: 0, failed: 0 };
    const running = (await this.campaigns.list(corpScope(corpId), { status: 'running' })).filter((c) => c.rpaAccountIds.length);
    for (const campaign of running) {
      for (const accountId of campaign.rpaAccountIds) {
        const r = await this.sendForAccount(campaign, accountId, now);
        out.sent += r.sent;
        out.failed += r.failed;
      }
    }
    return out;
  }

  private async sendForAccount(campaign: CampaignDto, accountId: string, now: Date): Promise<{ sent: number; failed: number }> {
    const out = { sent: 0, failed: 0 };
    const account = await this.deps.channelAccounts.get(accountId).catch(() => null);
    if (!account || account.corpId !== campaign.corpId) return out;
    const adapter = this.deps.adapterFor(account);
    if (!adapter.addFriend || !adapter.nextFriendAddAt) return out;
    const staffId = rpaStaffId(accountId);
    // Only the latest request and today's count matter to the pacing: two days of history is enough.
    const sent = await this.leads.rpaRequestTimes(campaign.corpId, accountId, new Date(now.getTime() - 2 * DAY_MS));
    const texts = await greetingTexts(this.deps, campaign);
    for (let i = 0; i < MAX_PER_CALL; i++) {
      const next = adapter.nextFriendAddAt(sent, now);
      if (!next || next > now) break;
      const lead = await this.leads.claimForRpa(campaign.corpId, campaign.id, accountId, staffId, now);
      if (!lead?.phoneEnc) break;
      const greeting = await pickGreeting(this.deps, campaign, String(lead._id));
      await recordGreetingExposure(this.deps, campaign, { leadId: String(lead._id), greeting, storeId: null, at: now });
      const e164 = this.deps.phones.decrypt(lead.phoneEnc);
      const result = await adapter.addFriend({ phone: e164.startsWith('+86') ? e164.slice(3) : e164 }, greeting ? (texts.get(greeting) ?? '') : '');
      const last = `history.${lead.attempts - 1}`;
      const base = { greeting, ...(lead.firstAssignedAt ? {} : { firstAssignedAt: now }) };
      if (result.ok) {
        await this.leads.update(lead._id, { ...base, status: 'requested', requestedAt: now, 'rpa.vendorId': result.vendorId ?? null, 'rpa.error': null, [`${last}.outcome`]: 'requested', [`${last}.at`]: now });
        sent.push(now);
        out.sent++;
      } else {
        // A number nobody has is final; anything else (offline, risk control) goes back to the pool for later.
        const final = result.error.kind === 'recipient';
        await this.leads.update(lead._id, { ...base, status: final ? 'not_found' : 'pool', ...(final ? { closedAt: now } : { staffId: null, assignedAt: null }), 'rpa.error': result.error.message, [`${last}.outcome`]: final ? 'not_found' : 'failed', [`${last}.at`]: now });
        out.failed++;
        if (!final) break;
      }
    }
    return out;
  }

  /** Requested RPA leads whose wechaty contact confirmed the friendship after the request become accepted. */
  async matchAccepted(corpId: string): Promise<number> {
    const pending = await this.leads.pendingRpa(corpId);
    let accepted = 0;
    for (const lead of pending) {
      const contact = await this.deps.contactChannels.findByIdentity(corpId, `wechaty:${lead.rpa!.vendorId}`);
      if (!contact) continue;
      const confirmedAt = await this.deps.events.firstOccurrence(corpId, contact.id, 'friendship_confirmed', lead.requestedAt ?? null);
      if (!confirmedAt) continue;
      const last = `history.${lead.attempts - 1}`;
      const set = { status: 'accepted', acceptedAt: confirmedAt, acceptedStaffId: lead.rpa!.accountId ? rpaStaffId(lead.rpa!.accountId) : null, contactId: contact.id, attributedBy: 'rpa', [`${last}.outcome`]: 'accepted', [`${last}.at`]: confirmedAt };
      if (!(await this.leads.acceptOnce(lead._id, set))) continue;
      accepted++;
      if (lead.phoneEnc) await this.deps.identities.upsert(corpId, { identities: [{ kind: 'wechaty', id: lead.rpa!.vendorId! }], phone: this.deps.phones.decrypt(lead.phoneEnc) });
      await repointGreetingExposure(this.deps, corpId, String(lead._id), contact.id);
    }
    return accepted;
  }
}
