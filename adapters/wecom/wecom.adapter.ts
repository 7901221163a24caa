/**
 * The WeCom channel adapter: callback verification (WXBizMsgCrypt), the pure parsers, the typed client for
 * sends, and the optional capabilities the core uses (customer and group details, corp tags, kf sync and kf
 * customer profiles, finding a send again after a crash).
 */
import { createHash } from 'node:crypto';
import type {
  ChannelAdapter,
  ContactDetail,
  ContactWay,
  ContactWaySpec,
  StaffNotice,
  TouchMessage,
  TouchSend,
  CorpTagGroup,
  CredentialCheck,
  CustomerPage,
  GroupChatIdPage,
  GroupDetail,
  InboundEvent,
  KfCustomer,
  KfOutMessage,
  KfSendRequest,
  KfServiceState,
  KfSyncPage,
  KfSyncRequest,
  OutboundMessage,
  SendOutcome,
  SendResult,
  VerifiedWebhook,
  WebhookRequest,
  WelcomeMessage,
} from '../channel-adapter.ts';
import { ChannelError } from '../channel-adapter.ts';
import { declaresDtd, firstQueryValue } from '../shared/query.ts';
import { toChannelError } from './client/to-channel-error.ts';
import { WecomApiError } from './client/wecom-api-error.ts';
import { WecomClient } from './client/wecom.client.ts';
import type { WecomHttpOptions } from './client/wecom-http.ts';
import type { GroupMsg, Attachment as WecomAttachment } from './client/wecom.types.ts';
import { verifyAndOpen, verifyUrl, withDelivery } from './crypto/callback-envelope.ts';
import { refusal } from './crypto/wx-biz-msg-crypt.ts';
import { parseWecomCallback } from './parse/callback.parser.ts';
import { wecomInboxPriority } from './parse/inbox-priority.ts';
import type { WecomAccountConfig } from './wecom-account.schema.ts';
import type { CustomerTransferOutcome, CustomerTransferRequest, CustomerTransferState, GroupTransferFailure, JsSdkSignatures, TransferKind } from '../channel-adapter.ts';
import { JsapiTickets } from './client/jsapi-signature.ts';
import { transferCustomers, transferGroups, transferResults } from './wecom-transfers.ts';
import { wecomSendOutcome, wecomTouchSend } from './wecom-touches.ts';

/** Errcodes that mean "WeCom does not know this customer / group (any more)". */
const GONE = new Set([40096, 84061, 40050, 90500]);
/** get_groupmsg_list_v2 ranges: 28 days (the shortest month) fit "at most one month" however Tencent counts it. */
const LIST_WINDOW_S = 28 * 86_400;
/** How far behind ours WeCom's clock may be when its create_time is compared with `since`. */
const CLOCK_SKEW_S = 60;

export class WecomAdapter implements ChannelAdapter {
  readonly kind = 'wecom' as const;
  readonly client: WecomClient;
  /** JS-SDK tickets, fetched on the first signature (400 fetches an hour per corp: cached for their lifetime). */
  private tickets: JsapiTickets | undefined;

  constructor(
    private readonly config: WecomAccountConfig,
    /** `clientOptions` (sleep, clock, backoff, token cache …) tune the default client; ignored with `client`. */
    deps: { client?: WecomClient; clientOptions?: Omit<WecomHttpOptions, 'baseUrl' | 'credentials' | 'dialect'> } = {},
  ) {
    this.client =
      deps.client ?? new WecomClient({ ...deps.clientOptions, corpId: config.corpId, secret: config.secret, ...(config.apiBase ? { baseUrl: config.apiBase } : {}) });
  }

