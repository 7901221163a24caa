/**
 * What follows a customer once WeCom confirms the takeover: the follow relation (copied to the new member with
 * remark, tags and channel code; the old one ended), open staff tasks, live SOP runs and their planned touches,
 * the home store when it was the old member's, and every registered participant (campaign leads …). Each step is
 * a conditional update on the old member's rows, so running the move again changes nothing.
 */
import { isDuplicateKeyError } from '../errors.ts';
import type { OrgModule } from '../org/index.ts';
import type { Services } from '../services.ts';
import { corpScope } from '../shared/scope.ts';

type Member = Awaited<ReturnType<OrgModule['getStaff']>>;

export type MovedRecords = { follow: boolean; tasks: number; enrollments: number; touches: number; participants: Record<string, number | { error: string }> };

export async function moveCustomer(services: Services, corpId: string, move: { contactId: string; from: Member; to: Member; at: Date; key: string }): Promise<MovedRecords> {
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

  const tasks = await moveTasks(services, corpId, contactId, from, to);
  const tz = storeChanges ? (await services.org.getStore(scope, to.storeId).catch(() => null))?.timezone : undefined;
  const runs = await m.Enrollment.updateMany(
    { corpId, contactId, staffId: from.id, status: { $in: ['active', 'paused'] } },
    { $set: { staffId: to.id, storeId: to.storeId, ...(tz ? { tz } : {}) } },
  );
  const touches = await m.Touch.updateMany({ corpId, contactId, staffId: from.id, status: { $in: ['scheduled', 'held'] } }, { $set: { staffId: to.id, storeId: to.storeId } });

  const participants: MovedRecords['participants'] = {};
  for (const p of services.handoverParticipants.list()) {
    try {
      participants[p.name] = (await p.moveCustomer(scope, { contactId, fromStaffId: from.id, toStaffId: to.id })) ?? 0;
    } catch (err) {
      participants[p.name] = { error: (err as Error).message };
    }
  }
  const moved = { follow: true, tasks, enrollments: runs.modifiedCount, touches: touches.modifiedCount, participants };
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

/**
 * Open tasks about only this customer change hands; a task about several customers (a mass-send confirmation)
 * stays with the old member minus this customer, and the customer joins a sibling task of the new member.
 */
async function moveTasks(services: Services, corpId: string, contactId: string, from: Member, to: Member): Promise<number> {
  const m = services.db.models;
  const own = await m.StaffTask.updateMany({ corpId, staffId: from.id, status: 'open', contactIds: [contactId] }, { $set: { staffId: to.id, storeId: to.storeId } });
  const shared = await m.StaffTask.find({ corpId, staffId: from.id, status: 'open', contactIds: contactId }).lean();
  for (const task of shared) {
    const { _id, key, staffId: _s, storeId: _st, contactIds: _c, createdAt: _ca, updatedAt: _ua, ...rest } = task as typeof task & { createdAt?: Date; updatedAt?: Date };
    const join = () => m.StaffTask.updateOne({ corpId, key: `${key}>handover:${to.id}` }, { $setOnInsert: { ...rest, staffId: to.id, storeId: to.storeId }, $addToSet: { contactIds: contactId } }, { upsert: true });
    // Two customers of one task moving at once race to create the sibling: the loser joins the winner's.
    await join().catch((err: unknown) => (isDuplicateKeyError(err) ? join() : Promise.reject(err)));
    await m.StaffTask.updateOne({ _id, corpId }, { $pull: { contactIds: contactId } });
  }
  return own.modifiedCount + shared.length;
}
