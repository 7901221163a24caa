/** The handover collections: handover jobs and one row per customer handed over. */
import type { Connection } from 'mongoose';
import { handoverItemSchema, handoverSchema } from './handover.schema.ts';

export function registerHandoverModels(conn: Connection) {
  return {
    Handover: conn.model('Handover', handoverSchema),
    HandoverItem: conn.model('HandoverItem', handoverItemSchema),
  };
}

export type HandoverModels = ReturnType<typeof registerHandoverModels>;
