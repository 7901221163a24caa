/**
 * Handover's inbound reactions, registered where the services are built, from narrow dependencies: handover owns
 * `friend_transfer_failed`, so the contact it names goes into the event log and a failure retries the inbox row.
 */
import type { InboundReactions } from '../channels/index.ts';
import type { Models } from '../db/models.ts';
import type { Clock } from '../shared/clock.ts';
import { settleTransferFailed } from './handover-settle.ts';
import { HandoverRepository } from './handover.repository.ts';

export type HandoverReactionDeps = { reactions: InboundReactions; models: Models; clock: Clock };

export function wireHandoverReactions(deps: HandoverReactionDeps): void {
  const repo = new HandoverRepository(deps.models);
  deps.reactions.own('friend_transfer_failed', { name: 'handover', handle: ({ event }) => settleTransferFailed(repo, deps.clock, event) });
}
