/**
 * The contract every channel adapter implements, and the only adapter file the core (server/, jobs/) imports.
 * Split by direction: inbound is `verifyWebhook` → record → `parseInbound` → {@link InboundEvent}s; outbound is
 * `send` → {@link SendResult}; `checkCredentials` is the health check. Capabilities only some channels have
 * are optional members. Key rules and core reactions per event: docs/channel-events.md.
 */

import type { ChannelKind, InboundEvent } from './channel-events.ts';

export * from './channel-events.ts';

// ─── Webhooks ────────────────────────────────────────────────────────────────────────────────────────────

/** The parts of an HTTP callback an adapter needs; the body is raw because signatures cover exact bytes. */
export type WebhookRequest = {
  method: string;
  /** URL-decoded query parameters. */
  query: Readonly<Record<string, string | string[] | undefined>>;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  rawBody: Buffer;
};

/**
 * The signed parameters of one verified request, which the core checks for freshness and replay: a request
 * signed too long ago is refused, and a signature seen before may come back only with the same payload (the
 * vendor retrying one delivery).
 */
export type WebhookDelivery = {
  /** When the vendor signed the request (its `timestamp`, seconds since the epoch). */
  signedAt: Date;
  /** The signed query parameters, e.g. `timestamp:nonce:signature`; one delivery's identity within its account. */
  replayKey: string;
  /**
   * True when the signature also covers the payload (encrypted pushes, WeCom's echostr): the same key then
   * always comes with the same payload, and the inbox's payload dedupe is the whole replay check. False when it
   * covers the query only (official-account plain mode and URL verification): the core then remembers the key.
   */
  signsPayload: boolean;
};

/**
 * The outcome of {@link ChannelAdapter.verifyWebhook}: a push to record (`plaintext`), a URL verification to
 * answer bare (`echo`), or a refusal — 401 when the signature is wrong, 400 for anything else. Reasons are
 * shown to the caller: zh-CN first, then English.
 */
export type VerifiedWebhook =
  | { ok: true; plaintext: string; delivery: WebhookDelivery }
  | { ok: true; echo: string; delivery: WebhookDelivery }
  | { ok: false; status: 400 | 401; reason: string };

// ─── Outbound ────────────────────────────────────────────────────────────────────────────────────────────

/** Content beside the text. Media are referenced by URL; `mediaId` is a cached upload the adapter may reuse. */
export type Attachment =
  | { type: 'image'; url: string; mediaId?: string }
  | { type: 'link'; title: string; url: string; description?: string; picUrl?: string }
  | { type: 'miniprogram'; appId: string; title: string; page: string; picUrl: string; picMediaId?: string };

/** One recipient by its channel id: external_userid / openid / wechaty contact id, or WeCom chat_id / room id. */
export type Recipient = { type: 'contact' | 'group'; id: string };

/** A message to send. Adapters reject what their channel cannot carry with a ChannelError of kind `invalid`. */
export type OutboundMessage = {
  /** Our id for the touch or task; passed to the vendor (`msgid`, `client_msg_id`) where it dedupes sends. */
  clientId: string;
  /** The sending staff userid (WeCom mass messages) or open_kfid (kf); unused by other channels. */
  sender?: string;
  /**
   * Which of the account's delivery paths to use, when it has several. WeCom: `mass_send` (default; a task the
   * staff member confirms), `kf` (微信客服, inside its window), `moments`. Official account: `custom` (default).
   */
  route?: 'mass_send' | 'kf' | 'moments' | 'custom';
  to: Recipient[];
  text?: string;
  attachments?: Attachment[];
};

/**
 * Why a send failed, in channel-neutral terms: `auth` token or secret rejected (after one refresh), `config`
 * app permission / trusted IP / corp id, `rate_limited` frequency or concurrency limits, `window_closed`
 * outside the reply window or over a quota, `recipient` unknown user or no relationship, `invalid` a request
 * the vendor calls malformed, `unavailable` vendor busy or unreachable, `unknown` anything else.
 */
