/**
 * What happens after a WeCom friend is added, beyond the contact store: live codes (tags, welcome message),
 * add-friend campaigns (lead attribution) and whatever comes next. The core handler calls `run` once the contact
 * and follow relation are stored; each listener decides from `state` (and the contact) whether the add is its
 * own. Listeners run in registration order (welcome messages first: their code lives 20 s) and must be
 * idempotent: a redelivered or re-processed add runs them again.
 */
import type { Logger } from 'pino';
import type { ChannelAdapter, FriendAdded } from '../../adapters/channel-adapter.ts';
import type { StaffDto } from '../org/index.ts';
import type { ChannelAccount } from './channel-account.repository.ts';

export type FriendAddedFacts = {
  event: FriendAdded;
  contactId: string;
  /** The staff member who was added; null while staff are not synced yet. */
  staff: StaffDto | null;
  account: ChannelAccount;
  adapter: ChannelAdapter;
};

export type FriendAddedListener = { name: string; onFriendAdded(facts: FriendAddedFacts): Promise<void> };

export class FriendAddedListeners {
  private readonly listeners: FriendAddedListener[] = [];

  constructor(private readonly logger: Logger) {}

  add(listener: FriendAddedListener): void {
    this.listeners.push(listener);
  }

  /**
   * Runs every listener. One listener's failure is logged and does not stop the others nor the event: the add
   * itself is already stored, and a listener's own ledger says what it still owes.
   */
  async run(facts: FriendAddedFacts): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener.onFriendAdded(facts);
      } catch (err) {
        this.logger.error({ err, listener: listener.name, externalUserId: facts.event.externalUserId }, 'friend-added listener failed');
      }
    }
  }
}
