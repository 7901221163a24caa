/** Branch conditions and exit conditions, read from the event log and the contact (facts, not guesses). */
import type { Models } from '../../db/models.ts';
import type { TagRepository } from '../../tags/tag.repository.ts';
import type { Condition, ExitCondition } from '../definition/sop.schema.ts';
import type { ContactRouting } from './routing.ts';

/** Inbound event types that count as the contact replying. */
/** The event log and the tag library: what conditions are decided from. */
export type ConditionDeps = { db: { models: Pick<Models, 'Event'> }; tags: Pick<TagRepository, 'list'> };

export const REPLY_TYPES = ['oa_text_message', 'room_message', 'kf.message.text', 'kf.message.image', 'kf.message.voice', 'wecom.message'];

async function eventSince(services: ConditionDeps, corpId: string, contactId: string, types: string[], since: Date): Promise<boolean> {
  return (await services.db.models.Event.countDocuments({ corpId, contactId, type: { $in: types }, occurredAt: { $gte: since } })) > 0;
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
      return (await services.db.models.Event.countDocuments({ corpId, contactId: routing.contactId, type: 'link.clicked', 'payload.stepId': cond.step })) > 0;
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
