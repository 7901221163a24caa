import { Schema } from 'mongoose';

/** Mirrors WeCom corp tag groups: `groupId` is WeCom's id (or ours until synced) and never changes. */
export const tagGroupSchema = new Schema(
  {
    corpId: { type: String, required: true },
    groupId: { type: String, required: true },
    name: { type: String, required: true },
    order: { type: Number, required: true, default: 0 },
    deletedAt: { type: Date, default: null },
  },
  { collection: 'tag_groups', timestamps: true, strict: 'throw' },
);
// Lookup and upsert from change_external_tag callbacks by WeCom group id.
tagGroupSchema.index({ corpId: 1, groupId: 1 }, { unique: true });

export const tagSchema = new Schema(
  {
    corpId: { type: String, required: true },
    tagId: { type: String, required: true },
    groupId: { type: String, required: true },
    name: { type: String, required: true },
    order: { type: Number, required: true, default: 0 },
    deletedAt: { type: Date, default: null },
  },
  { collection: 'tags', timestamps: true, strict: 'throw' },
);
// Lookup by WeCom tag id (contacts carry tag ids); unique per corp.
tagSchema.index({ corpId: 1, tagId: 1 }, { unique: true });
// Listing a group's tags.
tagSchema.index({ corpId: 1, groupId: 1 });
