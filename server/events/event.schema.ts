import { Schema, type InferSchemaType } from 'mongoose';

/**
 * Append-only log: one document per inbound or outbound fact. `key` is the idempotency key (e.g. a vendor
 * message id, or corp + event + ids + time): the unique index stores a replayed delivery once.
 */
export const eventSchema = new Schema(
  {
    corpId: { type: String, required: true },
    key: { type: String, required: true },
    direction: { type: String, enum: ['inbound', 'outbound', 'internal'], required: true },
    channel: { type: String, required: true },
    type: { type: String, required: true },
    contactId: { type: String, default: null },
    storeId: { type: String, default: null },
    occurredAt: { type: Date, required: true },
    recordedAt: { type: Date, required: true },
    payload: { type: Schema.Types.Mixed, default: {} },
  },
  { collection: 'events', strict: 'throw', versionKey: false },
);
// The idempotency guarantee: a replayed delivery collides here and is stored once.
eventSchema.index({ corpId: 1, key: 1 }, { unique: true });
// A contact's timeline, newest first.
eventSchema.index({ corpId: 1, contactId: 1, _id: -1 });

export type EventDoc = InferSchemaType<typeof eventSchema>;
