/**
 * Friend added → lead accepted. Registered as a friend_added reaction (server/channels/inbound-reactions.ts).
 * The add is matched to its lead by the contact way's `state` (`c:<campaign code>:<n>`: the campaign and
 * staff member), else by a phone number the staff member typed into the remark or description, else by the
 * phone hash the contact already has. The lead then becomes the contact: its phone is attached to the
 * contact as an identity (so no second contact appears), and the greeting experiment's unit is re-pointed
 * from `lead:<id>` to the contact, so replies, conversions and deletions in the event log count for it.
 * Idempotent: an accepted lead is never accepted again, so the same customer adding a second staff member
 * (or a re-processed event) counts once. A scan of a campaign code by someone who is no known lead becomes a
 * lead of origin `scan`, accepted at once.
 */
import type { FriendAddedFacts } from '../../channels/index.ts';
import type { CampaignsDeps } from '../campaign-deps.ts';
import type { ContactWayRepository } from '../contact-way.repository.ts';
import { repointGreetingExposure } from '../greeting.ts';
import { normalizeLeadPhone } from '../import/lead-phone.ts';
import type { LeadAcceptanceRepository, LeadRow } from './lead-acceptance.repository.ts';

/** Mainland mobiles written anywhere in a remark: `王姐 138-0013-8000`, `+86 13800138000`. */
const MOBILE_IN_TEXT = /(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}/g;

export function phonesInText(text: string): string[] {
  const out: string[] = [];
  for (const match of text.match(MOBILE_IN_TEXT) ?? []) {
    const phone = normalizeLeadPhone(match);
    if (phone.ok) out.push(phone.e164);
  }
  return [...new Set(out)];
}

export type Attribution = { leadId: string; by: 'state' | 'remark' | 'phone'; created: boolean } | null;

export class LeadAttribution {
  constructor(
    private readonly deps: Pick<CampaignsDeps, 'contacts' | 'follows' | 'org' | 'phones' | 'identities' | 'experiments' | 'content'>,
    private readonly leads: LeadAcceptanceRepository,
    private readonly ways: ContactWayRepository,
  ) {}

  async onFriendAdded(facts: FriendAddedFacts): Promise<Attribution> {
    const corpId = facts.event.corpId;
    const contactId = facts.contactId;
    const staffId = facts.staff?.id ?? null;
    const way = facts.event.state?.startsWith('c:') ? await this.ways.findByState(corpId, facts.event.state) : null;
    // The add says what it stored (remark, a new contact) where it knows: nothing to read back then.
    const follow = staffId ? (facts.relation ?? (await this.deps.follows.remarkOf(corpId, contactId, staffId))) : null;
    const remarkHashes = phonesInText(`${follow?.remark ?? ''} ${follow?.description ?? ''}`).map((p) => this.deps.phones.hash(p));
    const contactHashes = facts.contactCreated ? [] : (await this.deps.contacts.identityKeysOf(corpId, contactId)).filter((k) => k.startsWith('phone:')).map((k) => k.slice(6));

    // Leads this contact already is (a second staff member, or the same event again) are not accepted twice;
    // a contact this add created is nobody's lead yet.
    const ofContact = facts.contactCreated ? [] : await this.leads.ofContact(corpId, contactId);
    if (way) {
      if (ofContact.some((l) => l.campaignId === way.campaignId)) return null;
      const lead = await this.pick(corpId, [...remarkHashes, ...contactHashes], staffId, way.campaignId);
      if (lead) return this.accept(facts, lead, 'state', way.staffId);
      return this.scanIn(facts, way.campaignId, way.staffId);
    }
    for (const [by, hashes] of [['remark', remarkHashes], ['phone', contactHashes]] as const) {
      if (!hashes.length) continue;
      if (ofContact.some((l) => hashes.includes(l.key))) return null;
      const lead = await this.pick(corpId, hashes, staffId, null);
      if (lead) return this.accept(facts, lead, by, staffId);
    }
    return null;
  }

  /** Of the leads with these phones not accepted yet (in campaigns not ended), the one this staff member holds, else the latest assigned. */
  private async pick(corpId: string, hashes: readonly string[], staffId: string | null, campaignId: string | null): Promise<LeadRow | null> {
    const rows: LeadRow[] = [];
    for (const key of new Set(hashes)) {
      const found = await this.leads.withKey(corpId, key, campaignId);
      rows.push(...found.filter((r) => !r.acceptedAt));
    }
    if (!rows.length) return null;
    const live = new Set<string>();
    for (const id of new Set(rows.map((r) => r.campaignId))) {
      if (await this.leads.campaignLive(corpId, id)) live.add(id);
    }
    const open = rows.filter((r) => live.has(r.campaignId)).sort((a, b) => (b.assignedAt?.getTime() ?? 0) - (a.assignedAt?.getTime() ?? 0));
    return open.find((r) => r.staffId === staffId) ?? open[0] ?? null;
  }

  private async accept(facts: FriendAddedFacts, lead: LeadRow, by: 'state' | 'remark' | 'phone', staffId: string | null): Promise<Attribution> {
    const corpId = facts.event.corpId;
    const staff = staffId ? await this.deps.org.findStaff(corpId, staffId) : null;
    const set: Record<string, unknown> = {
      status: 'accepted',
      acceptedAt: facts.event.occurredAt,
      acceptedStaffId: staffId,
      acceptedStoreId: staff?.storeId ?? facts.staff?.storeId ?? null,
      contactId: facts.contactId,
      attributedBy: by,
    };
    if (lead.attempts > 0) Object.assign(set, { [`history.${lead.attempts - 1}.outcome`]: 'accepted', [`history.${lead.attempts - 1}.at`]: facts.event.occurredAt });
    if (!(await this.leads.acceptOnce(lead._id, set))) return null;
    const leadId = String(lead._id);
    const sealed = await this.leads.sealedPhone(lead._id);
    let contactId = facts.contactId;
    if (sealed) {
      // The lead becomes the contact: its phone joins the contact's identities (merging a phone-only contact if any).
      const upserted = await this.deps.identities.upsert(corpId, { identities: [{ kind: 'wecom', externalUserId: facts.event.externalUserId }], phone: this.deps.phones.decrypt(sealed) });
      contactId = upserted.contact.id;
      if (contactId !== facts.contactId) await this.leads.setContact(lead._id, contactId);
    }
    await repointGreetingExposure(this.deps, corpId, leadId, contactId);
    return { leadId, by, created: false };
  }

  private async scanIn(facts: FriendAddedFacts, campaignId: string, staffId: string): Promise<Attribution> {
    const corpId = facts.event.corpId;
    const staff = await this.deps.org.findStaff(corpId, staffId);
    const key = `contact:${facts.contactId}`;
    const leadId = await this.leads.insertScan(corpId, campaignId, key, {
      origin: 'scan',
      source: 'contact_way',
      status: 'accepted',
      acceptedAt: facts.event.occurredAt,
      acceptedStaffId: staffId,
      acceptedStoreId: staff?.storeId ?? null,
      contactId: facts.contactId,
      attributedBy: 'state',
    });
    if (!leadId) return null;
    return { leadId, by: 'state', created: true };
  }
}
