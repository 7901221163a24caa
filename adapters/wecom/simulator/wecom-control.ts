/**
 * The test-facing side of the WeCom simulator: seed data, play the staff member and the customer, break tokens
 * and inject errors, and read back what the simulator received.
 */
import { randomBytes } from 'node:crypto';
import { issueKfEventCode } from './kf-session.route.ts';
import { confirmMassSend } from './mass-send.route.ts';
import { publishMoment } from './moment.route.ts';
import { deleteCorpTags } from './tag.route.ts';
import { TransferSimControl } from './transfer-control.ts';
import type { RateWindows, RecordedRequest, SimKernel } from './sim-kernel.ts';
import { nowSeconds } from './wecom-sim-context.ts';
import type { WecomSim, WecomSimSettings } from './wecom-sim-context.ts';
import type { SimCustomer, SimGroupChat, SimGroupMember, SimKfCustomer, SimTagGroup } from './wecom-state.ts';

export type FollowUserInput = {
  userid: string;
  remark?: string;
  description?: string;
  tags?: string[];
  state?: string;
  createtime?: number;
  add_way?: number;
};

/** WeCom users (type 2) get a default corp name unless given; `position` stays hidden unless given. */
export type CustomerInput = {
  external_userid?: string;
  name: string;
  type?: 1 | 2;
  gender?: 0 | 1 | 2;
  avatar?: string;
  unionid?: string;
  position?: string;
  corp_name?: string;
  corp_full_name?: string;
  follow_user: FollowUserInput[];
};

export type GroupChatInput = {
  chat_id?: string;
  name: string;
  owner: string;
  notice?: string;
  status?: 0 | 1 | 2 | 3;
  members?: (Partial<SimGroupMember> & { userid: string; type: 1 | 2 })[];
  admins?: string[];
};

/** A 微信客服 customer's profile; fields left out keep their current value (or a default for a new customer). */
export type KfCustomerInput = Partial<Omit<SimKfCustomer, 'external_userid'>> & { external_userid: string };

/** `nickname` / `unionid` set the writer's profile as kf/customer/batchget will return it. */
export type KfCustomerMessageInput = { open_kfid: string; external_userid: string; content: string; at?: Date; nickname?: string; unionid?: string; menu_id?: string };

export class WecomSimControl {
  constructor(
    private readonly sim: WecomSim,
    private readonly kernel: SimKernel,
    private readonly rates: RateWindows,
  ) {}

  /** Live knobs: mass-send dispatch delay (41063) and moment job duration. */
  get settings(): WecomSimSettings {
    return this.sim.settings;
  }

  addStaff(userid: string, name = userid): void {
    this.sim.state.staff.set(userid, { userid, name });
  }

  /** Another secret of the corp (each has its own token); with `agentId` it is that app's secret. */
  addSecret(secret: string, agentId?: number): void {
    this.sim.state.secrets.add(secret);
    if (agentId !== undefined) this.sim.state.agentOfSecret.set(secret, agentId);
  }

  addCustomer(input: CustomerInput): SimCustomer {
    const { state } = this.sim;
    for (const f of input.follow_user) if (!state.staff.has(f.userid)) this.addStaff(f.userid);
    const externalUserid = input.external_userid ?? state.nextId('wmSIM');
    const type = input.type ?? 1;
    const corpName = input.corp_name ?? '模拟伙伴企业';
    const customer: SimCustomer = {
      external_userid: externalUserid,
      name: input.name,
      type,
      gender: input.gender ?? 0,
      avatar: input.avatar ?? `http://wx.qlogo.cn/mmhead/sim-${externalUserid}/0`,
      ...(input.unionid === undefined ? {} : { unionid: input.unionid }),
      ...(input.position === undefined ? {} : { position: input.position }),
      ...(type === 2 ? { corp_name: corpName, corp_full_name: input.corp_full_name ?? `${corpName}有限公司` } : {}),
      follow_user: input.follow_user.map((f) => ({
        userid: f.userid,
        remark: f.remark ?? '',
        description: f.description ?? '',
        createtime: f.createtime ?? nowSeconds(this.sim),
        tag_ids: f.tags ?? [],
        remark_mobiles: [],
        oper_userid: f.userid,
        add_way: f.add_way ?? 0,
        ...(f.state === undefined ? {} : { state: f.state }),
      })),
    };
    state.customers.set(customer.external_userid, customer);
    return customer;
  }

  addTagGroup(groupName: string, tagNames: string[]): SimTagGroup {
    const { state } = this.sim;
    const created = nowSeconds(this.sim);
    const group: SimTagGroup = {
      group_id: state.nextId('etGROUP'),
      group_name: groupName,
      create_time: created,
      order: 0,
      deleted: false,
      tag: tagNames.map((name) => ({ id: state.nextId('etTAG'), name, create_time: created, order: 0, deleted: false })),
    };
    state.tagGroups.push(group);
    return group;
  }

