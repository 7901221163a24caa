/**
 * In-memory data of the WeCom simulator: one corp, its staff, customers and their followers, corp tags, customer
 * groups, 「联系我」 configs, welcome codes, mass messages, moment jobs and 微信客服 conversations. Plain data plus
 * lookups; the routes enforce the rules and `control` seeds it.
 */

export type SimStaff = { userid: string; name: string };

export type SimFollowUser = {
  userid: string;
  remark: string;
  description: string;
  createtime: number;
  tag_ids: string[];
  remark_corp_name?: string;
  remark_mobiles: string[];
  oper_userid: string;
  add_way: number;
  state?: string;
};

/**
 * A customer as externalcontact/get knows it. `unionid` only for WeChat users (type 1) of a corp with a bound
 * developer account; `position` (unless hidden), `corp_name`, `corp_full_name` only for WeCom users (type 2).
 */
export type SimCustomer = {
  external_userid: string;
  name: string;
  type: 1 | 2;
  gender: 0 | 1 | 2;
  avatar: string;
  unionid?: string;
  position?: string;
  corp_name?: string;
  corp_full_name?: string;
  follow_user: SimFollowUser[];
};

/** `deleted`: removed from the library; listed (with `deleted: true`) only when asked for by id. */
export type SimTag = { id: string; name: string; create_time: number; order: number; deleted: boolean };
export type SimTagGroup = { group_id: string; group_name: string; create_time: number; order: number; deleted: boolean; tag: SimTag[] };

export type SimGroupMember = {
  userid: string;
  type: 1 | 2;
  unionid?: string;
  join_time: number;
  join_scene: 1 | 2 | 3;
  invitor?: { userid: string };
  group_nickname?: string;
  name?: string;
};

export type SimGroupChat = {
  chat_id: string;
  name: string;
  owner: string;
  create_time: number;
  notice: string;
  /** 0 normal, 1 owner resigned, 2 inheriting, 3 inherited. */
  status: 0 | 1 | 2 | 3;
  member_list: SimGroupMember[];
  admin_list: { userid: string }[];
  member_version: string;
};

export type SimContactWay = { config_id: string; body: Record<string, unknown>; createdAt: Date };
export type SimWelcomeCode = { code: string; userid: string; external_userid: string; issuedAt: Date; usedAt?: Date };
export type SimWelcomeSend = { welcome_code: string; userid: string; external_userid: string; body: unknown; at: Date };

/** One row of get_groupmsg_send_result. status: 0 pending, 1 sent, 2 not a friend, 3 quota used up. */
export type SimMassRow = { userid: string; external_userid?: string; chat_id?: string; status: 0 | 1 | 2 | 3; send_time?: number };
export type SimMassTask = { userid: string; status: 0 | 2; send_time?: number };
export type SimMassSend = {
  msgid: string;
  chat_type: 'single' | 'group';
  body: unknown;
  /** As get_groupmsg_list_v2 returns it: 0 corp (every add_msg_template), 1 personal (seeded by tests). */
  create_type: 0 | 1;
  /** The creating member; absent on API-created messages, which the list returns without one. */
  creator?: string;
  text?: { content: string };
  attachments: unknown[];
  createdAt: Date;
  dispatchedAt: Date;
  tasks: SimMassTask[];
  rows: SimMassRow[];
};
export type SimMassDelivery = { msgid: string; external_userid: string; userid: string; at: Date };

export type SimMomentJob = {
  jobid: string;
  body: unknown;
  createdAt: Date;
  moment_id: string;
  invalidSenders: string[];
  invalidTags: string[];
  /** The members asked to publish it, and when each did (seconds; get_moment_task's publish_status 1). */
  senders: string[];
  published: Map<string, number>;
};

export type SimKfEntry = {
  /** Position in the corp-wide stream that cursors point into. */
  seq: number;
  /** Messages our own app sent through kf/send_msg occupy the stream but are never returned by sync_msg. */
  hidden: boolean;
  message: Record<string, unknown> & { msgid: string; open_kfid: string; external_userid: string; send_time: number };
};
/** Per customer: last message, our sends since, and the session state (0 new, 1 bot, 2 pool, 3 human, 4 ended). */
export type SimKfConversation = {
  lastCustomerMessageAt?: Date;
  sentSince: number;
  sessionState: 0 | 1 | 2 | 3 | 4;
  /** The servicer of state 3 (人工接待). */
  servicerUserid?: string;
  /** When the customer last got a welcome message (a welcome_code is issued at most once per 48 h). */
  welcomedAt?: Date;
  /** Click ids of the msgmenus this customer was sent, with the text a click sends back. */
  menuItems?: Map<string, string>;
};
/** A code for kf/send_msg_on_event: `welcome` (enter_session), `reply` (first move to 2 or 3), `end` (moved to 4). */
export type SimKfEventCode = { code: string; kind: 'welcome' | 'reply' | 'end'; open_kfid: string; external_userid: string; issuedAt: Date; ttlMs: number; textOnly: boolean; usedAt?: Date };
/** A 接待人员 of a kf account: status 0 接待中, 1 停止接待 (kf/servicer/list). */
export type SimKfServicer = { userid: string; status: 0 | 1 };
export type SimKfSend = { body: Record<string, unknown>; msgid: string; at: Date };
/** A WeChat user as kf/customer/batchget returns it; `unionid` only when a developer account is bound. */
export type SimKfCustomer = {
  external_userid: string;
  nickname: string;
  avatar: string;
  gender: 0 | 1 | 2;
  unionid?: string;
  enter_session_context?: { scene: string; scene_param: string };
};