export type ChannelErrorKind = 'auth' | 'config' | 'rate_limited' | 'window_closed' | 'recipient' | 'invalid' | 'unavailable' | 'unknown';

const RETRYABLE: ReadonlySet<ChannelErrorKind> = new Set(['rate_limited', 'unavailable']);

/**
 * A vendor refusal or transport failure, stored on the touch or task (principle 5). `errcode` is null when
 * the vendor never answered. `retryable` defaults to true for `rate_limited` and `unavailable` only.
 */
export class ChannelError extends Error {
  override readonly name = 'ChannelError';
  readonly errcode: number | null;
  readonly kind: ChannelErrorKind;
  readonly retryable: boolean;
  constructor(e: { errcode: number | null; message: string; kind: ChannelErrorKind; retryable?: boolean; cause?: unknown }) {
    super(e.message, { cause: e.cause });
    this.errcode = e.errcode;
    this.kind = e.kind;
    this.retryable = e.retryable ?? RETRYABLE.has(e.kind);
  }

  /** The stored form. */
  toJSON(): { errcode: number | null; message: string; kind: ChannelErrorKind; retryable: boolean } {
    return { errcode: this.errcode, message: this.message, kind: this.kind, retryable: this.retryable };
  }
}

/** The outcome of {@link ChannelAdapter.send}; never thrown. `failedRecipientIds` lists per-recipient refusals. */
export type SendResult = { ok: true; vendorId?: string; failedRecipientIds?: string[] } | { ok: false; error: ChannelError };

// ─── SOP touches ─────────────────────────────────────────────────────────────────────────────────────────

/**
 * The channel ids the core knows for one subject of a touch (a contact, a customer group or a staff member);
 * each adapter reads the ones its channel addresses, null where the subject has none.
 */
export type TouchAddress = {
  /** The staff member who owns the relation (or the group, or the moment). */
  staffUserId: string | null;
  externalUserId: string | null;
  kfId: string | null;
  /** The 微信客服 account the contact last wrote to. */
  openKfId: string | null;
  openid: { appId: string; openid: string } | null;
  chatId: string | null;
};

/** One touch, or the touches that go out together, as the dispatcher asks the adapter to send them. */
export type TouchSend = {
  /** The SOP step channel (`wecom_1to1`, `kf`, …): one that the adapter's registry entry serves. */
  channel: string;
  /** The head touch's key: the message's clientId. */
  clientId: string;
  text: string;
  /** One per touch, in the order of the touches; the first is the head's. */
  subjects: TouchAddress[];
  /** The rendered template's media, sent as they are. */
  attachments?: Attachment[];
};

/**
 * The message that carries a {@link TouchSend}, and each subject's recipient id in the same order (null when it
 * has none), which the core matches against `failedRecipientIds`.
 */
export type TouchMessage = { msg: OutboundMessage; recipientIds: Array<string | null> };

/** How a channel kind carries one SOP step channel; declared per step channel in the kind's registry entry. */
export type TouchChannelSpec = {
  /** Touches of one step, staff member and day with the same text go out as one message. */
  batched?: boolean;
  /** The staff member confirms the send in their own client: the core gives them a task to do it. */
  staffConfirms?: boolean;
  /**
   * Nothing reaches anyone until the staff member publishes in their client (moments, group mass sends): the
   * touch waits (`awaiting`) and the core reads the outcome back with {@link ChannelAdapter.sendOutcome}.
   */
  readBack?: boolean;
};

/**
 * What the vendor says became of an accepted send ({@link ChannelAdapter.sendOutcome}): still `pending` (with the
 * id to ask about next time when it changed, e.g. a moment's id once its job ended), `sent` (minus the recipients
 * it did not reach), or `failed`.
 */
export type SendOutcome =
  | { state: 'pending'; vendorId?: string }
  | { state: 'sent'; failedRecipientIds?: string[] }
  | { state: 'failed'; error: ChannelError };

/** The outcome of {@link ChannelAdapter.checkCredentials}. */
export type CredentialCheck = { ok: boolean; errcode?: number; message?: string };

