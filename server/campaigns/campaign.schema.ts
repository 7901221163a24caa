import { Schema, type InferSchemaType } from 'mongoose';

export const CAMPAIGN_STATUSES = ['draft', 'running', 'paused', 'ended'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const STRATEGIES = ['affinity_round_robin', 'least_loaded', 'weighted_acceptance'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/**
 * An add-friend campaign: leads in (CSV), friend requests out through store staff (or an RPA account), a
 * funnel back. `code` is short so a 「联系我」 `state` (`c:<code>:<n>`) stays within WeCom's 30 characters.
 */
export const campaignSchema = new Schema(
  {
    corpId: { type: String, required: true },
    code: { type: String, required: true },
    name: { type: String, required: true },
    status: { type: String, enum: CAMPAIGN_STATUSES, required: true, default: 'draft' },
    /** Empty = every store of the corp. */
    storeIds: { type: [String], default: [] },
    greetings: {
      type: [{ _id: false, id: { type: String, required: true }, text: { type: String, default: '' }, templateId: { type: String, default: null }, weight: { type: Number, required: true, default: 1 } }],
      default: [],
    },
    /** The greeting experiment (experiments collection) once the campaign has two or more greetings. */
    experimentId: { type: String, default: null },
    dailyQuota: { type: Number, required: true, default: 20 },
    workingHours: { start: { type: String, required: true, default: '09:00' }, end: { type: String, required: true, default: '21:00' } },
    strategy: { type: String, enum: STRATEGIES, required: true, default: 'affinity_round_robin' },
    recycle: { afterDays: { type: Number, required: true, default: 3 }, maxAttempts: { type: Number, required: true, default: 2 } },
    /** Yuan: a fixed amount, per imported lead (data cost) and per friend request sent (labour, RPA). */
    costs: { fixed: { type: Number, default: 0 }, perLead: { type: Number, default: 0 }, perRequest: { type: Number, default: 0 } },
    /** wechaty accounts that send `Friendship.add` themselves for this campaign's leads (paced per account). */
    rpaAccountIds: { type: [String], default: [] },
    startedAt: { type: Date, default: null },
    endedAt: { type: Date, default: null },
  },
  { collection: 'campaigns', timestamps: true, strict: 'throw', minimize: false },
);
// The `state` prefix of a contact way names one campaign: attribution looks campaigns up by code.
campaignSchema.index({ corpId: 1, code: 1 }, { unique: true });
// The daily assignment and recycling sweep running campaigns of a corp.
campaignSchema.index({ corpId: 1, status: 1 });

export type CampaignDoc = InferSchemaType<typeof campaignSchema>;

/** One 「联系我」 contact way per campaign and staff member; customers who scan it carry `state` into the add event. */
export const campaignContactWaySchema = new Schema(
  {
    corpId: { type: String, required: true },
    campaignId: { type: String, required: true },
    staffId: { type: String, required: true },
    state: { type: String, required: true },
    configId: { type: String, default: null },
    qrCode: { type: String, default: null },
  },
  { collection: 'campaign_contact_ways', timestamps: true, strict: 'throw' },
);
// One way per (campaign, staff member): ensure() upserts it.
campaignContactWaySchema.index({ corpId: 1, campaignId: 1, staffId: 1 }, { unique: true });
// Attribution: the add event's `state` → campaign and staff member.
campaignContactWaySchema.index({ corpId: 1, state: 1 }, { unique: true });