  /** An admin deletes tags or whole groups in the console (a group goes with its last tag). */
  deleteCorpTags(ids: { tagIds?: string[]; groupIds?: string[] }): void {
    deleteCorpTags(this.sim, ids.tagIds ?? [], ids.groupIds ?? []);
  }

  addGroupChat(input: GroupChatInput): SimGroupChat {
    const { state } = this.sim;
    const joined = nowSeconds(this.sim);
    const chat: SimGroupChat = {
      chat_id: input.chat_id ?? state.nextId('wrSIM'),
      name: input.name,
      owner: input.owner,
      create_time: joined,
      notice: input.notice ?? '',
      status: input.status ?? 0,
      member_list: (input.members ?? [{ userid: input.owner, type: 1 }]).map((m) => {
        const member: SimGroupMember = { join_time: joined, join_scene: 1, ...m };
        // Invited directly or by link (scenes 1, 2): the owner invited them unless the seed names someone else.
        if (!member.invitor && member.userid !== input.owner && member.join_scene !== 3) member.invitor = { userid: input.owner };
        return member;
      }),
      admin_list: (input.admins ?? []).map((userid) => ({ userid })),
      member_version: randomBytes(16).toString('hex'),
    };
    state.groupChats.set(chat.chat_id, chat);
    return chat;
  }

  /** A customer adds the staff member through a 「联系我」 config: the follow_user carries its `state`. */
  scanContactWay(configId: string, customer: Omit<CustomerInput, 'follow_user'>): { external_userid: string; userid: string; state?: string; welcomeCode: string } {
    const way = this.sim.state.contactWays.get(configId);
    const userid = (way?.body.user as string[] | undefined)?.[0];
    if (!way || !userid) throw new Error(`no contact way ${configId} with a user`);
    const state = typeof way.body.state === 'string' ? way.body.state : undefined;
    const added = this.addCustomer({ ...customer, follow_user: [{ userid, add_way: 1, ...(state === undefined ? {} : { state }) }] });
    const welcomeCode = this.issueWelcomeCode(userid, added.external_userid);
    return { external_userid: added.external_userid, userid, ...(state === undefined ? {} : { state }), welcomeCode };
  }

  /** The WelcomeCode of an add_external_contact event, valid 20 s from now, once. */
  issueWelcomeCode(userid: string, externalUserid: string): string {
    const code = `WELCOME_${randomBytes(12).toString('hex')}`;
    this.sim.state.welcomeCodes.set(code, { code, userid, external_userid: externalUserid, issuedAt: this.sim.clock.now() });
    return code;
  }

  addKfAccount(openKfid: string): void {
    this.sim.state.kf.accounts.add(openKfid);
  }

  /** Creates or updates the profile kf/customer/batchget returns for a customer (WeChat's default nickname 微信用户). */
  setKfCustomer(input: KfCustomerInput): SimKfCustomer {
    const customers = this.sim.state.kf.customers;
    const current = customers.get(input.external_userid);
    const customer: SimKfCustomer = {
      nickname: '微信用户',
      avatar: `https://wx.qlogo.cn/mmhead/sim-${input.external_userid}/0`,
      gender: 0,
      ...current,
      ...input,
    };
    customers.set(customer.external_userid, customer);
    return customer;
  }

  /** The customer writes to a KF account: a visible message in the stream, the window reopened, a callback token. */
  kfCustomerMessage(input: KfCustomerMessageInput): { msgid: string; token: string } {
    const { state } = this.sim;
    this.addKfAccount(input.open_kfid);
    this.setKfCustomer({
      external_userid: input.external_userid,
      ...(input.nickname === undefined ? {} : { nickname: input.nickname }),
      ...(input.unionid === undefined ? {} : { unionid: input.unionid }),
    });
    const at = input.at ?? this.sim.clock.now();
    const msgid = state.nextId('kfmsg');
    state.kf.stream.push({
      seq: state.kf.stream.length,
      hidden: false,
      message: {
        msgid,
        open_kfid: input.open_kfid,
        external_userid: input.external_userid,
        send_time: Math.floor(at.getTime() / 1000),
        origin: 3,
        msgtype: 'text',
        text: input.menu_id === undefined ? { content: input.content } : { content: input.content, menu_id: input.menu_id },
      },
    });
    this.customerMessaged(input.external_userid, at);
    return { msgid, token: this.issueKfCallbackToken() };
  }

