/** The live-codes collections: the codes, their welcome ledger and their add ledger. */
import type { Connection } from 'mongoose';
import { liveCodeAddSchema, liveCodeSchema, liveCodeWelcomeSchema } from './live-code.schema.ts';

export function registerLiveCodesModels(conn: Connection) {
  return {
    LiveCode: conn.model('LiveCode', liveCodeSchema),
    LiveCodeWelcome: conn.model('LiveCodeWelcome', liveCodeWelcomeSchema),
    LiveCodeAdd: conn.model('LiveCodeAdd', liveCodeAddSchema),
  };
}

export type LiveCodesModels = ReturnType<typeof registerLiveCodesModels>;
