/**
 * WeCom external-contact events → contact, identity and follow relation. Every step is an upsert keyed on
 * vendor ids, so handling the same event twice leaves the same state. What the event says (external userid,
 * staff member, state, time) is stored whether or not WeCom's API answers; the detail (name, unionid, remark,
 * tags, add way) comes with it when the API answers in time, and from the detail sweep otherwise.
 */
import type { ContactDetail, FriendAdded, FriendDeletedByCustomer, FriendDeletedByStaff, FriendEdited } from '../../adapters/channel-adapter.ts';
import type { HandledEvent, InboundContext } from './inbound-context.ts';
import { upsertWecomCustomer, upsertWecomFollow } from './wecom-apply.ts';

export async function onFriendAddedOrEdited(event: FriendAdded | FriendEdited, ctx: InboundContext): Promise<HandledEvent> {
  const { deps, adapter } = ctx;
  const fetchDetail = adapter.fetchContactDetail?.bind(adapter);
  const looked = fetchDetail
    ? await ctx.deps.details.lookUp(ctx.account, 'contact', event.externalUserId, event.occurredAt, (maxWaitMs) => fetchDetail(event.externalUserId, { maxWaitMs }), detailBudgetMs(event, deps.clock.now()))
    : { fetched: true as const, detail: null };
  const detail: ContactDetail | null = looked.fetched ? looked.detail : null;
  const staff = await deps.org.findStaffByUserId(event.corpId, event.staffUserId);
  const { contact, created } = await upsertWecomCustomer(deps, event.corpId, event.externalUserId, detail, { staff, interactionAt: event.occurredAt });
  if (!staff) {
    // Staff not synced yet: the contact is kept; the relation appears with the next staff sync and callback.
    if (event.kind === 'friend_added') await deps.reactions.run('friend_added', { event, contactId: contact.id, staff: null, account: ctx.account, adapter: ctx.adapter });
    return { contactId: contact.id };
  }
  // What the reactions would otherwise read back: the relation as stored here, and whether the contact is new.
  const known: { contactCreated: boolean; relation?: { remark: string; description: string } } = { contactCreated: created };
  if (looked.fetched) {
    const relation = detail?.follows.find((f) => f.staffUserId === event.staffUserId);
    const state = event.kind === 'friend_added' ? (event.state ?? relation?.state ?? '') : (relation?.state ?? undefined);
    await upsertWecomFollow(deps, event.corpId, contact.id, staff, relation, { ...(state !== undefined ? { state } : {}), addedAt: event.occurredAt });
    known.relation = { remark: relation?.remark ?? '', description: relation?.description ?? '' };
  } else {
    // Without the detail an edit has nothing to say about the relation beyond its existence; an add has its state.
    const state = event.kind === 'friend_added' ? (event.state ?? undefined) : undefined;
    await deps.follows.recordFromEvent(event.corpId, { contactId: contact.id, staff, ...(state !== undefined ? { state } : {}), addedAt: event.occurredAt });
    // A contact created just now has no earlier relation: this one was stored with an empty remark.
    if (created) known.relation = { remark: '', description: '' };
  }
  if (event.kind === 'friend_added') await deps.reactions.run('friend_added', { event, contactId: contact.id, staff, account: ctx.account, adapter: ctx.adapter, ...known });
  return { contactId: contact.id, storeId: staff.storeId };
}

/** A welcome code dies 20 s after the add; its welcome (rendering, the call) needs the last WELCOME_RESERVE_MS of them. */
const WELCOME_CODE_MS = 20_000;
const WELCOME_RESERVE_MS = 5_000;
/**
 * How long after the add a welcome waits for the customer's detail at most. The customer has just added the staff
 * member and is looking at the chat: the greeting is worth more now than with their name later (templates fall
 * back: `{{contact.name|朋友}}`), and in a burst the detail API's rate would otherwise hold the last welcomes of a
 * poster's 2,000 adds about 10 s. What is not fetched by then is owed to the detail sweep.
 */
const WELCOME_DETAIL_MS = 4_000;

/**
 * How long the detail may take: while a welcome code is still alive, until WELCOME_DETAIL_MS after the add and
 * never into the welcome's reserve (0: not asked at all); the default otherwise (no code, or one already dead:
 * the welcome is lost either way).
 */
function detailBudgetMs(event: FriendAdded | FriendEdited, now: Date): number | undefined {
  if (event.kind !== 'friend_added' || !event.welcomeCode) return undefined;
  const windowLeft = event.occurredAt.getTime() + WELCOME_CODE_MS - now.getTime();
  if (windowLeft <= 0) return undefined;
  return Math.max(0, Math.min(windowLeft - WELCOME_RESERVE_MS, event.occurredAt.getTime() + WELCOME_DETAIL_MS - now.getTime()));
}

export async function onFriendDeleted(event: FriendDeletedByStaff | FriendDeletedByCustomer, ctx: InboundContext): Promise<HandledEvent> {
  const { deps } = ctx;
  const contact = await deps.contactChannels.findByIdentity(event.corpId, `wecom:${event.externalUserId}`);
  const staff = await deps.org.findStaffByUserId(event.corpId, event.staffUserId);
  if (!contact || !staff) return { contactId: contact?.id ?? null };
  // Recomputes the contact's store, staff, lifecycle and reachability from the relations left.
  await deps.follows.markDeleted(event.corpId, contact.id, staff.id, event.kind === 'friend_deleted_by_staff' ? 'staff' : 'customer', event.occurredAt);
  return { contactId: contact.id, storeId: staff.storeId };
}
