/** Branch conditions and exit conditions, read from the event log and the contact (facts, not guesses). */
import { REPLY_TYPES } from '../../shared/reply-types.ts';
import type { Condition, ExitCondition } from '../definition/sop.schema.ts';
import type { ContactRouting } from './routing.ts';
import type { SopEvents, SopTags } from './sop-ports.ts';

/** The event log and the tag library: what conditions are decided from. */
export type ConditionDeps = { events: Pick<SopEvents, 'hasSince' | 'clickedStep'>; tags: Pick<SopTags, 'list'> };

function eventSince(services: ConditionDeps, corpId: string, contactId: string, types: string[], since: Date): Promise<boolean> {
  return services.events.hasSince(corpId, contactId, types, since);
}

export async function evaluateCondition(services: ConditionDeps, corpId: string, routing: ContactRouting, cond: Condition, stepTimes: Record<string, Date>, enteredAt: Date): Promise<boolean> {
  switch (cond.kind) {
    case 'replied':
      return eventSince(services, corpId, routing.contactId, REPLY_TYPES, (cond.since && stepTimes[cond.since]) || enteredAt);
    case 'has_tag': {
      const groups = await services.tags.list(corpId);
      const id = groups.flatMap((g) => g.tags).find((t) => t.name === cond.tag)?.tagId;
      return id !== undefined && routing.tagIds.includes(id);
    }
    case 'clicked':
      return services.events.clickedStep(corpId, routing.contactId, cond.step);
  }
}

/** The first exit condition that holds, or null. Opted-out and deleted contacts always leave. */
export async function exitReason(services: ConditionDeps, corpId: string, routing: ContactRouting, exitOn: readonly ExitCondition[], enteredAt: Date, subject: string): Promise<string | null> {
  if (subject !== 'contact') return null;
  if (routing.optedOut) return 'opted_out';
  if (!routing.reachable) return 'friend_deleted';
  if (exitOn.includes('replied') && (await eventSince(services, corpId, routing.contactId, REPLY_TYPES, enteredAt))) return 'replied';
  if (exitOn.includes('converted') && (await eventSince(services, corpId, routing.contactId, ['conversion'], enteredAt))) return 'converted';
  return null;
}
