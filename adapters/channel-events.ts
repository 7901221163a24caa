/**
 * The domain events channel adapters produce, one type per vendor event. Re-exported by channel-adapter.ts,
 * which is what the core imports. Key rules and core reactions per event: docs/channel-events.md.
 */

/** The channels Siyu speaks. WeChat customer service (微信客服, "kf") belongs to the WeCom adapter. */
export type ChannelKind = 'wecom' | 'official_account' | 'wechaty';

// ─── Inbound events ──────────────────────────────────────────────────────────────────────────────────────

/**
 * Fields every inbound event carries. `idempotencyKey` is built only from the vendor's identity for the
 * message or event (never from arrival time), so a redelivery gets the same key and the event log keeps one
 * row per (corpId, key). WeCom events without a MsgId use `wecom:{CorpID}:{Event}[:{ChangeType}]:{ids}:{CreateTime}`;
 * the ids per kind are listed on each type.
 */
export type InboundEventBase<K extends string, C extends ChannelKind> = {
  kind: K;
  channel: C;
  /** The tenant's WeCom CorpID: `ToUserName` for WeCom, the owning account's corp for other channels. */
  corpId: string;
  idempotencyKey: string;
  /** The vendor's `CreateTime` (seconds precision). */
  occurredAt: Date;
};

/** A WeCom customer (external contact) paired with one staff member. */
type Pair = { staffUserId: string; externalUserId: string };

/**
 * `add_external_contact` (staff added a customer) or `add_half_external_contact` (the customer added a staff
 * member with 免验证 on, not yet confirmed: `half`). `state` is the 「联系我」/获客链接 code; `welcomeCode` is
 * valid 20 s. Key ids: UserID, ExternalUserID (the ChangeType in the key tells the two apart).
 */
export type FriendAdded = InboundEventBase<'friend_added', 'wecom'> &
  Pair & { state: string | null; welcomeCode: string | null; half: boolean };
/** `edit_external_contact`: staff edited remark, description or tags. Key ids: UserID, ExternalUserID. */
export type FriendEdited = InboundEventBase<'friend_edited', 'wecom'> & Pair;
/**
 * `del_external_contact`: staff deleted the customer. `byTransfer` when `Source` is `DELETE_BY_TRANSFER`
 * (removed by 在职继承, not by the staff member). Key ids: UserID, ExternalUserID.
 */
export type FriendDeletedByStaff = InboundEventBase<'friend_deleted_by_staff', 'wecom'> &
  Pair & { source: string | null; byTransfer: boolean };
/** `del_follow_user`: the customer deleted the staff member. Key ids: UserID, ExternalUserID. */
export type FriendDeletedByCustomer = InboundEventBase<'friend_deleted_by_customer', 'wecom'> & Pair;
/**
 * `transfer_fail`: a customer transfer (继承) failed. `reason` is `customer_refused` or `customer_limit_exceed`
 * (kept verbatim if WeCom adds more). Key ids: UserID (the takeover member), ExternalUserID.
 */
export type FriendTransferFailed = InboundEventBase<'friend_transfer_failed', 'wecom'> & {
  takeoverUserId: string;
  externalUserId: string;
  reason: string;
};
/** `msg_audit_approved`: the customer agreed to chat archiving (会话存档). Key ids: UserID, ExternalUserID. */
export type ChatArchivingApproved = InboundEventBase<'chat_archiving_approved', 'wecom'> &
  Pair & { welcomeCode: string | null };

/** `change_external_chat` / `create`. Key ids: ChatId. */
export type GroupCreated = InboundEventBase<'group_created', 'wecom'> & { chatId: string };
/** What changed in a customer group (`UpdateDetail`). */
export type GroupUpdateDetail = 'add_member' | 'del_member' | 'change_owner' | 'change_name' | 'change_notice';
/**
 * `change_external_chat` / `update`. `joinScene` (add_member): 0 invited, 3 scanned the group QR;
 * `quitScene` (del_member): 0 left, 1 removed. Member versions compare with groupchat/get `member_version`.
 * Key ids: ChatId, UpdateDetail, then `v{CurMemVer}` or, without it, `m{sha1(MemChangeList)[0,16)}`.
 */
