/**
 * Typed WeCom server-API client for one app (corp id + secret). Every method resolves with the reply when
 * `errcode` is 0 and rejects with a {@link WecomApiError} otherwise; token refresh, backoff and throttling
 * happen in {@link WecomHttp}. Field names follow the vendor documentation (see wecom.types.ts).
 */
import { checkSendWindow, FORTY_EIGHT_HOURS_FIVE_MESSAGES } from './send-window.ts';
import type { SendWindow } from './send-window.ts';
import { classifyWecomErrcode, WecomApiError } from './wecom-api-error.ts';
import { WecomHttp } from './wecom-http.ts';
import type { TencentReply, WecomHttpOptions } from './wecom-http.ts';
import type { GroupChatTransferRequest, GroupChatTransferResponse, JsapiTicketResponse, TransferCustomerRequest, TransferCustomerResponse, TransferResultRequest, TransferResultResponse } from './wecom.types.ts';
import type {
  AddContactWayRequest,
  AddContactWayResponse,
  UpdateContactWayRequest,
  AddCorpTagRequest,
  AddCorpTagResponse,
  AddMomentTaskRequest,
  AddMomentTaskResponse,
  AddMsgTemplateRequest,
  AddMsgTemplateResponse,
  BatchGetByUserRequest,
  BatchGetByUserResponse,
  ExternalContactGetResponse,
  ExternalContactListResponse,
  GetCorpTagListRequest,
  GetCorpTagListResponse,
  GetGroupMsgListV2Request,
  GetGroupMsgListV2Response,
  GetGroupMsgSendResultRequest,
  GetGroupMsgSendResultResponse,
  GetGroupMsgTaskRequest,
  GetGroupMsgTaskResponse,
  GetMomentTaskResultResponse,
  GetMomentTaskRequest,
  GetMomentTaskResponse,
  GetUserInfoResponse,
  AgentGetResponse,
  AppMessageRequest,
  AppMessageResponse,
  GroupChatGetResponse,
  GroupChatListRequest,
  GroupChatListResponse,
  KfBatchGetCustomersRequest,
  KfBatchGetCustomersResponse,
  KfSendMsgOnEventRequest,
  KfSendMsgRequest,
  KfSendMsgResponse,
  KfServicerListResponse,
  KfServiceStateTransRequest,
  KfServiceStateGetRequest,
  KfServiceStateGetResponse,
  KfServiceStateTransResponse,
  KfSyncMsgRequest,
  KfSyncMsgResponse,
  MarkTagRequest,
  RemarkRequest,
  SendWelcomeMsgRequest,
} from './wecom.types.ts';

export const WECOM_BASE_URL = 'https://qyapi.weixin.qq.com';
/** A welcome_code must be used within 20 seconds of the add_external_contact event, once. */
export const WELCOME_CODE_TTL_MS = 20_000;

export type WecomClientOptions =
  | (Omit<WecomHttpOptions, 'credentials' | 'dialect' | 'baseUrl'> & { corpId: string; secret: string; baseUrl?: string })
  | { http: WecomHttp };

type Reply<T> = Promise<T & TencentReply>;

function refuse(api: string, errcode: number, why: string): WecomApiError {
  return new WecomApiError({ errcode, errmsg: `refused before calling: ${why}`, api, kind: classifyWecomErrcode(errcode, api), local: true });
}

export class WecomClient {
  readonly http: WecomHttp;

  constructor(options: WecomClientOptions) {
    if ('http' in options) {
      this.http = options.http;
      return;
    }
    const { corpId, secret, baseUrl, ...rest } = options;
    this.http = new WecomHttp({ ...rest, baseUrl: baseUrl ?? WECOM_BASE_URL, credentials: { id: corpId, secret } });
  }

  // ---- customers

  /** https://developer.work.weixin.qq.com/document/path/96315 */
  getExternalContact(external_userid: string, cursor?: string, opts: { maxWaitMs?: number } = {}): Reply<ExternalContactGetResponse> {
    return this.http.call({ method: 'GET', api: 'externalcontact/get', query: { external_userid, cursor }, ...opts });
  }

  /** https://developer.work.weixin.qq.com/document/path/96315 (list of one member's customers) */
  listExternalContacts(userid: string): Reply<ExternalContactListResponse> {
    return this.http.call({ method: 'GET', api: 'externalcontact/list', query: { userid } });
  }

  /** https://developer.work.weixin.qq.com/document/path/96316 — userid_list ≤100, limit ≤100 */
  batchGetByUser(body: BatchGetByUserRequest): Reply<BatchGetByUserResponse> {
    return this.http.call({ method: 'POST', api: 'externalcontact/batch/get_by_user', body });
  }