// ─── Optional capabilities ───────────────────────────────────────────────────────────────────────────────

/** A kf/sync_msg request; omit the cursor on the first call, pass the callback token when there is one. */
export type KfSyncRequest = { openKfId: string; syncToken: string | null; cursor: string | null };
/** One message pulled from kf/sync_msg. `origin`: 3 customer, 4 system event, 5 servicer via the WeCom client. */
export type KfMessage = {
  msgId: string;
  openKfId: string;
  externalUserId: string | null;
  sentAt: Date;
  origin: 'customer' | 'system' | 'servicer';
  msgType: string;
  /** The text of `text` messages; null otherwise. */
  text: string | null;
  raw: Readonly<Record<string, unknown>>;
};
/** One page of kf/sync_msg. Loop until `hasMore` is false (an empty page is not the end); persist `nextCursor`. */
export type KfSyncPage = { messages: KfMessage[]; nextCursor: string; hasMore: boolean };
/** A 微信客服 customer's WeChat profile (kf/customer/batchget); `unionId` is null unless a developer account is bound. */
export type KfCustomer = { externalUserId: string; nickname: string | null; avatar: string | null; unionId: string | null };
/** What a kf send carries: text, or a menu whose click items come back as customer text with their id. */
export type KfOutMessage = { type: 'text'; text: string } | { type: 'menu'; head: string; items: { id: string; text: string }[]; tail?: string };
/** A kf session's state: 0 未处理, 1 智能助手, 2 待接入池, 3 人工接待 (with a servicer), 4 已结束. */
export type KfServiceState = 0 | 1 | 2 | 3 | 4;
/** A kf/send_msg: to one customer from one kf account; `msgId` (≤32 bytes) makes a resend a refused duplicate. */
export type KfSendRequest = { openKfId: string; externalUserId: string; msgId?: string; message: KfOutMessage };

/** A customer as externalcontact/get returns it, with each staff relation. */
export type ContactDetail = {
  externalUserId: string;
  name: string;
  avatar: string | null;
  /** WeChat user or WeCom user (商务伙伴). */
  type: 'wechat' | 'wecom';
  unionId: string | null;
  follows: { staffUserId: string; remark: string; description: string; addedAt: Date; tagIds: string[]; addWay: number; state: string | null }[];
};

/** A customer group as groupchat/get returns it. `joinScene` here: 1 direct invite, 2 invite link, 3 QR. */
export type GroupDetail = {
  chatId: string;
  name: string;
  ownerUserId: string;
  notice: string;
  createdAt: Date;
  memberVersion: string | null;
  members: { userId: string; type: 'staff' | 'external'; joinTime: Date; joinScene: number; unionId: string | null }[];
};

/**
 * One page of a staff-by-staff customer listing (WeCom batch/get_by_user). Each item carries exactly one follow:
 * the relation to the listed staff member it was paired with, so a customer of two listed staff appears twice.
 * `nextCursor` is null after the last page; persist it to resume.
 */
export type CustomerPage = { items: ContactDetail[]; nextCursor: string | null };

/** One page of customer-group ids (WeCom groupchat/list); `nextCursor` is null after the last page. */
export type GroupChatIdPage = { chatIds: string[]; nextCursor: string | null };

/** A corp tag group with its tags, ids as WeCom issues them. */
export type CorpTagGroup = { groupId: string; name: string; order: number; tags: { tagId: string; name: string; order: number }[] };

/** An official-account follower as user/info returns it. */
export type Follower = { openId: string; unionId: string | null; nickname: string | null; subscribed: boolean };

/**
 * A WeCom 「联系我」 contact way as the core describes it. `single`: exactly one member (type 1), else WeCom
 * spreads adds over `userIds` (type 2). `state` (≤30 chars) comes back on every add made through it.
 */
