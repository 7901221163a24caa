/**
 * One WeCom 「联系我」 QR per campaign and staff member, created through the corp's WeCom account
 * (`createContactWay`). Its `state` is `c:<campaign code>:<n>` (n in base 36), at most 30 characters as WeCom
 * requires, and unique per corp so the add event names its campaign and staff member.
 */
import type { Modules } from '../modules.ts';
import { NotFoundError, UnavailableError, isDuplicateKeyError } from '../errors.ts';
import type { CampaignDto } from './campaign.repository.ts';

export type CampaignContactWay = { campaignId: string; staffId: string; state: string; configId: string | null; qrCode: string | null };

export class ContactWayService {
  constructor(private readonly services: Modules) {}

  async ensure(campaign: CampaignDto, staffId: string): Promise<CampaignContactWay> {
    const m = this.services.db.models;
    const corpId = campaign.corpId;
    let row = await m.CampaignContactWay.findOne({ corpId, campaignId: campaign.id, staffId }).lean();
    for (let attempt = 0; !row; attempt++) {
      const n = (await m.CampaignContactWay.countDocuments({ corpId, campaignId: campaign.id })) + 1 + attempt;
      try {
        await m.CampaignContactWay.create({ corpId, campaignId: campaign.id, staffId, state: `c:${campaign.code}:${n.toString(36)}` });
      } catch (err) {
        if (!isDuplicateKeyError(err) || attempt > 20) throw err;
      }
      row = await m.CampaignContactWay.findOne({ corpId, campaignId: campaign.id, staffId }).lean();
    }
    if (!row.configId) {
      const staff = await this.services.org.findStaff(corpId, staffId);
      if (!staff) throw new NotFoundError('staff', staffId);
      const account = (await this.services.channelAccounts.listForCorp(corpId)).find((a) => a.kind === 'wecom');
      const adapter = account ? this.services.adapterFor(account) : null;
      if (!adapter?.createContactWay) throw new UnavailableError('no WeCom account with contact ways is configured for this corp');
      const way = await adapter.createContactWay({ userIds: [staff.userId], single: true, state: row.state, remark: campaign.name.slice(0, 30) });
      await m.CampaignContactWay.updateOne({ _id: row._id, configId: null }, { $set: { configId: way.configId, qrCode: way.qrCode } });
      row = (await m.CampaignContactWay.findOne({ _id: row._id }).lean())!;
    }
    return { campaignId: row.campaignId, staffId: row.staffId, state: row.state, configId: row.configId ?? null, qrCode: row.qrCode ?? null };
  }
}
