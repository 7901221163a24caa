/** The campaigns domain's collections: campaigns, their per-staff contact ways, and leads. */
import type { Connection } from 'mongoose';
import { campaignContactWaySchema, campaignSchema } from './campaign.schema.ts';
import { leadSchema } from './lead.schema.ts';

export function registerCampaignsModels(conn: Connection) {
  return {
    Campaign: conn.model('Campaign', campaignSchema),
    CampaignContactWay: conn.model('CampaignContactWay', campaignContactWaySchema),
    Lead: conn.model('Lead', leadSchema),
  };
}

export type CampaignsModels = ReturnType<typeof registerCampaignsModels>;