export type ContactWaySpec = { userIds: string[]; single: boolean; state: string; remark?: string; skipVerify?: boolean };
/** A card to staff members in the WeCom app: title ≤ 128 bytes, description ≤ 512 bytes, a link and its button text. */
export type StaffNotice = { userIds: string[]; title: string; description: string; url: string; button?: string };
/** A created contact way: the vendor's config id (keep it: editing and deleting need it) and the QR picture URL. */
export type ContactWay = { configId: string; qrCode: string };
/** A welcome message for the welcome code of one add (text and/or attachments). */
export type WelcomeMessage = { welcomeCode: string; text?: string; attachments?: Attachment[] };

/** A JS-SDK signature (`wx.config` / `wx.agentConfig`, or `ww.register`'s signature factories). */
export type JsSdkSignature = { timestamp: number; nonceStr: string; signature: string };
/** What a WeCom page needs to register the JS-SDK: `config` signed with the corp ticket, `agentConfig` with the app's. */
export type JsSdkSignatures = { corpId: string; agentId: string | null; config: JsSdkSignature; agentConfig: JsSdkSignature };

/** 在职继承 (the member stays; the customer may refuse) or 离职继承 (the member resigned). */
export type TransferKind = 'on_job' | 'resigned';
/** Up to 100 customers of one member to one other member. `message` (在职 only, ≤200 chars) is what the customer sees. */
export type CustomerTransferRequest = { kind: TransferKind; handoverUserId: string; takeoverUserId: string; externalUserIds: string[]; message?: string };
/** Per customer: errcode 0 = accepted (takes effect after 24 h), 40128 = moved too often (twice in 90 days), … */
export type CustomerTransferOutcome = { externalUserId: string; errcode: number };
/** A transfer's state: `done` 接替完毕, `waiting` 等待接替, `refused` 客户拒绝, `limit_exceeded` 接替成员客户达到上限, `no_record` 无接替记录. */
export type CustomerTransferState = { externalUserId: string; status: 'done' | 'waiting' | 'refused' | 'limit_exceeded' | 'no_record'; takeoverAt: Date | null };
/** A group whose owner could not be changed, with the vendor errcode. */
export type GroupTransferFailure = { chatId: string; errcode: number; message: string };