  verifyWebhook(req: WebhookRequest): VerifiedWebhook {
    const auth = {
      token: this.config.token,
      encodingAESKey: this.config.encodingAESKey,
      receiveId: this.config.corpId,
      msgSignature: firstQueryValue(req.query.msg_signature),
      timestamp: firstQueryValue(req.query.timestamp),
      nonce: firstQueryValue(req.query.nonce),
    };
    if (!auth.msgSignature || !auth.timestamp || !auth.nonce) return { ok: false, status: 401, reason: '缺少签名参数 msg_signature, timestamp and nonce are required' };
    try {
      if (req.method === 'GET') {
        const echostr = firstQueryValue(req.query.echostr);
        if (!echostr) return { ok: false, status: 400, reason: '缺少 echostr echostr is required' };
        const echo = verifyUrl({ ...auth, echostr });
        // msg_signature covers the echostr, so the same parameters always come with the same echo.
        return withDelivery({ ok: true, echo }, auth.timestamp, auth.nonce, auth.msgSignature, true);
      }
      // One literal, not `{ ...auth, body }`: on the acknowledgement path the spread cost a quarter of the crypto's time.
      const plaintext = verifyAndOpen({
        token: auth.token,
        encodingAESKey: auth.encodingAESKey,
        receiveId: auth.receiveId,
        msgSignature: auth.msgSignature,
        timestamp: auth.timestamp,
        nonce: auth.nonce,
        body: req.rawBody,
      });
      if (declaresDtd(plaintext)) return { ok: false, status: 400, reason: '推送内容声明了 DTD Payload declares a DTD' };
      // msg_signature covers the ciphertext: a captured URL cannot carry another body.
      return withDelivery({ ok: true, plaintext }, auth.timestamp, auth.nonce, auth.msgSignature, true);
    } catch (err) {
      return refusal(err);
    }
  }

  parseInbound(plaintext: string): InboundEvent[] {
    return parseWecomCallback(plaintext);
  }

  inboxPriority(plaintext: string): number {
    return wecomInboxPriority(plaintext);
  }

  async send(msg: OutboundMessage): Promise<SendResult> {
    try {
      if (msg.route === 'kf') return await this.sendKf(msg);
      if (msg.route === 'moments') {
        const r = await this.client.addMomentTask({ ...(msg.text ? { text: { content: msg.text } } : {}), ...(msg.attachments?.length ? { attachments: toAttachments(msg) } : {}), visible_range: { sender_list: { user_list: msg.sender ? [msg.sender] : [] } } } as never);
        return { ok: true, vendorId: r.jobid };
      }
      const groups = msg.to.filter((r) => r.type === 'group').map((r) => r.id);
      const contacts = msg.to.filter((r) => r.type === 'contact').map((r) => r.id);
      if (!groups.length === !contacts.length) return invalid('群发须指定客户或客户群之一，且不能同时指定 A mass send goes to contacts or to groups: at least one, not both (an empty list is refused, never sent to everyone)');
      const r = await this.client.addMsgTemplate({
        chat_type: groups.length ? 'group' : 'single',
        ...(groups.length ? { chat_id_list: groups } : { external_userid: contacts }),
        ...(msg.sender ? { sender: msg.sender } : {}),
        ...(msg.text ? { text: { content: msg.text } } : {}),
        ...(msg.attachments?.length ? { attachments: toAttachments(msg) } : {}),
      });
      return { ok: true, vendorId: r.msgid, ...(r.fail_list?.length ? { failedRecipientIds: r.fail_list } : {}) };
    } catch (err) {
      return { ok: false, error: toChannelError(err) };
    }
  }

  buildTouchSend(touch: TouchSend): TouchMessage | null {
    return wecomTouchSend(touch);
  }

  sendOutcome(send: { route: OutboundMessage['route']; sender: string | null; vendorId: string }): Promise<SendOutcome> {
    return wecomSendOutcome(this.client, send);
  }

  private async sendKf(msg: OutboundMessage): Promise<SendResult> {
    const [to, ...rest] = msg.to;
    if (!to || rest.length || to.type !== 'contact' || !msg.sender) return invalid('kf sends go to one customer from one open_kfid (sender)');
    if (!msg.text) return invalid('kf sends carry text');
    const r = await this.client.kfSendMsg({ touser: to.id, open_kfid: msg.sender, msgid: kfMsgId(msg.clientId), msgtype: 'text', text: { content: msg.text } });
    return { ok: true, vendorId: r.msgid };
  }

