/**
 * The campaigns face: the only file of server/campaigns/ other domains (and the composition files) import.
 * The module (campaigns, leads, assignment, RPA friend requests, lead attribution), the lead file import the
 * CLI and the bench run, and the route factories.
 */
export { createCampaignsModule, type CampaignsModule } from './campaigns.module.ts';
export type { CampaignsDeps } from './campaign-deps.ts';
export { registerCampaignsModels, type CampaignsModels } from './campaigns.models.ts';
export type { CampaignDto, CampaignInput } from './campaign.repository.ts';
export type { LeadDto } from './lead.repository.ts';
export { CsvHeaderError, type LeadEncoding } from './import/lead-csv.ts';
export { importLeadsFile, type FileProgress } from './import/lead-file.ts';
export type { ImportProgress, ImportSummary } from './import/lead-import.service.ts';
export { campaignRoutes } from './campaign.route.ts';
export { leadRoutes } from './lead.route.ts';
