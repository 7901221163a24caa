/**
 * What publishing and enabling check against the corp, beyond the schema: every template the SOP sends has a
 * published version in the content library, and every audience tag exists. A typo must be refused by name
 * rather than publish, dry-run to 0 people and create the typo as a tag. `create_tags: true` in the SOP is
 * the explicit way to create audience tags; the created names are returned so the caller can list them.
 */
import { ValidationError, type IssueDetail } from '../../errors.ts';
import type { AudienceFilter, Sop } from '../definition/sop.schema.ts';
import type { SopContent, SopTags } from './sop-ports.ts';
import { tagIdsForNames } from './tag-names.ts';

export type PublishCheckDeps = { tags: SopTags; content: Pick<SopContent, 'pinnedVersions'> };

/** The audience of an audience or schedule trigger, with the path an author finds it at. */
function audienceOf(sop: Sop): { audience: AudienceFilter; path: string } | null {
  const t = sop.trigger;
  if (t.type === 'audience') return { audience: t, path: 'trigger' };
  if (t.type === 'schedule' && t.audience) return { audience: t.audience, path: 'trigger.audience' };
  return null;
}

/** Template ids with where they are used, in file order. */
function templateUses(sop: Sop): Array<{ id: string; path: string }> {
  const uses: Array<{ id: string; path: string }> = [];
  sop.steps.forEach((s, i) => {
    if (s.type !== 'send') return;
    if (s.template) uses.push({ id: s.template, path: `steps[${i}].template` });
    s.variants?.forEach((v, k) => uses.push({ id: v.template, path: `steps[${i}].variants[${k}].template` }));
  });
  return uses;
}

/** Tag names of the audience with their paths. */
function audienceTags(sop: Sop): Array<{ name: string; path: string }> {
  const found = audienceOf(sop);
  if (!found?.audience.tags) return [];
  const out: Array<{ name: string; path: string }> = [];
  for (const kind of ['all', 'any', 'none'] as const) found.audience.tags[kind]?.forEach((name, j) => out.push({ name, path: `${found.path}.tags.${kind}[${j}]` }));
  return out;
}

export type PublishCheck = { problems: IssueDetail[]; missingTags: string[] };

/** Every problem of the SOP against this corp's content and tags; `create_tags` turns missing tags into no problem. */
export async function publishProblems(deps: PublishCheckDeps, corpId: string, sop: Sop): Promise<PublishCheck> {
  const problems: IssueDetail[] = [];
  const uses = templateUses(sop);
  const pins = uses.length ? await deps.content.pinnedVersions(corpId, [...new Set(uses.map((u) => u.id))]) : {};
  for (const u of uses) {
    if (pins[u.id] == null) problems.push({ path: u.path, message: `模板「${u.id}」不存在或还没有发布的版本，请先在内容库创建并发布 Template "${u.id}" does not exist or has no published version: create and publish it in the content library first` });
  }
  const known = new Set((await deps.tags.list(corpId)).flatMap((g) => g.tags.map((t) => t.name)));
  const missing = audienceTags(sop).filter((t) => !known.has(t.name));
  if (!sop.create_tags) {
    for (const t of missing) problems.push({ path: t.path, message: `标签「${t.name}」不存在；请检查拼写，或在 SOP 中写 create_tags: true 新建 Tag "${t.name}" does not exist: check the spelling, or add create_tags: true to create it` });
  }
  return { problems, missingTags: [...new Set(missing.map((t) => t.name))] };
}

/** The zh-CN summary of refused problems, one per line after the headline. */
export function describeProblems(problems: readonly IssueDetail[]): string {
  return [`SOP 有 ${problems.length} 个问题，未发布 The SOP has ${problems.length} problem(s) and was not published:`, ...problems.map((p) => `${p.path}: ${p.message}`)].join('\n');
}

/**
 * Refuses the SOP with every problem (400, nothing written) or, when allowed, creates the missing audience
 * tags and returns their names.
 */
export async function checkForPublish(deps: PublishCheckDeps, corpId: string, sop: Sop): Promise<{ createdTags: string[] }> {
  const { problems, missingTags } = await publishProblems(deps, corpId, sop);
  if (problems.length) throw new ValidationError(problems, describeProblems(problems));
  if (missingTags.length) await tagIdsForNames(deps, corpId, missingTags);
  return { createdTags: missingTags };
}