  /**
   * Finds a send again by what was sent (ChannelAdapter.findSent), per route:
   * - mass_send (https://developer.work.weixin.qq.com/document/path/93338): lists the mass messages of the chat
   *   type created since `since` (get_groupmsg_list_v2 in 28-day windows, pages of 100 — not filtered by creator,
   *   which API-created messages lack), keeps those with the same text and attachment types, and takes the first
   *   whose sender (any member when `msg.sender` is unset) has a send-result row for one of `msg.to`. WeCom lists
   *   no unsent rows for group sends, so a group candidate still pending for its sender can be neither confirmed nor
   *   ruled out: with no match and such a candidate left, this rejects (retryable; ask again once it was sent).
   * - kf: null. kf/sync_msg never returns API sends, so there is nothing to look up; a resend carries the same
   *   msgid (derived from clientId), and WeCom refuses a msgid already used on the kf account, so it cannot reach the
   *   customer twice. That refusal comes back from `send` as a failure whose errcode the doc does not name.
   * - moments: rejects (kind invalid): nothing to look up, and a resend would publish twice.
   */
  async findSent(msg: OutboundMessage, since: Date): Promise<{ vendorId: string } | null> {
    if (msg.route === 'kf') return null;
    if (msg.route === 'moments') throw new ChannelError({ errcode: null, message: 'moment sends cannot be looked up', kind: 'invalid' });
    const groups = msg.to.filter((r) => r.type === 'group').map((r) => r.id);
    const contacts = msg.to.filter((r) => r.type === 'contact').map((r) => r.id);
    if (!groups.length === !contacts.length) return null; // send() refuses such a message without calling WeCom
    const chatType = groups.length ? 'group' : 'single';
    const recipients = new Set(groups.length ? groups : contacts);
    try {
      let unconfirmed = false;
      for await (const candidate of this.massCandidates(msg, chatType, since)) {
        const verdict = await this.matchMassSend(candidate.msgid, msg.sender, recipients, chatType);
        if (verdict === 'match') return { vendorId: candidate.msgid };
        unconfirmed ||= verdict === 'pending';
      }
      if (unconfirmed) {
        throw new ChannelError({ errcode: null, message: 'a matching group mass send is not sent yet; WeCom lists its groups only once it is', kind: 'unavailable' });
      }
      return null;
    } catch (err) {
      throw lookupError(err);
    }
  }

  /** Mass messages of `chatType` created since `since` (oldest window first) with the text and attachment types of `msg`. */
  private async *massCandidates(msg: OutboundMessage, chatType: 'single' | 'group', since: Date): AsyncGenerator<GroupMsg> {
    const text = msg.text ?? '';
    const types = toAttachments(msg).map((a) => a.msgtype).join();
    const end = Math.floor(this.client.http.clock.now().getTime() / 1000);
    for (let start = Math.floor(since.getTime() / 1000) - CLOCK_SKEW_S; start <= end; start += LIST_WINDOW_S + 1) {
      let cursor: string | undefined;
      do {
        const page = await this.client.getGroupMsgListV2({ chat_type: chatType, start_time: start, end_time: Math.min(end, start + LIST_WINDOW_S), filter_type: 2, limit: 100, ...(cursor ? { cursor } : {}) });
        for (const m of page.group_msg_list) {
          if ((m.text?.content ?? '') === text && (m.attachments ?? []).map((a) => a.msgtype).join() === types) yield m;
        }
        cursor = page.next_cursor || undefined;
      } while (cursor);
    }
  }

  /** `match`: the sender has a row for a recipient; `pending`: a group task of the sender not sent yet (rows unlisted). */
  private async matchMassSend(msgid: string, sender: string | undefined, recipients: ReadonlySet<string>, chatType: 'single' | 'group'): Promise<'match' | 'pending' | 'other'> {
    const tasks = await allPages((cursor) => this.client.getGroupMsgTask({ msgid, limit: 1000, ...(cursor ? { cursor } : {}) }), (p) => p.task_list);
    let pending = false;
    for (const task of tasks.filter((t) => sender === undefined || t.userid === sender)) {
      const rows = await allPages((cursor) => this.client.getGroupMsgSendResult({ msgid, userid: task.userid, limit: 1000, ...(cursor ? { cursor } : {}) }), (p) => p.send_list);
      if (rows.some((r) => recipients.has(r.chat_id ?? r.external_userid ?? ''))) return 'match';
      pending ||= chatType === 'group' && task.status === 0;
    }
    return pending ? 'pending' : 'other';
  }

  /** The secret, and with an agentId the app too (agent/get answers 40056 / 301002 as message/send would at 09:00). */
  async checkCredentials(): Promise<CredentialCheck> {
    try {
      await this.client.http.accessToken();
      if (this.config.agentId) await this.client.getAgent(Number(this.config.agentId));
      return { ok: true };
    } catch (err) {
      const e = toChannelError(err);
      return { ok: false, ...(e.errcode !== null ? { errcode: e.errcode } : {}), message: e.message };
    }
  }

