/**
 * Which rows of a claimed batch must stay in order: those about one subject (a customer, a group, a kf account's
 * message stream, the corp's tag list, a follower). Rows about different subjects are applied side by side; the
 * contact store's identity upserts already settle two rows that meet at one person (a duplicate key is retried).
 */
import type { InboundEvent } from '../../adapters/channel-events.ts';

/** The subject a row's events are about, or null when nothing ties it to another row. */
export function subjectOf(events: readonly InboundEvent[]): string | null {
  const e = events[0];
  if (!e) return null;
  const at = `${e.channel}:${e.corpId}`;
  switch (e.kind) {
    case 'friend_added':
    case 'friend_edited':
    case 'friend_deleted_by_staff':
    case 'friend_deleted_by_customer':
    case 'friend_transfer_failed':
      return `${at}:customer:${e.externalUserId}`;
    case 'group_created':
    case 'group_updated':
    case 'group_dismissed':
      return `${at}:group:${e.chatId}`;
    // Tag ids and groups interlock (a group's deletion takes its tags): one lane for the corp's tag list.
    case 'corp_tag_created':
    case 'corp_tag_updated':
    case 'corp_tag_deleted':
    case 'corp_tag_shuffled':
      return `${at}:tags`;
    // sync_msg reads on from the account's cursor: two syncs of one account at once would read the same page.
    case 'kf_messages_available':
      return `${at}:kf:${e.openKfId}`;
    case 'room_message':
    case 'room_joined':
    case 'room_left':
      return `${at}:room:${e.roomId}`;
    case 'friendship_requested':
    case 'friendship_confirmed':
      return `${at}:friend:${e.contactId}`;
    case 'unknown':
      return null;
    default:
      return 'openId' in e ? `${at}:oa:${e.accountId}:${e.openId}` : `${at}:${e.kind}`;
  }
}

/**
 * A row that only says "pull what is new": a kf account's messages available, or a change to the corp's tag list
 * other than a deletion (its handler mirrors the whole list from get_corp_tag_list, deletions included). A pull
 * started after such a row was recorded reads everything it announces, so several waiting for one subject are
 * done by one pull.
 */
export function isPullTrigger(events: readonly InboundEvent[]): boolean {
  const waitsOn = events.length === 1 ? vendorWaitOf(events) : null;
  return waitsOn === 'kf' || waitsOn === 'tags';
}

/** What applying a row waits on besides the database: the vendor API it calls, each with its own rate. */
export type VendorWait = 'contact' | 'group' | 'tags' | 'kf' | 'follower';

/**
 * The vendor API a row's handler calls (a customer's or a group's detail, the corp's tag list, a kf pull, a
 * follower's profile), or null for rows the database alone applies. The processor gives each its own lanes, so
 * rows paced by a vendor's rate neither hold the lanes of rows that need only the database nor starve each other.
 */
export function vendorWaitOf(events: readonly InboundEvent[]): VendorWait | null {
  const e = events[0];
  switch (e?.kind) {
    case 'friend_added':
    case 'friend_edited':
      return 'contact';
    case 'group_created':
    case 'group_updated':
      return 'group';
    case 'corp_tag_created':
    case 'corp_tag_updated':
    case 'corp_tag_shuffled':
      return 'tags';
    case 'kf_messages_available':
      return 'kf';
    case 'oa_subscribed':
      return 'follower';
    default:
      return null;
  }
}