  /** https://developer.work.weixin.qq.com/document/path/96317 — remark ≤20, description ≤150, remark_company ≤20 */
  remark(body: RemarkRequest): Reply<object> {
    return this.http.call({ method: 'POST', api: 'externalcontact/remark', body });
  }

  /** https://developer.work.weixin.qq.com/document/path/92118 */
  markTag(body: MarkTagRequest): Reply<object> {
    return this.http.call({ method: 'POST', api: 'externalcontact/mark_tag', body });
  }

  // ---- corp tags

  /** https://developer.work.weixin.qq.com/document/path/92117 */
  getCorpTagList(body: GetCorpTagListRequest = {}): Reply<GetCorpTagListResponse> {
    return this.http.call({ method: 'POST', api: 'externalcontact/get_corp_tag_list', body });
  }

  /** https://developer.work.weixin.qq.com/document/path/92117 — at most 3000 corp tags (40126) */
  addCorpTag(body: AddCorpTagRequest): Reply<AddCorpTagResponse> {
    return this.http.call({ method: 'POST', api: 'externalcontact/add_corp_tag', body });
  }

  /** https://developer.work.weixin.qq.com/document/path/92117 — one tag or group id; only the fields given change */
  editCorpTag(body: { id: string; name?: string; order?: number }): Reply<object> {
    return this.http.call({ method: 'POST', api: 'externalcontact/edit_corp_tag', body });
  }

  /** https://developer.work.weixin.qq.com/document/path/92117 — tags and whole groups; a group's last tag takes the group */
  delCorpTag(body: { tag_id?: string[]; group_id?: string[] }): Reply<object> {
    return this.http.call({ method: 'POST', api: 'externalcontact/del_corp_tag', body });
  }

  // ---- acquisition

  /** https://developer.work.weixin.qq.com/document/path/96348 — `state` ≤30 chars attributes the add */
  addContactWay(body: AddContactWayRequest): Reply<AddContactWayResponse> {
    return this.http.call({ method: 'POST', api: 'externalcontact/add_contact_way', body });
  }

  /** https://developer.work.weixin.qq.com/document/path/96348 — same config_id and qr_code; only the given fields change */
  updateContactWay(body: UpdateContactWayRequest): Reply<object> {
    return this.http.call({ method: 'POST', api: 'externalcontact/update_contact_way', body });
  }

  /** https://developer.work.weixin.qq.com/document/path/96348 — the QR stops adding anyone */
  deleteContactWay(config_id: string): Reply<object> {
    return this.http.call({ method: 'POST', api: 'externalcontact/del_contact_way', body: { config_id } });
  }

  /**
   * https://developer.work.weixin.qq.com/document/path/92137 — within 20 s of the event, once.
   * With `receivedAt` (when the event carrying the code arrived) an expired code is refused locally (41050).
   */
  sendWelcomeMsg(body: SendWelcomeMsgRequest, options: { receivedAt?: Date } = {}): Reply<object> {
    const api = 'externalcontact/send_welcome_msg';
    const { receivedAt } = options;
    if (receivedAt && this.http.clock.now().getTime() - receivedAt.getTime() > WELCOME_CODE_TTL_MS) {
      return Promise.reject(refuse(api, 41050, 'welcome_code older than 20 seconds'));
    }
    return this.http.call({ method: 'POST', api, body });
  }

  // ---- mass messages and moments

  /**
   * https://developer.work.weixin.qq.com/document/path/92135 — creates per-sender tasks that staff confirm in
   * their client; `fail_list` holds recipients that cannot be reached.
   */
  addMsgTemplate(body: AddMsgTemplateRequest): Reply<AddMsgTemplateResponse> {
    return this.http.call({ method: 'POST', api: 'externalcontact/add_msg_template', body });
  }

  /**
   * https://developer.work.weixin.qq.com/document/path/93338 (获取群发记录列表) — start_time / end_time at most one
   * month apart, limit ≤100; API-created messages come back without `creator`, so do not filter them by it.
   */
  getGroupMsgListV2(body: GetGroupMsgListV2Request): Reply<GetGroupMsgListV2Response> {
    return this.http.call({ method: 'POST', api: 'externalcontact/get_groupmsg_list_v2', body });
  }

  /** https://developer.work.weixin.qq.com/document/path/93338 — per-sender task status (0 pending, 2 sent) */
  getGroupMsgTask(body: GetGroupMsgTaskRequest): Reply<GetGroupMsgTaskResponse> {
    return this.http.call({ method: 'POST', api: 'externalcontact/get_groupmsg_task', body });
  }