  async syncKfMessages(req: KfSyncRequest): Promise<KfSyncPage> {
    const r = await this.client.kfSyncMsg({ open_kfid: req.openKfId, limit: 1000, ...(req.cursor ? { cursor: req.cursor } : {}), ...(req.syncToken ? { token: req.syncToken } : {}) }).catch((err: unknown) => {
      throw toChannelError(err);
    });
    return {
      nextCursor: r.next_cursor,
      hasMore: r.has_more === 1,
      messages: r.msg_list.map((m) => ({
        msgId: m.msgid,
        openKfId: m.open_kfid,
        externalUserId: m.external_userid || null,
        sentAt: new Date(m.send_time * 1000),
        origin: m.origin === 3 ? 'customer' : m.origin === 4 ? 'system' : 'servicer',
        msgType: m.msgtype,
        text: m.msgtype === 'text' ? ((m.text as { content?: string } | undefined)?.content ?? null) : null,
        raw: m,
      })),
    };
  }

  /** https://developer.work.weixin.qq.com/document/31072 — 1–100 ids; unknown ids are left out. */
  async fetchKfCustomers(externalUserIds: string[]): Promise<KfCustomer[]> {
    if (!externalUserIds.length) return [];
    try {
      const r = await this.client.kfBatchGetCustomers({ external_userid_list: externalUserIds, need_enter_session_context: 0 });
      return r.customer_list.map((c) => ({ externalUserId: c.external_userid, nickname: c.nickname || null, avatar: c.avatar || null, unionId: c.unionid || null }));
    } catch (err) {
      throw toChannelError(err);
    }
  }

  async sendKfMessage(req: KfSendRequest): Promise<{ msgId: string }> {
    try {
      const r = await this.client.kfSendMsg({ touser: req.externalUserId, open_kfid: req.openKfId, ...(req.msgId ? { msgid: kfMsgId(req.msgId) } : {}), ...kfBody(req.message) });
      return { msgId: r.msgid };
    } catch (err) {
      throw toChannelError(err);
    }
  }

  async sendKfEventMessage(code: string, message: KfOutMessage): Promise<{ msgId: string }> {
    try {
      const r = await this.client.kfSendMsgOnEvent({ code, ...kfBody(message) });
      return { msgId: r.msgid };
    } catch (err) {
      throw toChannelError(err);
    }
  }

  async getKfState(req: { openKfId: string; externalUserId: string }): Promise<{ state: KfServiceState; servicerUserId: string | null }> {
    try {
      const r = await this.client.kfServiceStateGet({ open_kfid: req.openKfId, external_userid: req.externalUserId });
      return { state: r.service_state, servicerUserId: r.servicer_userid || null };
    } catch (err) {
      throw toChannelError(err);
    }
  }

  async transKfState(req: { openKfId: string; externalUserId: string; state: Exclude<KfServiceState, 0>; servicerUserId?: string }): Promise<{ msgCode: string | null }> {
    try {
      const r = await this.client.kfServiceStateTrans({
        open_kfid: req.openKfId,
        external_userid: req.externalUserId,
        service_state: req.state,
        ...(req.servicerUserId ? { servicer_userid: req.servicerUserId } : {}),
      });
      return { msgCode: r.msg_code || null };
    } catch (err) {
      throw toChannelError(err);
    }
  }

  async listKfServicers(openKfId: string): Promise<{ userId: string; onDuty: boolean }[]> {
    try {
      const r = await this.client.kfServicerList(openKfId);
      // Departments may be servicers too; only members can take a session.
      return r.servicer_list.flatMap((s) => (s.userid ? [{ userId: s.userid, onDuty: s.status === 0 }] : []));
    } catch (err) {
      throw toChannelError(err);
    }
  }

