/** Signed callback parameters already seen (callback-guard.ts): one row per account and parameters. */
import { isDuplicateKeyError } from '../errors.ts';
import type { ChannelsModels } from './channels.models.ts';

export type ReplayKey = { accountId: string; key: string; digest: string; expiresAt: Date };

export class CallbackReplayRepository {
  constructor(private readonly models: Pick<ChannelsModels, 'CallbackReplay'>) {}

  /** Stores the key; false when these parameters were stored before (the unique index answers, one round trip). */
  async remember(row: ReplayKey): Promise<boolean> {
    try {
      await this.models.CallbackReplay.collection.insertOne({ ...row });
      return true;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      return false;
    }
  }

  /** The payload digest the parameters first came with, or null when they are not (or no longer) stored. */
  async digestOf(accountId: string, key: string): Promise<string | null> {
    const seen = await this.models.CallbackReplay.findOne({ accountId, key }).lean();
    return seen?.digest ?? null;
  }
}
