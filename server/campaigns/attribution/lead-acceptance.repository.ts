/**
 * The lead reads and writes of attribution: which leads a contact already is, the open leads with a phone,
 * accepting one once, and the lead a scan of a campaign code creates. Equality lookups only: the development
 * server scans for `$in` and for filters beyond an index's fields.
 */
import type { CampaignsModels } from '../campaigns.models.ts';
import type { LeadDoc } from '../lead.schema.ts';

export type LeadRow = LeadDoc & { _id: unknown };

export class LeadAcceptanceRepository {
  constructor(private readonly models: Pick<CampaignsModels, 'Lead' | 'Campaign'>) {}

  /** The leads this contact already is (their campaign and phone key). */
  async ofContact(corpId: string, contactId: string): Promise<Array<{ campaignId: string; key: string }>> {
    return this.models.Lead.find({ corpId, contactId }).select('campaignId key').lean();
  }

  /** Leads with this phone key, in one campaign or in any. */
  async withKey(corpId: string, key: string, campaignId: string | null): Promise<LeadRow[]> {
    return campaignId ? this.models.Lead.find({ corpId, campaignId, key }).lean<LeadRow[]>() : this.models.Lead.find({ corpId, key }).lean<LeadRow[]>();
  }

  /** Whether the campaign exists and has not ended. */
  async campaignLive(corpId: string, campaignId: string): Promise<boolean> {
    const c = await this.models.Campaign.findOne({ corpId, _id: campaignId }).select('status').lean();
    return Boolean(c && c.status !== 'ended');
  }

  /** Sets an acceptance once; false when the lead was accepted meanwhile. */
  async acceptOnce(leadId: unknown, set: Record<string, unknown>): Promise<boolean> {
    const res = await this.models.Lead.updateOne({ _id: leadId, acceptedAt: null }, { $set: set });
    return res.modifiedCount > 0;
  }

  async sealedPhone(leadId: unknown): Promise<string | null> {
    return (await this.models.Lead.findOne({ _id: leadId }).select('+phoneEnc').lean())?.phoneEnc ?? null;
  }

  async setContact(leadId: unknown, contactId: string): Promise<void> {
    await this.models.Lead.updateOne({ _id: leadId }, { $set: { contactId } });
  }

  /** The lead of a scan-in (`contact:<id>` key), created accepted; null when it existed already. */
  async insertScan(corpId: string, campaignId: string, key: string, fields: Record<string, unknown>): Promise<string | null> {
    const res = await this.models.Lead.updateOne({ corpId, campaignId, key }, { $setOnInsert: fields }, { upsert: true });
    return res.upsertedId ? String(res.upsertedId) : null;
  }
}
