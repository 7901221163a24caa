import { Schema } from 'mongoose';

/**
 * One row per firing of a scheduled SOP (a cron time, or an audience SOP's daily_at) in one store. The unique key
 * makes a firing happen once however many scheduler processes see it due.
 */
export const scheduleFireSchema = new Schema(
  {
    corpId: { type: String, required: true },
    sopId: { type: String, required: true },
    storeId: { type: String, required: true },
    fireAt: { type: Date, required: true },
    firedAt: { type: Date, required: true },
    enrolled: { type: Number, default: 0 },
  },
  { collection: 'sop_schedule_fires', strict: 'throw', versionKey: false },
);
// Exactly-once firing, and "when did this SOP last fire in this store".
scheduleFireSchema.index({ corpId: 1, sopId: 1, storeId: 1, fireAt: 1 }, { unique: true });
