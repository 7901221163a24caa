import { Schema, type InferSchemaType, type Types } from 'mongoose';

/**
 * A published SOP and its versions. `definition` is the parsed YAML/API model (validated by sopSchema before it
 * is stored); `contentPins` fixes the content template versions the SOP was published with, so a running SOP
 * keeps sending those until HQ publishes the SOP again.
 */
export const sopRecordSchema = new Schema(
  {
    corpId: { type: String, required: true },
    sopId: { type: String, required: true },
    name: { type: String, required: true },
    status: { type: String, enum: ['draft', 'enabled', 'paused'], required: true, default: 'draft' },
    version: { type: Number, required: true },
    priority: { type: Number, required: true, default: 50 },
    triggerType: { type: String, enum: ['event', 'audience', 'schedule'], required: true },
    triggerEvent: { type: String, default: null },
    definition: { type: Schema.Types.Mixed, required: true },
    contentPins: { type: Schema.Types.Mixed, default: {} },
    source: { type: String, enum: ['file', 'api'], required: true },
    enabledAt: { type: Date, default: null },
    pausedAt: { type: Date, default: null },
  },
  { collection: 'sops', timestamps: true, strict: 'throw', minimize: false },
);
// Lookup by the SOP's own id (files and API).
sopRecordSchema.index({ corpId: 1, sopId: 1 }, { unique: true });
// Event triggers: enabled SOPs listening for one event.
sopRecordSchema.index({ corpId: 1, status: 1, triggerEvent: 1 });

export const sopVersionSchema = new Schema(
  {
    corpId: { type: String, required: true },
    sopId: { type: String, required: true },
    version: { type: Number, required: true },
    definition: { type: Schema.Types.Mixed, required: true },
    contentPins: { type: Schema.Types.Mixed, default: {} },
    publishedAt: { type: Date, required: true },
    publishedBy: { type: String, default: null },
  },
  { collection: 'sop_versions', strict: 'throw', versionKey: false, minimize: false },
);
// History of one SOP; also what dry runs and audits read.
sopVersionSchema.index({ corpId: 1, sopId: 1, version: 1 }, { unique: true });

export type SopRecordDoc = InferSchemaType<typeof sopRecordSchema>;
/** A published SOP's stored row (lean). */
export type SopRecordRow = SopRecordDoc & { _id: Types.ObjectId; createdAt?: Date; updatedAt?: Date };