/** One channel account's adapter, built fresh per account by adapters/registry.ts. */
export interface ChannelAdapter {
  readonly kind: ChannelKind;
  /** Checks the signature and opens the payload; pure and fast, no I/O (the callback must answer in 5 s). */
  verifyWebhook(req: WebhookRequest): VerifiedWebhook;
  /** Turns a verified plaintext into domain events. Pure. @throws ParseError */
  parseInbound(plaintext: string): InboundEvent[];
  /**
   * How soon the core's inbox should process a verified plaintext: higher is claimed first, 0 (or no method)
   * keeps arrival order. Called on the callback path for every delivery, before the answer: a cheap look at the
   * text, never a parse. WeCom: adds carrying a welcome code (valid 20 s) get 1.
   */
  inboxPriority?(plaintext: string): number;
  /** Sends one message; failures come back as `{ ok: false }`, never as a rejection. */
  send(msg: OutboundMessage): Promise<SendResult>;
  /**
   * Builds the message for SOP touches of a step channel this kind serves (its registry entry lists them); null
   * when the subjects lack what the channel needs (no identity on it, no sender), and the touches are skipped.
   * Pure: the core sends the result with `send`.
   */
  buildTouchSend?(touch: TouchSend): TouchMessage | null;
  /**
   * Crash recovery for a send ledger: a worker that died after the vendor accepted a message but before its row
   * was marked sent leaves the row in `sending`, and whoever finds it must choose between resending (a duplicate
   * if it went out) and giving up (a loss if it did not). This looks the send up at the vendor by what was sent.
   * `msg` is the message exactly as it was passed to `send`; `since` is when the row was written (no send of it
   * can be older). Resolves `{ vendorId }` — what `send` returned or would have — when the vendor has it;
   * `null` when it has not, or when the adapter documents that a resend of this route cannot deliver twice.
   * Rejects with a ChannelError when it cannot tell (a vendor error, a route it cannot look up, or a match it
   * cannot confirm yet); `retryable` says whether asking again later may help.
   */
  findSent?(msg: OutboundMessage, since: Date): Promise<{ vendorId: string } | null>;
  /**
   * Reads back a send that the staff member publishes themselves (a `readBack` touch channel): `vendorId` is what
   * `send` (or a previous `pending` outcome) returned; `route` and `sender` are the message's. Throws a
   * ChannelError when the vendor cannot be asked now.
   */
  sendOutcome?(send: { route: OutboundMessage['route']; sender: string | null; vendorId: string }): Promise<SendOutcome>;
  /** Fetches a token (or equivalent) to tell whether the stored credentials work. */
  checkCredentials(): Promise<CredentialCheck>;
  /** WeCom kf: pulls one page of customer-service messages. */
  syncKfMessages?(req: KfSyncRequest): Promise<KfSyncPage>;
  /** WeCom kf: the profiles of up to 100 kf customers; ids WeCom does not know are left out of the result. */
  fetchKfCustomers?(externalUserIds: string[]): Promise<KfCustomer[]>;
  /** WeCom kf: kf/send_msg inside the customer's window (states 0 and 1 only); rejects with a ChannelError. */
  sendKfMessage?(req: KfSendRequest): Promise<{ msgId: string }>;
  /** WeCom kf: kf/send_msg_on_event with a welcome_code or a state change's msg_code (each works once). */
  sendKfEventMessage?(code: string, message: KfOutMessage): Promise<{ msgId: string }>;
  /** WeCom kf: kf/service_state/get, where WeCom has the session now (and its servicer in 3). */
  getKfState?(req: { openKfId: string; externalUserId: string }): Promise<{ state: KfServiceState; servicerUserId: string | null }>;
  /** WeCom kf: kf/service_state/trans; resolves the msg_code WeCom hands out for the move, or null. */
  transKfState?(req: { openKfId: string; externalUserId: string; state: Exclude<KfServiceState, 0>; servicerUserId?: string }): Promise<{ msgCode: string | null }>;
  /** WeCom kf: kf/servicer/list, the 接待人员 of a kf account and whether each is on duty. */
  listKfServicers?(openKfId: string): Promise<{ userId: string; onDuty: boolean }[]>;
  /**
   * WeCom: the customer and its staff relations; null when WeCom no longer knows it. `maxWaitMs`: how long the caller
   * will wait for the adapter's own rate limiting; a call that would wait longer is refused (`rate_limited`) unasked.
   */
  fetchContactDetail?(externalUserId: string, opts?: { maxWaitMs?: number }): Promise<ContactDetail | null>;
  /** WeCom: a customer group with its members; null when dismissed or unknown. */
  fetchGroupDetail?(chatId: string): Promise<GroupDetail | null>;
  /** WeCom: one page of the customers of up to 100 staff members (batch/get_by_user), for a full sync. */
  listCustomersByStaff?(staffUserIds: string[], cursor: string | null): Promise<CustomerPage>;
  /** WeCom: one page of the ids of the customer groups owned by up to 100 staff members (groupchat/list). */
  listGroupChatIds?(ownerUserIds: string[], cursor: string | null): Promise<GroupChatIdPage>;
  /** WeCom: the corp tag library (get_corp_tag_list), for the local mirror. */
  fetchCorpTags?(): Promise<CorpTagGroup[]>;
  /** WeCom: the staff userid behind a sign-in OAuth code (auth/getuserinfo); null for an unknown, used or expired code, or a non-member. */
  resolveStaffOAuthCode?(code: string): Promise<string | null>;
  /**
   * WeCom: a notification card to staff members through the account's app (message/send textcard, needs the
   * account's agentId). Resolves with the userids WeCom did not know; never rejects: a refusal is `{ ok: false }`.
   */
  notifyStaff?(card: StaffNotice): Promise<{ ok: true; invalidUserIds: string[]; vendorId: string } | { ok: false; error: ChannelError }>;
  /** WeCom: creates a 「联系我」 QR contact way (add_contact_way, scene 2). */
  createContactWay?(spec: ContactWaySpec): Promise<ContactWay>;
  /** WeCom: changes the members, remark or verification of a contact way; its QR and state stay the same. */
  updateContactWay?(configId: string, change: Partial<Omit<ContactWaySpec, 'single'>>): Promise<void>;
  /** WeCom: deletes a contact way; its QR adds no one from then on. Resolves when WeCom no longer knows it. */
  deleteContactWay?(configId: string): Promise<void>;
  /**
   * WeCom: sends the welcome message of one add (send_welcome_msg). `receivedAt` is when the add happened: a code
   * older than the vendor's window is refused without a call. Never rejects: refusals (41050 expired or invalid,
   * 41051 already chatting) come back as `{ ok: false }` with the errcode.
   */
  sendWelcomeMessage?(msg: WelcomeMessage, receivedAt: Date): Promise<SendResult>;
  /** WeCom: adds / removes corp tags on one customer of one staff member (mark_tag); tag ids are WeCom's. */
  markTags?(staffUserId: string, externalUserId: string, add: string[], remove: string[]): Promise<void>;
  /** WeCom: deletes corp tags (del_corp_tag); ids are WeCom's. Rejects with a ChannelError on a refusal. */
  deleteCorpTags?(tagIds: string[]): Promise<void>;
  /** WeCom: `config` and `agentConfig` signatures for a page URL (tickets cached by the adapter). */
  signJsSdk?(url: string): Promise<JsSdkSignatures>;
  /** WeCom: starts moving customers to another member (transfer_customer / resigned/transfer_customer). */
  transferCustomers?(req: CustomerTransferRequest): Promise<CustomerTransferOutcome[]>;
  /** WeCom: the state of every customer moved from one member to another (transfer_result, all pages). */
  transferResults?(kind: TransferKind, handoverUserId: string, takeoverUserId: string): Promise<CustomerTransferState[]>;
  /** WeCom: gives up to 100 customer groups a new owner (groupchat/onjob_transfer or groupchat/transfer); lists the failures. */
  transferGroups?(kind: TransferKind, chatIds: string[], newOwnerUserId: string): Promise<GroupTransferFailure[]>;
  /** RPA (wechaty): sends a friend request with `hello` to a contact id or a phone; `vendorId` is the contact found. Never rejects. */
  addFriend?(contactQuery: { phone?: string; contactId?: string }, hello: string): Promise<SendResult>;
  /** RPA (wechaty): when the account may send its next friend request under its pacing, given every request it sent; null = never. */
  nextFriendAddAt?(sentAt: readonly Date[], now: Date): Date | null;
  /** Official account: a follower's profile (user/info), with the unionid when the account is bound to an Open Platform. */
  fetchFollower?(openId: string): Promise<Follower | null>;
  /**
   * Push-based channels (wechaty): start receiving. Each event comes with its serialized envelope, which the
   * core records in its inbox exactly like a webhook plaintext (parseInbound reads it back).
   */
  listen?(onEvent: (event: InboundEvent, envelope: string) => Promise<void>): Promise<void>;
  /** Push-based channels: stop receiving and release the connection. */
  stop?(): Promise<void>;
  /**
   * WeCom: creates corp tags in an existing group (`groupId`) or in a new group named `groupName` (add_corp_tag);
   * resolves with the group and only the tags created, ids as WeCom issued them. Rejects with a ChannelError on a refusal.
   */
  createCorpTags?(input: { groupId?: string; groupName?: string; tags: { name: string; order?: number }[] }): Promise<CorpTagGroup>;
  /** WeCom: renames or reorders one corp tag or tag group by its WeCom id (edit_corp_tag). Rejects with a ChannelError on a refusal. */
  editCorpTag?(id: string, change: { name?: string; order?: number }): Promise<void>;
  /** WeCom: deletes whole corp tag groups with their tags (del_corp_tag group_id). Rejects with a ChannelError on a refusal. */
  deleteCorpTagGroups?(groupIds: string[]): Promise<void>;
}
