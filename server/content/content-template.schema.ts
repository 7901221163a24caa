import { Schema, type InferSchemaType } from 'mongoose';
import { CHANNELS } from '../shared/send-channels.ts';
import { ATTACHMENT_TYPES } from './content-body.ts';

/** One attachment as stored (draft and published versions alike); optional fields depend on `type`. */
export const attachmentSubSchema = new Schema(
  {
    type: { type: String, enum: ATTACHMENT_TYPES, required: true },
    url: { type: String },
    title: { type: String },
    desc: { type: String },
    picUrl: { type: String },
    appId: { type: String },
    page: { type: String },
  },
  { _id: false, strict: 'throw' },
);

const bodySchema = new Schema(
  {
    text: { type: String, default: '' },
    attachments: { type: [attachmentSubSchema], default: [] },
  },
  { _id: false, strict: 'throw' },
);

/**
 * A content template (内容中心 / central kitchen): HQ writes it once for every store. `draft` is what writers
 * edit; publishing copies it into an immutable `content_versions` row and mirrors that row in `published`,
 * so staff lists of published content (quick replies) are one query. Archiving hides the template; its
 * versions stay readable for SOP runs that pinned them.
 */
export const contentTemplateSchema = new Schema(
  {
    corpId: { type: String, required: true },
    /** kebab-case, unique per corp (archived ones included): the id SOP steps reference, e.g. tpl-onboarding-day0. */
    templateId: { type: String, required: true },
    name: { type: String, required: true },
    /** Where staff use it, e.g. 欢迎语, 售后, 活动; quick replies are grouped by scene. */
    scene: { type: String, required: true },
    tags: { type: [String], default: [] },
    /** Channels the template is written for; publishing checks each one's limits. */
    channels: { type: [{ type: String, enum: CHANNELS }], default: [] },
    draft: { type: bodySchema, required: true },
    publishedVersion: { type: Number, default: null },
    published: {
      type: new Schema(
        {
          text: { type: String, default: '' },
          attachments: { type: [attachmentSubSchema], default: [] },
          channels: { type: [{ type: String, enum: CHANNELS }], default: [] },
          publishedAt: { type: Date, required: true },
          publishedBy: { type: String, required: true },
        },
        { _id: false, strict: 'throw' },
      ),
      default: null,
    },
    createdBy: { type: String, default: null },
    updatedBy: { type: String, default: null },
    archivedAt: { type: Date, default: null },
  },
  { collection: 'content_templates', timestamps: true, strict: 'throw' },
);
// Get, edit, publish and preview by template id; SOP steps resolve their tpl- ids here. Unique per corp.
contentTemplateSchema.index({ corpId: 1, templateId: 1 }, { unique: true });
// The library list: live templates, newest first, cursor on _id (text and published filters apply on top).
contentTemplateSchema.index({ corpId: 1, archivedAt: 1, _id: -1 });
// Quick replies grouped by scene: list one scene's live templates, newest first.
contentTemplateSchema.index({ corpId: 1, scene: 1, archivedAt: 1, _id: -1 });
// Filter by tag (multikey).
contentTemplateSchema.index({ corpId: 1, tags: 1 });

export type ContentTemplateDoc = InferSchemaType<typeof contentTemplateSchema>;
