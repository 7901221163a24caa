import { Schema } from 'mongoose';

/** The event-trigger cursor (one row, `main`): the last event id whose triggers fired, and who reads now. */
export const triggerFeedSchema = new Schema(
  { _id: { type: String }, lastEventId: { type: String, default: null }, leaseOwner: { type: String, default: null }, leaseUntil: { type: Date, default: null } },
  { collection: 'sop_trigger_feed', versionKey: false, strict: 'throw' },
);