  /** https://developer.work.weixin.qq.com/document/path/93338 — poll until the sender's rows leave status 0 */
  getGroupMsgSendResult(body: GetGroupMsgSendResultRequest): Reply<GetGroupMsgSendResultResponse> {
    return this.http.call({ method: 'POST', api: 'externalcontact/get_groupmsg_send_result', body });
  }

  /** https://developer.work.weixin.qq.com/document/path/96351 — asynchronous, returns a jobid valid 24 h */
  addMomentTask(body: AddMomentTaskRequest): Reply<AddMomentTaskResponse> {
    return this.http.call({ method: 'POST', api: 'externalcontact/add_moment_task', body });
  }

  /** https://developer.work.weixin.qq.com/document/path/96351 */
  getMomentTaskResult(jobid: string): Reply<GetMomentTaskResultResponse> {
    return this.http.call({ method: 'GET', api: 'externalcontact/get_moment_task_result', query: { jobid } });
  }

  /** https://developer.work.weixin.qq.com/document/path/96352 — publish status per member; limit ≤1000 */
  getMomentTask(body: GetMomentTaskRequest): Reply<GetMomentTaskResponse> {
    return this.http.call({ method: 'POST', api: 'externalcontact/get_moment_task', body });
  }

  // ---- customer groups

  /** https://developer.work.weixin.qq.com/document/path/93414 — limit 1–1000, owner_filter.userid_list ≤100 */
  listGroupChats(body: GroupChatListRequest): Reply<GroupChatListResponse> {
    return this.http.call({ method: 'POST', api: 'externalcontact/groupchat/list', body });
  }

  /** https://developer.work.weixin.qq.com/document/path/93414 */
  getGroupChat(chat_id: string, need_name: 0 | 1 = 0): Reply<GroupChatGetResponse> {
    return this.http.call({ method: 'POST', api: 'externalcontact/groupchat/get', body: { chat_id, need_name } });
  }

  // ---- 微信客服

  /** https://developer.work.weixin.qq.com/document/path/94699 (kf/sync_msg) — an empty page may still have has_more 1 */
  kfSyncMsg(body: KfSyncMsgRequest): Reply<KfSyncMsgResponse> {
    return this.http.call({ method: 'POST', api: 'kf/sync_msg', body });
  }

  /**
   * Pages kf/sync_msg from `cursor` until `has_more` is 0, yielding every page (empty ones included) so the
   * caller can persist `next_cursor` after each.
   */
  async *kfSyncPages(body: KfSyncMsgRequest): AsyncGenerator<KfSyncMsgResponse & TencentReply> {
    let cursor = body.cursor;
    for (;;) {
      const page = await this.kfSyncMsg({ ...body, cursor });
      yield page;
      if (page.has_more !== 1) return;
      cursor = page.next_cursor;
    }
  }

  /**
   * https://developer.work.weixin.qq.com/document/path/94699 (kf/send_msg) — only within 48 h of the customer's
   * last message and at most 5 messages since it. With `window`, a closed window is refused locally with the
   * code Tencent would return (95002 expired, 95001 exhausted).
   */
  kfSendMsg(body: KfSendMsgRequest, options: { window?: SendWindow } = {}): Reply<KfSendMsgResponse> {
    const api = 'kf/send_msg';
    if (options.window) {
      const verdict = checkSendWindow(options.window, FORTY_EIGHT_HOURS_FIVE_MESSAGES, this.http.clock.now());
      if (!verdict.open) {
        const errcode = verdict.reason === 'expired' ? 95002 : 95001;
        return Promise.reject(refuse(api, errcode, `kf window ${verdict.reason}`));
      }
    }
    return this.http.call({ method: 'POST', api, body });
  }

  /**
   * https://developer.work.weixin.qq.com/document/31072 (kf/customer/batchget) — 1–100 external_userids; ids
   * WeCom does not know come back in `invalid_external_userid`.
   */
  kfBatchGetCustomers(body: KfBatchGetCustomersRequest): Reply<KfBatchGetCustomersResponse> {
    return this.http.call({ method: 'POST', api: 'kf/customer/batchget', body });
  }

  /** https://developer.work.weixin.qq.com/document/path/95122 — a welcome_code or msg_code works once (text or msgmenu). */
  kfSendMsgOnEvent(body: KfSendMsgOnEventRequest): Reply<KfSendMsgResponse> {
    return this.http.call({ method: 'POST', api: 'kf/send_msg_on_event', body });
  }

