/** Where kf/sync_msg stopped for each 客服 account, so a restart resumes instead of replaying three days. */
import type { Clock } from '../shared/clock.ts';
import type { ChannelsModels } from './channels.models.ts';

export class KfCursorRepository {
  constructor(
    private readonly models: Pick<ChannelsModels, 'KfCursor'>,
    private readonly clock: Clock,
  ) {}

  async get(accountId: string, openKfId: string): Promise<string | null> {
    const saved = await this.models.KfCursor.findOne({ accountId, openKfId }).lean();
    return saved?.cursor ?? null;
  }

  async save(accountId: string, openKfId: string, cursor: string | null): Promise<void> {
    await this.models.KfCursor.updateOne({ accountId, openKfId }, { $set: { cursor, updatedAt: this.clock.now() } }, { upsert: true });
  }
}
