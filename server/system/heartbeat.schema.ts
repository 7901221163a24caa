import { Schema } from 'mongoose';

/** One row per scheduler process, refreshed by the heartbeat job; /healthz reports whether any is alive. */
export const heartbeatSchema = new Schema(
  {
    processId: { type: String, required: true },
    roles: { type: [String], default: [] },
    host: { type: String, required: true },
    beatAt: { type: Date, required: true },
  },
  { collection: 'heartbeats', strict: 'throw', versionKey: false },
);
// Upsert by process.
heartbeatSchema.index({ processId: 1 }, { unique: true });