  /** https://developer.work.weixin.qq.com/document/path/94669 — a session's state and, in 3, its servicer. */
  kfServiceStateGet(body: KfServiceStateGetRequest): Reply<KfServiceStateGetResponse> {
    return this.http.call({ method: 'POST', api: 'kf/service_state/get', body });
  }

  /** https://developer.work.weixin.qq.com/document/path/94669 — moves a session; 2 and 3 (first time) and 4 return a msg_code. */
  kfServiceStateTrans(body: KfServiceStateTransRequest): Reply<KfServiceStateTransResponse> {
    return this.http.call({ method: 'POST', api: 'kf/service_state/trans', body });
  }

  /** https://developer.work.weixin.qq.com/document/path/94645 — the 接待人员 of a kf account. */
  kfServicerList(openKfid: string): Reply<KfServicerListResponse> {
    return this.http.call({ method: 'GET', api: 'kf/servicer/list', query: { open_kfid: openKfid } });
  }

  // ---- staff sign-in

  /** https://developer.work.weixin.qq.com/document/path/91023 — the OAuth code is single use and short-lived */
  /** https://developer.work.weixin.qq.com/document/path/90236 — 应用消息 to staff members ("a|b", ≤ 1000) */
  sendAppMessage(body: AppMessageRequest): Reply<AppMessageResponse> {
    return this.http.call({ method: 'POST', api: 'message/send', body });
  }

  /** https://developer.work.weixin.qq.com/document/path/90227 — the app behind `agentid`; only its own secret's token may read it */
  getAgent(agentid: number): Reply<AgentGetResponse> {
    return this.http.call({ method: 'GET', api: 'agent/get', query: { agentid: String(agentid) } });
  }

  getUserInfo(code: string): Reply<GetUserInfoResponse> {
    return this.http.call({ method: 'GET', api: 'auth/getuserinfo', query: { code } });
  }

  // ---- JS-SDK tickets (cache them: 400 fetches per hour per corp, 100 per app)

  /** https://developer.work.weixin.qq.com/document/path/90506 — the corp ticket `config` is signed with */
  getJsapiTicket(): Reply<JsapiTicketResponse> {
    return this.http.call({ method: 'GET', api: 'get_jsapi_ticket' });
  }

  /** https://developer.work.weixin.qq.com/document/path/90506 — the app ticket `agentConfig` is signed with */
  getAgentConfigTicket(): Reply<JsapiTicketResponse> {
    return this.http.call({ method: 'GET', api: 'ticket/get', query: { type: 'agent_config' } });
  }

  // ---- customer handover: ≤100 customers or groups per call; an in-service customer moves at most twice in 90 days (40128)

  /** https://developer.work.weixin.qq.com/document/path/92125 (在职继承) — takes effect after 24 h unless the customer refuses */
  transferCustomer(body: TransferCustomerRequest): Reply<TransferCustomerResponse> {
    return this.http.call({ method: 'POST', api: 'externalcontact/transfer_customer', body });
  }

  /** https://developer.work.weixin.qq.com/document/path/92125 (在职继承, 查询客户接替状态) — pages of ≤1000 */
  transferResult(body: TransferResultRequest): Reply<TransferResultResponse> {
    return this.http.call({ method: 'POST', api: 'externalcontact/transfer_result', body });
  }

  /** https://developer.work.weixin.qq.com/document/path/94081 (离职继承) — the handover member must have resigned */
  resignedTransferCustomer(body: Omit<TransferCustomerRequest, 'transfer_success_msg'>): Reply<TransferCustomerResponse> {
    return this.http.call({ method: 'POST', api: 'externalcontact/resigned/transfer_customer', body });
  }

  /** https://developer.work.weixin.qq.com/document/path/94082 (离职继承, 查询客户接替状态) — pages of ≤1000 */
  resignedTransferResult(body: TransferResultRequest): Reply<TransferResultResponse> {
    return this.http.call({ method: 'POST', api: 'externalcontact/resigned/transfer_result', body });
  }

  /** https://developer.work.weixin.qq.com/document/path/92127 (离职成员的客户群) */
  transferGroupChats(body: GroupChatTransferRequest): Reply<GroupChatTransferResponse> {
    return this.http.call({ method: 'POST', api: 'externalcontact/groupchat/transfer', body });
  }

  /** 分配在职成员的客户群 (the page before path/92127 in the 在职继承 chapter) */
  onJobTransferGroupChats(body: GroupChatTransferRequest): Reply<GroupChatTransferResponse> {
    return this.http.call({ method: 'POST', api: 'externalcontact/groupchat/onjob_transfer', body });
  }
}
