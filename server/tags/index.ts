/** The tags face (so far the part the channels domain uses; the tags slice owns and completes it). */
import type { TagRepository } from './tag.repository.ts';

export type TagsModule = TagRepository;