export type SimOAuthCode = { code: string; userid: string; issuedAt: Date; used: boolean };

/** One message/send call: the recipients that exist, the message type and the request body. */
export type SimAppMessage = { msgid: string; agentid: number; touser: string[]; msgtype: 'text' | 'textcard'; body: Record<string, unknown>; at: Date };

export class WecomSimState {
  readonly staff = new Map<string, SimStaff>();
  readonly customers = new Map<string, SimCustomer>();
  readonly tagGroups: SimTagGroup[] = [];
  readonly groupChats = new Map<string, SimGroupChat>();
  readonly contactWays = new Map<string, SimContactWay>();
  readonly welcomeCodes = new Map<string, SimWelcomeCode>();
  /** Every successful send_welcome_msg, in order. */
  readonly welcomeSends: SimWelcomeSend[] = [];
  /** 应用消息 sent with message/send (staff notifications). */
  readonly appMessages: SimAppMessage[] = [];
  readonly massSends = new Map<string, SimMassSend>();
  /** Mass messages actually delivered to customers after a staff confirmation. */
  readonly massDeliveries: SimMassDelivery[] = [];
  readonly momentJobs = new Map<string, SimMomentJob>();
  readonly kf = {
    accounts: new Set<string>(),
    stream: [] as SimKfEntry[],
    conversations: new Map<string, SimKfConversation>(),
    /** Every successful kf/send_msg, in order. */
    sent: [] as SimKfSend[],
    callbackTokens: new Map<string, Date>(),
    /** Customers who wrote to a KF account, by external_userid (kf/customer/batchget). */
    customers: new Map<string, SimKfCustomer>(),
    /** 接待人员 per open_kfid. */
    servicers: new Map<string, SimKfServicer[]>(),
    /** welcome_code / msg_code values for kf/send_msg_on_event. */
    eventCodes: new Map<string, SimKfEventCode>(),
    /** Every successful kf/send_msg_on_event, in order. */
    eventSends: [] as SimKfSend[],
  };
  readonly oauthCodes = new Map<string, SimOAuthCode>();
  /** The app (agentid) each secret belongs to; a secret without one (客户联系, 通讯录) cannot send app messages. */
  readonly agentOfSecret = new Map<string, number>();
  private counter = 0;

  constructor(
    readonly corpId: string,
    readonly secrets: Set<string>,
  ) {}

  /** Every app of the corp (message/send answers 40056 for any other agentid). */
  agentIds(): Set<number> {
    return new Set(this.agentOfSecret.values());
  }

  nextId(prefix: string): string {
    this.counter++;
    return `${prefix}${this.counter.toString().padStart(6, '0')}`;
  }

  /**
   * Ids restored from an earlier run (the demo reloads its contact ways and chats after a restart) were minted
   * by nextId too: the counter moves past their number so a new id never repeats one.
   */
  restoredId(id: string): void {
    const n = /(\d+)$/.exec(id)?.[1];
    if (n !== undefined && n.length <= 12) this.counter = Math.max(this.counter, Number(n));
  }

  follower(userid: string, external_userid: string): SimFollowUser | undefined {
    return this.customers.get(external_userid)?.follow_user.find((f) => f.userid === userid);
  }

  customersOf(userid: string): SimCustomer[] {
    return [...this.customers.values()].filter((c) => c.follow_user.some((f) => f.userid === userid));
  }

  /** Live corp tags (the 3000 cap counts these). */
  tagCount(): number {
    return this.tagGroups.reduce((sum, group) => sum + group.tag.filter((t) => !t.deleted).length, 0);
  }

  /** A live tag and its group; deleted ones are unknown to every API but get_corp_tag_list by id. */
  findTag(id: string): { group: SimTagGroup; tag: SimTag } | undefined {
    for (const group of this.tagGroups) {
      const tag = group.tag.find((t) => t.id === id && !t.deleted);
      if (tag) return { group, tag };
    }
    return undefined;
  }

  conversation(external_userid: string): SimKfConversation {
    let conversation = this.kf.conversations.get(external_userid);
    if (!conversation) {
      conversation = { sentSince: 0, sessionState: 0 };
      this.kf.conversations.set(external_userid, conversation);
    }
    return conversation;
  }
}
