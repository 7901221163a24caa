/**
 * The tags face: the mirror of WeCom corp tag groups and tags (`tag_groups`, `tags`), their routes, and the
 * checks other domains make on tag ids. The only file of server/tags/ other domains import.
 */
import type { Clock } from '../shared/clock.ts';
import { TagRepository } from './tag.repository.ts';
import type { TagsModels } from './tags.models.ts';

export { registerTagsModels, type TagsModels } from './tags.models.ts';
export type { TagGroupDto } from './tag.repository.ts';

export type TagsModule = TagRepository;
/** The same type under its class name, for code that names the repository. */
export type { TagRepository };

export type TagsDeps = { models: TagsModels; clock: Clock };

export function createTagsModule(deps: TagsDeps): TagsModule {
  return new TagRepository(deps.models, deps.clock);
}
export { tagRoutes } from './tag.route.ts';
export { tagMergeRoutes, type TagMergeDeps, type TagMirrorOutcome } from './tag-merge.route.ts';