  async fetchContactDetail(externalUserId: string, opts: { maxWaitMs?: number } = {}): Promise<ContactDetail | null> {
    try {
      let cursor: string | undefined;
      const follows: ContactDetail['follows'] = [];
      let contact;
      do {
        const r = await this.client.getExternalContact(externalUserId, cursor, opts);
        contact = r.external_contact;
        for (const f of r.follow_user) {
          follows.push({
            staffUserId: f.userid,
            remark: f.remark,
            description: f.description,
            addedAt: new Date(f.createtime * 1000),
            tagIds: f.tags.filter((t) => t.type === 1 && t.tag_id).map((t) => t.tag_id!),
            addWay: f.add_way,
            state: f.state || null,
          });
        }
        cursor = r.next_cursor || undefined;
      } while (cursor);
      return { externalUserId, name: contact.name, avatar: contact.avatar ?? null, type: contact.type === 2 ? 'wecom' : 'wechat', unionId: contact.unionid ?? null, follows };
    } catch (err) {
      if (err instanceof WecomApiError && GONE.has(err.errcode)) return null;
      throw toChannelError(err);
    }
  }

  async fetchGroupDetail(chatId: string): Promise<GroupDetail | null> {
    try {
      const { group_chat: g } = await this.client.getGroupChat(chatId, 1);
      return {
        chatId: g.chat_id,
        name: g.name,
        ownerUserId: g.owner,
        notice: g.notice ?? '',
        createdAt: new Date(g.create_time * 1000),
        memberVersion: g.member_version ?? null,
        members: g.member_list.map((m) => ({ userId: m.userid, type: m.type === 2 ? 'external' : 'staff', joinTime: new Date(m.join_time * 1000), joinScene: m.join_scene, unionId: m.unionid ?? null })),
      };
    } catch (err) {
      if (err instanceof WecomApiError && GONE.has(err.errcode)) return null;
      throw toChannelError(err);
    }
  }

  /** https://developer.work.weixin.qq.com/document/path/96316 — userid_list ≤100, limit ≤100 */
  async listCustomersByStaff(staffUserIds: string[], cursor: string | null): Promise<CustomerPage> {
    try {
      const r = await this.client.batchGetByUser({ userid_list: staffUserIds, limit: 100, ...(cursor ? { cursor } : {}) });
      return {
        nextCursor: r.next_cursor || null,
        items: r.external_contact_list.map(({ external_contact: c, follow_info: f }) => ({
          externalUserId: c.external_userid,
          name: c.name,
          avatar: c.avatar ?? null,
          type: c.type === 2 ? 'wecom' : 'wechat',
          unionId: c.unionid ?? null,
          follows: [
            {
              staffUserId: f.userid,
              remark: f.remark,
              description: f.description,
              addedAt: new Date(f.createtime * 1000),
              tagIds: f.tag_id ?? [],
              addWay: f.add_way,
              state: f.state || null,
            },
          ],
        })),
      };
    } catch (err) {
      throw toChannelError(err);
    }
  }

  /** https://developer.work.weixin.qq.com/document/path/93414 — owner_filter ≤100 userids, every status */
  async listGroupChatIds(ownerUserIds: string[], cursor: string | null): Promise<GroupChatIdPage> {
    try {
      const r = await this.client.listGroupChats({ status_filter: 0, owner_filter: { userid_list: ownerUserIds }, limit: 100, ...(cursor ? { cursor } : {}) });
      return { chatIds: r.group_chat_list.map((g) => g.chat_id), nextCursor: r.next_cursor || null };
    } catch (err) {
      throw toChannelError(err);
    }
  }

  /**
   * https://developer.work.weixin.qq.com/document/path/91023 — codes are single use and live 5 minutes; a code of
   * a non-member answers openid / external_userid instead of userid.
   */
  async resolveStaffOAuthCode(code: string): Promise<string | null> {
    try {
      const r = await this.client.getUserInfo(code);
      return r.userid || null;
    } catch (err) {
      // 40029 invalid, used or expired code; 41008 no code.
      if (err instanceof WecomApiError && (err.errcode === 40029 || err.errcode === 41008)) return null;
      throw toChannelError(err);
    }
  }

  /** https://developer.work.weixin.qq.com/document/path/96348 — scene 2 (QR); `state` ≤30 chars */
  async createContactWay(spec: ContactWaySpec): Promise<ContactWay> {
    try {
      const r = await this.client.addContactWay({
        type: spec.single ? 1 : 2,
        scene: 2,
        user: spec.userIds,
        state: spec.state,
        skip_verify: spec.skipVerify ?? true,
        ...(spec.remark ? { remark: spec.remark } : {}),
      });
      if (!r.qr_code) throw new ChannelError({ errcode: null, message: 'add_contact_way returned no qr_code for scene 2', kind: 'unknown' });
      return { configId: r.config_id, qrCode: r.qr_code };
    } catch (err) {
      throw toChannelError(err);
    }
  }

