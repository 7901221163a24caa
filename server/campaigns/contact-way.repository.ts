/** `campaign_contact_ways`: one 「联系我」 per campaign and staff member, found again by its `state`. */
import { isDuplicateKeyError } from '../errors.ts';
import type { CampaignsModels } from './campaigns.models.ts';
import { KeyBatcher } from '../db/key-batcher.ts';

export type CampaignContactWay = { campaignId: string; staffId: string; state: string; configId: string | null; qrCode: string | null };

type Row = { campaignId: string; staffId: string; state: string; configId?: string | null; qrCode?: string | null };
const toWay = (r: Row): CampaignContactWay => ({ campaignId: r.campaignId, staffId: r.staffId, state: r.state, configId: r.configId ?? null, qrCode: r.qrCode ?? null });

type StateAsk = { corpId: string; state: string };

export class ContactWayRepository {
  /** Every add of a campaign code asks for its way: the adds applied at once are answered by one read. */
  private readonly byState = new KeyBatcher<StateAsk, CampaignContactWay | null>({
    key: (a) => `${a.corpId}\u0000${a.state}`,
    work: (asks) => this.findStates(asks),
  });

  constructor(private readonly models: Pick<CampaignsModels, 'CampaignContactWay'>) {}

  async find(corpId: string, campaignId: string, staffId: string): Promise<CampaignContactWay | null> {
    const row = await this.models.CampaignContactWay.findOne({ corpId, campaignId, staffId }).lean();
    return row ? toWay(row) : null;
  }

  /** The way an add event's `state` names (`c:<campaign code>:<n>`). */
  findByState(corpId: string, state: string): Promise<CampaignContactWay | null> {
    return this.byState.run({ corpId, state });
  }

  private async findStates(asks: StateAsk[]): Promise<Array<CampaignContactWay | null>> {
    const found = new Map<string, CampaignContactWay>();
    for (const corpId of new Set(asks.map((a) => a.corpId))) {
      const states = asks.filter((a) => a.corpId === corpId).map((a) => a.state);
      for (const row of await this.models.CampaignContactWay.find({ corpId, state: { $in: states } }).lean()) found.set(`${corpId}\u0000${row.state}`, toWay(row));
    }
    return asks.map((a) => found.get(`${a.corpId}\u0000${a.state}`) ?? null);
  }

  /**
   * The staff member's way in the campaign, created with the next free `state` when missing: n is the count
   * plus one, moved on past states a concurrent creation took (the unique state refuses those).
   */
  async ensure(corpId: string, campaign: { id: string; code: string }, staffId: string): Promise<CampaignContactWay> {
    let way = await this.find(corpId, campaign.id, staffId);
    for (let attempt = 0; !way; attempt++) {
      const n = (await this.models.CampaignContactWay.countDocuments({ corpId, campaignId: campaign.id })) + 1 + attempt;
      try {
        await this.models.CampaignContactWay.create({ corpId, campaignId: campaign.id, staffId, state: `c:${campaign.code}:${n.toString(36)}` });
      } catch (err) {
        if (!isDuplicateKeyError(err) || attempt > 20) throw err;
      }
      way = await this.find(corpId, campaign.id, staffId);
    }
    return way;
  }

  /** Stores the WeCom config once (a concurrent creation that stored first wins); returns the way as stored. */
  async setConfig(corpId: string, way: CampaignContactWay, config: { configId: string; qrCode: string | null }): Promise<CampaignContactWay> {
    await this.models.CampaignContactWay.updateOne({ corpId, campaignId: way.campaignId, staffId: way.staffId, configId: null }, { $set: config });
    return (await this.find(corpId, way.campaignId, way.staffId))!;
  }

  /** Every way of the corp WeCom already has a config for (the demo reloads them into its simulator). */
  async listConfigured(corpId: string): Promise<CampaignContactWay[]> {
    const rows = await this.models.CampaignContactWay.find({ corpId }).lean();
    return rows.filter((r) => r.configId).map(toWay);
  }
}
