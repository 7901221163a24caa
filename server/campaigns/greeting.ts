/**
 * Greeting variants: with two or more greetings a campaign runs an experiment (experiments collection, kind
 * "campaign greeting": `source.campaignId`), and each lead's greeting is the deterministic draw of
 * (experiment id, lead id) among the arms the auto-winner still allows.
 */
import { assignVariant } from '../shared/variant.ts';
import type { CampaignsDeps } from './campaign-deps.ts';
import type { CampaignDto } from './campaign.repository.ts';

export type GreetingDeps = Pick<CampaignsDeps, 'experiments' | 'content'>;

export const greetingExperimentId = (campaignId: string) => `campaign-${campaignId}-greeting`;

/** Creates or updates the greeting experiment; null while the campaign has fewer than two greetings. */
export async function ensureGreetingExperiment(deps: GreetingDeps, campaign: CampaignDto): Promise<string | null> {
  if (campaign.greetings.length < 2) return null;
  const experimentId = greetingExperimentId(campaign.id);
  await deps.experiments.ensureForCampaign(campaign.corpId, {
    campaignId: campaign.id,
    experimentId,
    name: `${campaign.name} · 好友申请问候语`,
    arms: campaign.greetings.map((g) => ({ id: g.id, label: greetingLabel(g), templateId: g.templateId ?? `text:${g.id}`, weight: g.weight })),
  });
  return experimentId;
}

/** A greeting as marketers recognise it on the dashboard: its id and the start of its text. */
function greetingLabel(g: { id: string; text: string; templateId: string | null }): string {
  const text = g.text.trim();
  if (!text) return g.templateId ? `${g.id}（模板 ${g.templateId}）` : g.id;
  return `${g.id}「${text.length > 14 ? `${text.slice(0, 14)}…` : text}」`;
}

/** The greeting id for a lead (null without greetings). */
export async function pickGreeting(deps: GreetingDeps, campaign: CampaignDto, leadId: string): Promise<string | null> {
  if (!campaign.greetings.length) return null;
  if (!campaign.experimentId) return campaign.greetings[0]!.id;
  const allowed = await deps.experiments.allowedVariants(campaign.corpId, campaign.experimentId, campaign.greetings);
  return assignVariant(campaign.experimentId, leadId, allowed).id;
}

/** Greeting id → text to paste: the text, else the current published version of its content template. */
export async function greetingTexts(deps: GreetingDeps, campaign: CampaignDto): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const templated = campaign.greetings.filter((g) => !g.text && g.templateId);
  const versions = templated.length ? await deps.content.pinnedVersions(campaign.corpId, templated.map((g) => g.templateId!)) : {};
  for (const g of campaign.greetings) {
    let text = g.text;
    const version = g.templateId ? versions[g.templateId] : null;
    if (!text && g.templateId && version) text = (await deps.content.getVersion({ corpId: campaign.corpId, storeIds: null }, g.templateId, version)).text;
    out.set(g.id, text);
  }
  return out;
}

/** The greeting experiment's unit for a lead: exposed at its first assignment, re-pointed to the contact on acceptance. */
export async function recordGreetingExposure(deps: GreetingDeps, campaign: CampaignDto, input: { leadId: string; greeting: string | null; storeId: string | null; at: Date }): Promise<void> {
  if (!campaign.experimentId || !input.greeting) return;
  await deps.experiments.assignments.recordExposure(campaign.corpId, campaign.experimentId, { contactId: `lead:${input.leadId}`, arm: input.greeting, storeId: input.storeId, at: input.at });
}

/** Once a lead is a contact, its experiment unit follows it (replies and conversions are logged per contact). */
export async function repointGreetingExposure(deps: GreetingDeps, corpId: string, leadId: string, contactId: string): Promise<void> {
  await deps.experiments.assignments.repoint(corpId, `lead:${leadId}`, contactId);
}