  /** https://developer.work.weixin.qq.com/document/path/96348 — update_contact_way keeps config_id and QR */
  async updateContactWay(configId: string, change: Partial<Omit<ContactWaySpec, 'single'>>): Promise<void> {
    try {
      await this.client.updateContactWay({
        config_id: configId,
        ...(change.userIds ? { user: change.userIds } : {}),
        ...(change.state !== undefined ? { state: change.state } : {}),
        ...(change.remark !== undefined ? { remark: change.remark } : {}),
        ...(change.skipVerify !== undefined ? { skip_verify: change.skipVerify } : {}),
      });
    } catch (err) {
      throw toChannelError(err);
    }
  }

  /** https://developer.work.weixin.qq.com/document/path/96348 — 41044 (unknown config) means already gone */
  async deleteContactWay(configId: string): Promise<void> {
    try {
      await this.client.deleteContactWay(configId);
    } catch (err) {
      if (err instanceof WecomApiError && err.errcode === 41044) return;
      throw toChannelError(err);
    }
  }

  /** https://developer.work.weixin.qq.com/document/path/92137 — once, within 20 s of the add */
  async sendWelcomeMessage(msg: WelcomeMessage, receivedAt: Date): Promise<SendResult> {
    try {
      const attachments = toAttachments({ clientId: msg.welcomeCode, to: [], ...(msg.attachments ? { attachments: msg.attachments } : {}) });
      await this.client.sendWelcomeMsg(
        { welcome_code: msg.welcomeCode, ...(msg.text ? { text: { content: msg.text } } : {}), ...(attachments.length ? { attachments } : {}) },
        { receivedAt },
      );
      return { ok: true };
    } catch (err) {
      return { ok: false, error: toChannelError(err) };
    }
  }

  /** https://developer.work.weixin.qq.com/document/path/92118 */
  /** https://developer.work.weixin.qq.com/document/path/90506 — both tickets cached per app for their 7200 s */
  async signJsSdk(url: string): Promise<JsSdkSignatures> {
    this.tickets ??= new JsapiTickets(this.client, { corpId: this.config.corpId, secret: this.config.secret }, this.client.http.clock);
    try {
      return { corpId: this.config.corpId, agentId: this.config.agentId ?? null, ...(await this.tickets.sign(url)) };
    } catch (err) {
      throw toChannelError(err);
    }
  }

  transferCustomers(req: CustomerTransferRequest): Promise<CustomerTransferOutcome[]> {
    return transferCustomers(this.client, req);
  }

  transferResults(kind: TransferKind, handoverUserId: string, takeoverUserId: string): Promise<CustomerTransferState[]> {
    return transferResults(this.client, kind, handoverUserId, takeoverUserId);
  }

  transferGroups(kind: TransferKind, chatIds: string[], newOwnerUserId: string): Promise<GroupTransferFailure[]> {
    return transferGroups(this.client, kind, chatIds, newOwnerUserId);
  }

  async markTags(staffUserId: string, externalUserId: string, add: string[], remove: string[]): Promise<void> {
    if (!add.length && !remove.length) return;
    try {
      await this.client.markTag({ userid: staffUserId, external_userid: externalUserId, ...(add.length ? { add_tag: add } : {}), ...(remove.length ? { remove_tag: remove } : {}) });
    } catch (err) {
      throw toChannelError(err);
    }
  }

  async deleteCorpTags(tagIds: string[]): Promise<void> {
    if (!tagIds.length) return;
    try {
      await this.client.delCorpTag({ tag_id: tagIds });
    } catch (err) {
      throw toChannelError(err);
    }
  }

  async createCorpTags(input: { groupId?: string; groupName?: string; tags: { name: string; order?: number }[] }): Promise<CorpTagGroup> {
    try {
      const r = await this.client.addCorpTag({ ...(input.groupId ? { group_id: input.groupId } : { group_name: input.groupName }), tag: input.tags });
      const g = r.tag_group;
      return { groupId: g.group_id, name: g.group_name, order: g.order, tags: g.tag.map((t) => ({ tagId: t.id, name: t.name, order: t.order })) };
    } catch (err) {
      throw toChannelError(err);
    }
  }