export type GroupUpdated = InboundEventBase<'group_updated', 'wecom'> & {
  chatId: string;
  updateDetail: GroupUpdateDetail;
  joinScene: number | null;
  quitScene: number | null;
  memberChangeCnt: number | null;
  /** Changed members' userids / external userids; null when the callback has no list. */
  memberChangeList: string[] | null;
  lastMemberVersion: string | null;
  currentMemberVersion: string | null;
};
/** `change_external_chat` / `dismiss`. Key ids: ChatId. */
export type GroupDismissed = InboundEventBase<'group_dismissed', 'wecom'> & { chatId: string };

/**
 * `change_external_tag` / `create` | `update` | `delete` for a corp tag or tag group. `strategyId` is set for
 * rule-group (策略) tags. Key ids: TagType, Id.
 */
export type CorpTagChanged = InboundEventBase<'corp_tag_created' | 'corp_tag_updated' | 'corp_tag_deleted', 'wecom'> & {
  tagType: 'tag' | 'tag_group';
  id: string;
  strategyId: string | null;
};
/** `change_external_tag` / `shuffle`: tags were reordered; `groupId` null means all groups. Key ids: Id or `*`, StrategyId or `*`. */
export type CorpTagShuffled = InboundEventBase<'corp_tag_shuffled', 'wecom'> & {
  groupId: string | null;
  strategyId: string | null;
};
/** `kf_msg_or_event`: a 微信客服 account has new data to pull with kf/sync_msg. Key ids: OpenKfId, Token. */
export type KfMessagesAvailable = InboundEventBase<'kf_messages_available', 'wecom'> & {
  openKfId: string;
  /** The callback `Token` for sync_msg; valid 10 minutes. */
  syncToken: string;
};

/** Fields of every official-account event: `accountId` is the account's original id (`gh_…`, ToUserName). */
type OfficialAccount = { accountId: string; openId: string };
/**
 * `subscribe`. `scene` is the QR scene when the user followed by scanning (`EventKey` = `qrscene_` + scene).
 * Key: `oa:{gh}:subscribe:{openid}:{CreateTime}`.
 */
export type OaSubscribed = InboundEventBase<'oa_subscribed', 'official_account'> &
  OfficialAccount & { scene: string | null; ticket: string | null };
/** `unsubscribe`: the user's data must be deleted. Key: `oa:{gh}:unsubscribe:{openid}:{CreateTime}`. */
export type OaUnsubscribed = InboundEventBase<'oa_unsubscribed', 'official_account'> & OfficialAccount;
/** `SCAN`: a follower scanned a scene QR. Key: `oa:{gh}:SCAN:{openid}:{CreateTime}`. */
export type OaScanned = InboundEventBase<'oa_scanned', 'official_account'> &
  OfficialAccount & { scene: string; ticket: string | null };
/** A text message from a user. `msgId` stays a string (it exceeds 2^53). Key: `oa:{gh}:msg:{MsgId}`. */
export type OaTextMessage = InboundEventBase<'oa_text_message', 'official_account'> &
  OfficialAccount & { msgId: string; content: string };
/** `CLICK` on a menu button; `eventKey` is the button key. Key: `oa:{gh}:CLICK:{openid}:{CreateTime}`. */
export type OaMenuClick = InboundEventBase<'oa_menu_click', 'official_account'> & OfficialAccount & { eventKey: string };
/** `VIEW` on a menu link; `eventKey` is the URL. Key: `oa:{gh}:VIEW:{openid}:{CreateTime}`. */
export type OaMenuView = InboundEventBase<'oa_menu_view', 'official_account'> &
  OfficialAccount & { eventKey: string; menuId: string | null };
/**
 * `TEMPLATESENDJOBFINISH` for a template message we sent (`msgId` from template/send). `status` is
 * `success`, `failed:user block` or `failed: system failed`. Key: `oa:{gh}:TEMPLATESENDJOBFINISH:{MsgID}`.
 */
