import { Schema, type InferSchemaType, type MongooseQueryMiddleware } from 'mongoose';
import { CHANNELS } from '../shared/send-channels.ts';
import { attachmentSubSchema } from './content-template.schema.ts';

/**
 * A published version of a content template. Written once and never changed or deleted: a running SOP keeps
 * sending the version it was published with until HQ publishes a new one. The model refuses updates and
 * deletes, so a bug cannot rewrite history either.
 */
export const contentVersionSchema = new Schema(
  {
    corpId: { type: String, required: true },
    templateId: { type: String, required: true },
    version: { type: Number, required: true, min: 1 },
    text: { type: String, default: '' },
    attachments: { type: [attachmentSubSchema], default: [] },
    /** The channels whose checks this version passed. */
    channels: { type: [{ type: String, enum: CHANNELS }], default: [] },
    publishedAt: { type: Date, required: true },
    /** Staff id, else the API token id, of whoever published. */
    publishedBy: { type: String, required: true },
  },
  { collection: 'content_versions', strict: 'throw' },
);
// A pinned version by number (SOP sends); version history and the next number (sorted by version). Unique,
// so two concurrent publishes cannot both write version N.
contentVersionSchema.index({ corpId: 1, templateId: 1, version: 1 }, { unique: true });

const WRITES: MongooseQueryMiddleware[] = ['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace', 'deleteOne', 'deleteMany', 'findOneAndDelete'];
contentVersionSchema.pre(WRITES, function refuse() {
  throw new Error('content_versions are immutable: publish a new version instead');
});
contentVersionSchema.pre('save', function refuseResave() {
  if (!this.isNew) throw new Error('content_versions are immutable: publish a new version instead');
});

export type ContentVersionDoc = InferSchemaType<typeof contentVersionSchema>;
