/** The tags domain's collections: the mirror of WeCom corp tag groups and tags. */
import type { Connection } from 'mongoose';
import { tagGroupSchema, tagSchema } from './tag.schema.ts';

export function registerTagsModels(conn: Connection) {
  return {
    TagGroup: conn.model('TagGroup', tagGroupSchema),
    Tag: conn.model('Tag', tagSchema),
  };
}

export type TagsModels = ReturnType<typeof registerTagsModels>;