  /**
   * The customer opens the kf chat: an enter_session event (origin 4) in the stream, with a welcome_code (valid
   * 20 s, once) when the customer neither wrote nor was welcomed in the last 48 h. An ended session starts anew.
   */
  kfEnterSession(input: { open_kfid: string; external_userid: string; scene?: string; scene_param?: string }): { msgid: string; token: string; welcome_code: string | null } {
    const { state, clock, limits } = this.sim;
    this.addKfAccount(input.open_kfid);
    this.setKfCustomer({ external_userid: input.external_userid });
    const conversation = state.conversation(input.external_userid);
    if (conversation.sessionState === 4) this.newKfSession(input.external_userid);
    const recent = (at: Date | undefined) => at !== undefined && clock.now().getTime() - at.getTime() < limits.kfWindowMs;
    const welcome =
      recent(conversation.lastCustomerMessageAt) || recent(conversation.welcomedAt)
        ? null
        : issueKfEventCode(this.sim, { kind: 'welcome', open_kfid: input.open_kfid, external_userid: input.external_userid, ttlMs: limits.welcomeCodeTtlMs, textOnly: false });
    const msgid = state.nextId('kfevt');
    state.kf.stream.push({
      seq: state.kf.stream.length,
      hidden: false,
      message: {
        msgid,
        open_kfid: input.open_kfid,
        external_userid: input.external_userid,
        send_time: nowSeconds(this.sim),
        origin: 4,
        msgtype: 'event',
        event: {
          event_type: 'enter_session',
          open_kfid: input.open_kfid,
          external_userid: input.external_userid,
          scene: input.scene ?? '',
          scene_param: input.scene_param ?? '',
          ...(welcome ? { welcome_code: welcome } : {}),
        },
      },
    });
    return { msgid, token: this.issueKfCallbackToken(), welcome_code: welcome };
  }

  /** The customer taps a click item of a msgmenu it was sent: a text message carrying the item's menu_id. */
  kfMenuClick(input: { open_kfid: string; external_userid: string; menu_id: string }): { msgid: string; token: string } {
    const content = this.sim.state.kf.conversations.get(input.external_userid)?.menuItems?.get(input.menu_id);
    if (content === undefined) throw new Error(`customer ${input.external_userid} was never shown menu item ${input.menu_id}`);
    return this.kfCustomerMessage({ ...input, content });
  }

  /** Adds (or updates) a 接待人员 of a kf account; status 0 接待中, 1 停止接待. */
  addKfServicer(openKfid: string, userid: string, status: 0 | 1 = 0): void {
    this.addKfAccount(openKfid);
    const list = this.sim.state.kf.servicers.get(openKfid) ?? [];
    this.sim.state.kf.servicers.set(openKfid, [...list.filter((s) => s.userid !== userid), { userid, status }]);
  }

  private newKfSession(externalUserid: string): void {
    const conversation = this.sim.state.conversation(externalUserid);
    conversation.sessionState = 0;
    delete conversation.servicerUserid;
  }

  /** Opens (or reopens) the 48-hour / 5-message window of a KF customer. */
  customerMessaged(externalUserid: string, at: Date = this.sim.clock.now()): void {
    const conversation = this.sim.state.conversation(externalUserid);
    if (conversation.sessionState === 4) this.newKfSession(externalUserid);
    conversation.lastCustomerMessageAt = at;
    conversation.sentSince = 0;
  }

  setKfSessionState(externalUserid: string, sessionState: 0 | 1 | 2 | 3 | 4): void {
    this.sim.state.conversation(externalUserid).sessionState = sessionState;
  }

  /** The `Token` of a kf_msg_or_event callback, valid 10 minutes for kf/sync_msg. */
  issueKfCallbackToken(): string {
    const token = `ENC${randomBytes(24).toString('base64url')}`;
    this.sim.state.kf.callbackTokens.set(token, this.sim.clock.now());
    return token;
  }

  issueOAuthCode(userid: string): string {
    const code = randomBytes(16).toString('hex');
    this.sim.state.oauthCodes.set(code, { code, userid, issuedAt: this.sim.clock.now(), used: false });
    return code;
  }

  confirmMassSend(msgid: string, userid: string): void {
    confirmMassSend(this.sim, msgid, userid);
  }

  /** The staff member publishes a customer moment (by add_moment_task's jobid or the moment_id) in their client. */
  publishMoment(jobidOrMomentId: string, userid: string): void {
    publishMoment(this.sim, jobidOrMomentId, userid);
  }

  /** Every token issued so far answers 42001 from now on. */
  expireTokens(): void {
    this.sim.tokens.expireAll();
  }

  /** The next `count` calls to `api` (path below /cgi-bin/) answer `errcode` without running. */
  injectErrors(api: string, errcode: number, count = 1): void {
    this.kernel.faults.inject(api, errcode, count);
  }

  /** Overrides the per-minute limit of one API (default: the documented 10,000). */
  setRateLimit(api: string, perMinute: number): void {
    this.rates.set(api, perMinute, 60_000);
  }

  /** Requests received, oldest first, optionally for one API. */
  requests(api?: string): RecordedRequest[] {
    return api === undefined ? [...this.kernel.requests] : this.kernel.requests.filter((r) => r.api === api);
  }

  clearRequests(): void {
    this.kernel.requests.length = 0;
  }

  /** Handover: resign members, settle pending customer transfers on demand (transfer_fail callbacks). */
  get transfers(): TransferSimControl {
    return new TransferSimControl(this.sim);
  }

  /** How many distinct tokens gettoken has minted. */
  get tokensMinted(): number {
    return this.sim.tokens.minted;
  }
}
