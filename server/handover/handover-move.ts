/**
 * What follows a customer once WeCom confirms the takeover: the follow relation (copied to the new member with
 * remark, tags and channel code; the old one ended), open staff tasks, live SOP runs and their planned touches,
 * the home store when it was the old member's, and every registered participant (campaign leads …). Each step is
 * a conditional update on the old member's rows, so running the move again changes nothing.
 */
import type { OrgModule } from '../org/index.ts';
import { corpScope } from '../shared/scope.ts';
import type { TasksModule } from '../tasks/index.ts';
import type { HandoverParticipants } from './handover-participants.ts';

type Member = Awaited<ReturnType<OrgModule['getStaff']>>;

type Relation = { remark?: string | null; description?: string | null; tagIds?: string[] | null; addWay?: number | null; state?: string | null; deletedAt?: Date | null };
type Reassigned = (corpId: string, contactId: string, fromStaffId: string, to: { staffId: string; storeId: string; tz?: string }) => Promise<number>;

/** What moving a customer changes in other domains, as their faces declare it. */
export type MoveDeps = {
  contacts: { moveHomeStore(corpId: string, contactId: string, fromStoreId: string, toStoreId: string): Promise<void> };
  follows: {
    relationOf(corpId: string, contactId: string, staffId: string, opts?: { live?: boolean }): Promise<Relation | null>;
    upsert(corpId: string, f: { contactId: string; staff: Member; remark: string; description: string; tagIds: string[]; addWay: number; state: string; addedAt: Date }): Promise<void>;
    markDeleted(corpId: string, contactId: string, staffId: string, by: 'staff', at: Date): Promise<void>;
  };
  tasks: Pick<TasksModule, 'handOver'>;
  org: Pick<OrgModule, 'getStore'>;
  ledger: { runs: { reassignStaff: Reassigned }; touches: { reassignStaff: Reassigned } };
  participants: Pick<HandoverParticipants, 'list'>;
  events: { append(corpId: string, e: { key: string; direction: 'internal'; channel: 'siyu'; type: string; contactId: string; storeId: string; occurredAt: Date; payload: Record<string, unknown> }): Promise<unknown> };
};

export type MovedRecords = { follow: boolean; tasks: number; enrollments: number; touches: number; participants: Record<string, number | { error: string }> };

export async function moveCustomer(services: MoveDeps, corpId: string, move: { contactId: string; from: Member; to: Member; at: Date; key: string }): Promise<MovedRecords> {
  const { contactId, from, to, at } = move;
  const scope = corpScope(corpId);
  const storeChanges = from.storeId !== to.storeId;
  if (storeChanges) await services.contacts.moveHomeStore(corpId, contactId, from.storeId, to.storeId);

  const [old, existing] = await Promise.all([services.follows.relationOf(corpId, contactId, from.id), services.follows.relationOf(corpId, contactId, to.id, { live: true })]);
  // A customer who already was the new member's friend keeps that relation as it is (WeCom does the same).
  if (!existing) await services.follows.upsert(corpId, {
    contactId,
    staff: to,
    remark: old?.remark ?? '',
    description: old?.description ?? '',
    tagIds: old?.tagIds ?? [],
    addWay: old?.addWay ?? 0,
    state: old?.state ?? '',
    addedAt: at,
  });
  if (old && !old.deletedAt) await services.follows.markDeleted(corpId, contactId, from.id, 'staff', at);

  const tasks = await services.tasks.handOver(corpId, contactId, from, to);
  const tz = storeChanges ? (await services.org.getStore(scope, to.storeId).catch(() => null))?.timezone : undefined;
  const enrollments = await services.ledger.runs.reassignStaff(corpId, contactId, from.id, { staffId: to.id, storeId: to.storeId, ...(tz ? { tz } : {}) });
  const touches = await services.ledger.touches.reassignStaff(corpId, contactId, from.id, { staffId: to.id, storeId: to.storeId });

  const participants: MovedRecords['participants'] = {};
  for (const p of services.participants.list()) {
    try {
      participants[p.name] = (await p.moveCustomer(scope, { contactId, fromStaffId: from.id, toStaffId: to.id })) ?? 0;
    } catch (err) {
      participants[p.name] = { error: (err as Error).message };
    }
  }
  const moved = { follow: true, tasks, enrollments, touches, participants };
  await services.events.append(corpId, {
    key: `handover:${move.key}`,
    direction: 'internal',
    channel: 'siyu',
    type: 'contact.handed_over',
    contactId,
    storeId: to.storeId,
    occurredAt: at,
    payload: { fromStaffId: from.id, toStaffId: to.id, moved },
  });
  return moved;
}