  async editCorpTag(id: string, change: { name?: string; order?: number }): Promise<void> {
    try {
      await this.client.editCorpTag({ id, ...change });
    } catch (err) {
      throw toChannelError(err);
    }
  }

  async deleteCorpTagGroups(groupIds: string[]): Promise<void> {
    if (!groupIds.length) return;
    try {
      await this.client.delCorpTag({ group_id: groupIds });
    } catch (err) {
      throw toChannelError(err);
    }
  }

  /** https://developer.work.weixin.qq.com/document/path/90236 — textcard; WeCom drops what exceeds 30 a minute per member */
  async notifyStaff(card: StaffNotice): Promise<{ ok: true; invalidUserIds: string[]; vendorId: string } | { ok: false; error: ChannelError }> {
    if (!this.config.agentId) return { ok: false, error: new ChannelError({ errcode: null, message: 'the WeCom account has no agentId: app messages need one', kind: 'invalid' }) };
    try {
      const r = await this.client.sendAppMessage({
        touser: card.userIds.join('|'),
        msgtype: 'textcard',
        agentid: Number(this.config.agentId),
        textcard: { title: card.title, description: card.description, url: card.url, ...(card.button ? { btntxt: card.button } : {}) },
      });
      return { ok: true, invalidUserIds: (r.invaliduser ?? '').split('|').filter(Boolean), vendorId: r.msgid ?? '' };
    } catch (err) {
      return { ok: false, error: toChannelError(err) };
    }
  }

  async fetchCorpTags(): Promise<CorpTagGroup[]> {
    try {
      const r = await this.client.getCorpTagList({});
      return r.tag_group
        .filter((g) => !g.deleted)
        .map((g) => ({ groupId: g.group_id, name: g.group_name, order: g.order, tags: g.tag.filter((t) => !t.deleted).map((t) => ({ tagId: t.id, name: t.name, order: t.order })) }));
    } catch (err) {
      throw toChannelError(err);
    }
  }
}

/** A kf message body: text, or a msgmenu of click items (a click comes back as text with the item's id as menu_id). */
function kfBody(message: KfOutMessage): { msgtype: 'text' | 'msgmenu'; [payload: string]: unknown } {
  if (message.type === 'text') return { msgtype: 'text', text: { content: message.text } };
  return {
    msgtype: 'msgmenu',
    msgmenu: {
      head_content: message.head,
      list: message.items.map((i) => ({ type: 'click', click: { id: i.id, content: i.text } })),
      ...(message.tail ? { tail_content: message.tail } : {}),
    },
  };
}

/** kf msgid: ≤32 bytes of [0-9a-zA-Z_-]; a hash keeps distinct client ids distinct whatever their length or script. */
function kfMsgId(clientId: string): string {
  return createHash('sha256').update(clientId).digest('base64url').slice(0, 32);
}

/** Every item of a cursor-paged WeCom listing (`next_cursor` empty after the last page). */
async function allPages<P extends { next_cursor: string }, T>(fetchPage: (cursor: string | undefined) => Promise<P>, items: (page: P) => T[]): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    all.push(...items(page));
    cursor = page.next_cursor || undefined;
  } while (cursor);
  return all;
}

/** A failed lookup; retryable whenever WeCom said "later" (41063 still dispatching, busy, rate limits). */
function lookupError(err: unknown): ChannelError {
  const e = toChannelError(err);
  return err instanceof WecomApiError && err.retryable && !e.retryable ? new ChannelError({ ...e.toJSON(), retryable: true, cause: err }) : e;
}

function invalid(message: string): SendResult {
  return { ok: false, error: new ChannelError({ errcode: null, message, kind: 'invalid' }) };
}

function toAttachments(msg: OutboundMessage): WecomAttachment[] {
  return (msg.attachments ?? []).map((a) =>
    a.type === 'image'
      ? ({ msgtype: 'image', image: a.mediaId ? { media_id: a.mediaId } : { pic_url: a.url } } as WecomAttachment)
      : a.type === 'link'
        ? ({ msgtype: 'link', link: { title: a.title, url: a.url, ...(a.description ? { desc: a.description } : {}), ...(a.picUrl ? { picurl: a.picUrl } : {}) } } as WecomAttachment)
        : ({ msgtype: 'miniprogram', miniprogram: { title: a.title, appid: a.appId, page: a.page, pic_media_id: a.picMediaId ?? '' } } as WecomAttachment),
  );
}
