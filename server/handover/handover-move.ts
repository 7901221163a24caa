/**
 * What follows a customer once WeCom confirms the takeover: the follow relation (copied to the new member with
 * remark, tags and channel code; the old one ended), open staff tasks, live SOP runs and their planned touches,
 * the home store when it was the old member's, and every registered participant (campaign leads …). Each step is
 * a conditional update on the old member's rows, so running the move again changes nothing.
 */
import type { OrgModule } from '../org/index.ts';
import type { Modules } from '../modules.ts';
import { corpScope } from '../shared/scope.ts';

type Member = Awaited<ReturnType<OrgModule['getStaff']>>;

export type MovedRecords = { follow: boolean; tasks: number; enrollments: number; touches: number; participants: Record<string, number | { error: string }> };

export async function moveCustomer(services: Modules, corpId: string, move: { contactId: string; from: Member; to: Member; at: Date; key: string }): Promise<MovedRecords> {
  const m = services.db.models;
  const { contactId, from, to, at } = move;
  const scope = corpScope(corpId);
  const storeChanges = from.storeId !== to.storeId;
  if (storeChanges) await m.Contact.updateOne({ _id: contactId, corpId, homeStoreId: from.storeId }, { $set: { homeStoreId: to.storeId } }, { timestamps: false });

  const [old, existing] = await Promise.all([m.Follow.findOne({ corpId, contactId, staffId: from.id }).lean(), m.Follow.findOne({ corpId, contactId, staffId: to.id, deletedAt: null }).lean()]);
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
  for (const p of services.handoverParticipants.list()) {
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
