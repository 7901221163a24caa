import { Schema, type InferSchemaType } from 'mongoose';

/**
 * A saved contact filter (人群包): a name and the list filter as the API takes it. Filters, not member lists, so
 * applying one always answers with today's contacts; a store manager applying a corp-wide one sees only their store.
 */
export const segmentSchema = new Schema(
  {
    corpId: { type: String, required: true },
    name: { type: String, required: true },
    filter: { type: Schema.Types.Mixed, required: true },
    createdBy: { type: String, default: null },
  },
  { collection: 'contact_segments', timestamps: true, strict: 'throw', minimize: false },
);
// A corp's saved filters by name (the list); names are unique per corp so a list of them reads unambiguously.
segmentSchema.index({ corpId: 1, name: 1 }, { unique: true });

export type SegmentDoc = InferSchemaType<typeof segmentSchema>;
