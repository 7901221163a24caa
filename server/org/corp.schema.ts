import { Schema, type InferSchemaType } from 'mongoose';
import { DEFAULT_TIMEZONE } from './timezone.ts';

export const corpSchema = new Schema(
  {
    corpId: { type: String, required: true },
    name: { type: String, required: true },
    timezone: { type: String, required: true, default: DEFAULT_TIMEZONE },
  },
  { collection: 'corps', timestamps: true, strict: 'throw' },
);
// GET /api/corps and resolving a token's tenant: lookup by WeCom corp id.
corpSchema.index({ corpId: 1 }, { unique: true });

export type CorpDoc = InferSchemaType<typeof corpSchema>;
