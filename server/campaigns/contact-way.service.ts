/**
 * One WeCom 「联系我」 QR per campaign and staff member, created through the corp's WeCom account
 * (`createContactWay`). Its `state` is `c:<campaign code>:<n>` (n in base 36), at most 30 characters as WeCom
 * requires, and unique per corp so the add event names its campaign and staff member.
 */
import { NotFoundError, UnavailableError } from '../errors.ts';
import type { CampaignsDeps } from './campaign-deps.ts';
import type { CampaignDto } from './campaign.repository.ts';
import type { CampaignContactWay, ContactWayRepository } from './contact-way.repository.ts';

export type { CampaignContactWay } from './contact-way.repository.ts';

export class ContactWayService {
  constructor(
    private readonly deps: Pick<CampaignsDeps, 'org' | 'channelAccounts' | 'adapterFor'>,
    private readonly ways: ContactWayRepository,
  ) {}

  async ensure(campaign: CampaignDto, staffId: string): Promise<CampaignContactWay> {
    const corpId = campaign.corpId;
    const way = await this.ways.ensure(corpId, campaign, staffId);
    if (way.configId) return way;
    const staff = await this.deps.org.findStaff(corpId, staffId);
    if (!staff) throw new NotFoundError('staff', staffId);
    const account = (await this.deps.channelAccounts.listForCorp(corpId)).find((a) => a.kind === 'wecom');
    const adapter = account ? this.deps.adapterFor(account) : null;
    if (!adapter?.createContactWay) throw new UnavailableError('该企业没有可管理联系我二维码的企业微信账号 No WeCom account with contact ways is configured for this corp');
    const created = await adapter.createContactWay({ userIds: [staff.userId], single: true, state: way.state, remark: campaign.name.slice(0, 30) });
    return this.ways.setConfig(corpId, way, { configId: created.configId, qrCode: created.qrCode });
  }

  /** The corp's ways that have a WeCom config. */
  configured(corpId: string): Promise<CampaignContactWay[]> {
    return this.ways.listConfigured(corpId);
  }
}
