/**
 * WeCom customers and groups → the contact store, shared by the callback handlers (one customer or group per
 * event) and the full sync (sync/wecom-sync.service.ts), so both paths leave the same state. Every step is an
 * upsert keyed on vendor ids.
 */
import type { ContactDetail, GroupDetail } from '../../adapters/channel-adapter.ts';
import type { ContactIdentityRepository, FollowInput, FollowRepository, Identity, UpsertResult } from '../contacts/index.ts';
import type { GroupMemberInput, GroupsModule } from '../groups/index.ts';
import type { OrgModule } from '../org/index.ts';

/** What applying WeCom customers and groups writes through (the contacts, groups and org faces). */
export type WecomApplyDeps = {
  identities: Pick<ContactIdentityRepository, 'upsert'>;
  follows: Pick<FollowRepository, 'upsert' | 'stateOf'>;
  groups: Pick<GroupsModule, 'syncMembers'>;
  org: Pick<OrgModule, 'findStaffByUserId'>;
};

/** One staff member's relation to a customer, as WeCom's follow_user describes it. */
export type WecomRelation = ContactDetail['follows'][number];

/**
 * The contact of a WeCom customer: its external userid plus unionid, name and avatar from the detail when there
 * is one, and the staff member's store as home store.
 */
export function upsertWecomCustomer(
  deps: Pick<WecomApplyDeps, 'identities'>,
  corpId: string,
  externalUserId: string,
  detail: Pick<ContactDetail, 'name' | 'avatar' | 'unionId'> | null,
  opts: { staff: { storeId: string } | null; interactionAt?: Date },
): Promise<UpsertResult> {
  const identities: Identity[] = [{ kind: 'wecom', externalUserId }];
  if (detail?.unionId) identities.push({ kind: 'unionid', unionid: detail.unionId });
  return deps.identities.upsert(corpId, {
    identities,
    profile: { ...(detail?.name ? { name: detail.name } : {}), ...(detail?.avatar ? { avatar: detail.avatar } : {}), ...(opts.staff ? { homeStoreId: opts.staff.storeId } : {}) },
    interactionAt: opts.interactionAt,
  });
}

/** The follow relation between a contact and a staff member; without a WeCom relation, empty fields and `addedAt`. */
export function upsertWecomFollow(
  deps: Pick<WecomApplyDeps, 'follows'>,
  corpId: string,
  contactId: string,
  staff: FollowInput['staff'],
  relation: WecomRelation | undefined,
  opts: { state?: string; addedAt: Date },
): Promise<void> {
  return deps.follows.upsert(corpId, {
    contactId,
    staff,
    remark: relation?.remark ?? '',
    description: relation?.description ?? '',
    tagIds: relation?.tagIds ?? [],
    addWay: relation?.addWay ?? 0,
    ...(opts.state !== undefined ? { state: opts.state } : {}),
    addedAt: relation?.addedAt ?? opts.addedAt,
  });
}

/**
 * An owed customer detail arrived (the detail sweep): name, unionid and avatar on the contact, remark, tags and
 * add way on each relation with a synced staff member. A state the add already stored is kept when WeCom's
 * relation has none. Returns the contact id.
 */
export async function applyContactDetail(deps: Pick<WecomApplyDeps, 'identities' | 'follows' | 'org'>, corpId: string, detail: ContactDetail): Promise<string> {
  const staffOf = async (userId: string) => deps.org.findStaffByUserId(corpId, userId);
  const first = detail.follows[0] ? await staffOf(detail.follows[0].staffUserId) : null;
  const { contact } = await upsertWecomCustomer(deps, corpId, detail.externalUserId, detail, { staff: first });
  for (const relation of detail.follows) {
    const staff = await staffOf(relation.staffUserId);
    if (!staff) continue;
    const state = relation.state ?? (await deps.follows.stateOf(corpId, contact.id, staff.id)) ?? undefined;
    await upsertWecomFollow(deps, corpId, contact.id, staff, relation, { ...(state !== undefined ? { state } : {}), addedAt: relation.addedAt });
  }
  return contact.id;
}

/**
 * A whole group from groupchat/get: its external members become contacts, then the member list is applied with
 * its history (see CustomerGroupRepository.syncMembers). Returns the owner's store and how many contacts are new.
 */
export async function applyGroupDetail(deps: Pick<WecomApplyDeps, 'identities' | 'groups' | 'org'>, corpId: string, detail: GroupDetail, at: Date): Promise<{ storeId: string | null; createdContacts: number }> {
  const owner = await deps.org.findStaffByUserId(corpId, detail.ownerUserId);
  const members: GroupMemberInput[] = [];
  let createdContacts = 0;
  for (const m of detail.members) {
    let contactId: string | null = null;
    if (m.type === 'external') {
      // Group members who are nobody's friend yet are still customers: one contact per person, joined by unionid.
      const identities: Identity[] = [{ kind: 'wecom', externalUserId: m.userId }];
      if (m.unionId) identities.push({ kind: 'unionid', unionid: m.unionId });
      const upserted = await deps.identities.upsert(corpId, { identities });
      contactId = upserted.contact.id;
      if (upserted.created) createdContacts++;
    }
    members.push({ memberType: m.type, userId: m.userId, contactId, joinTime: m.joinTime, joinScene: m.joinScene });
  }
  await deps.groups.syncMembers(
    corpId,
    { chatId: detail.chatId, name: detail.name, ownerUserId: detail.ownerUserId, storeId: owner?.storeId ?? null, notice: detail.notice, members },
    at,
  );
  return { storeId: owner?.storeId ?? null, createdContacts };
}