export type OaTemplateSendFinished = InboundEventBase<'oa_template_send_finished', 'official_account'> &
  OfficialAccount & { msgId: string; status: string; delivered: boolean };

/** A message in a wechaty room. Key: `wechaty:{botId}:msg:{messageId}`. */
export type RoomMessage = InboundEventBase<'room_message', 'wechaty'> & {
  roomId: string;
  talkerId: string;
  messageId: string;
  /** wechaty `types.Message` (Text = 7). */
  messageType: number;
  text: string;
};
/** Contacts joined a wechaty room. Key: `wechaty:{botId}:room_join:{roomId}:{sorted inviteeIds}:{timestamp}`. */
export type RoomJoined = InboundEventBase<'room_joined', 'wechaty'> & { roomId: string; inviteeIds: string[]; inviterId: string };
/** Contacts left or were removed from a wechaty room. Key: `wechaty:{botId}:room_leave:{roomId}:{sorted leaverIds}:{timestamp}`. */
export type RoomLeft = InboundEventBase<'room_left', 'wechaty'> & { roomId: string; leaverIds: string[]; removerId: string | null };
/** A friend request to the bot (`types.Friendship.Receive`). Key: `wechaty:{botId}:friendship:{friendshipId}`. */
export type FriendshipRequested = InboundEventBase<'friendship_requested', 'wechaty'> & {
  friendshipId: string;
  contactId: string;
  hello: string;
};
/** A friendship became confirmed (`types.Friendship.Confirm`). Key: `wechaty:{botId}:friendship_confirm:{friendshipId}`. */
export type FriendshipConfirmed = InboundEventBase<'friendship_confirmed', 'wechaty'> & { friendshipId: string; contactId: string };

/**
 * A verified payload no parser understands yet, kept raw so it can be replayed once one does. Key: with a
 * MsgId, `wecom:{CorpID}:msg:{MsgId}` / `oa:{gh}:msg:{MsgId}`; without, WeCom uses the general rule with
 * `sha1(raw)[0,16)` as the ids (FromUserName is always `sys`), official accounts `oa:{gh}:{Event or MsgType}:{openid}:{CreateTime}`.
 */
export type UnknownEvent = InboundEventBase<'unknown', ChannelKind> & {
  msgType: string | null;
  event: string | null;
  changeType: string | null;
  raw: Readonly<Record<string, unknown>>;
};

/** Every domain event an adapter can produce; switch on `kind`. */
export type InboundEvent =
  // WeCom: customer contact, customer groups, corp tags, 微信客服
  | FriendAdded | FriendEdited | FriendDeletedByStaff | FriendDeletedByCustomer | FriendTransferFailed | ChatArchivingApproved
  | GroupCreated | GroupUpdated | GroupDismissed
  | CorpTagChanged | CorpTagShuffled
  | KfMessagesAvailable
  // Official account
  | OaSubscribed | OaUnsubscribed | OaScanned | OaTextMessage | OaMenuClick | OaMenuView | OaTemplateSendFinished
  // wechaty
  | RoomMessage | RoomJoined | RoomLeft | FriendshipRequested | FriendshipConfirmed
  | UnknownEvent;

/**
 * A verified payload that cannot become an event: required fields missing or unreadable. Redelivery cannot
 * fix it, so the core records it as rejected and acknowledges instead of retrying.
 */
export class ParseError extends Error {
  override readonly name = 'ParseError';
  constructor(
    readonly channel: ChannelKind,
    /** `Event/ChangeType` or `MsgType/Event` as far as it could be read. */
    readonly vendorType: string,
    readonly missing: readonly string[],
    readonly invalid: readonly string[] = [],
    options?: ErrorOptions,
  ) {
    const problems = [missing.length ? `missing ${missing.join(', ')}` : '', invalid.length ? `invalid ${invalid.join(', ')}` : ''];
    super(`${channel} ${vendorType}: ${problems.filter(Boolean).join('; ') || 'unreadable payload'}`, options);
  }
}
