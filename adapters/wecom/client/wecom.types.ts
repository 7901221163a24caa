/**
 * Request and reply shapes of the WeCom server APIs the SCRM uses, named after the vendor's fields
 * (protocol notes §2.4, §3). Replies also carry `errcode` / `errmsg`, which the request core consumes.
 */

// ---- customers (https://developer.work.weixin.qq.com/document/path/96315, /96316, /96317)

export type ExternalContact = {
  external_userid: string;
  name: string;
  position?: string;
  avatar?: string;
  corp_name?: string;
  corp_full_name?: string;
  /** 1 WeChat user, 2 WeCom user. */
  type: 1 | 2;
  gender?: 0 | 1 | 2;
  unionid?: string;
  external_profile?: unknown;
};

export type FollowUserTag = { group_name: string; tag_name: string; tag_id?: string; type: 1 | 2 | 3 };

export type FollowUser = {
  userid: string;
  remark: string;
  description: string;
  createtime: number;
  tags: FollowUserTag[];
  remark_corp_name?: string;
  remark_mobiles: string[];
  oper_userid?: string;
  add_way: number;
  state?: string;
};

export type ExternalContactGetResponse = { external_contact: ExternalContact; follow_user: FollowUser[]; next_cursor?: string };
export type ExternalContactListResponse = { external_userid: string[] };

export type BatchGetByUserRequest = { userid_list: string[]; cursor?: string; limit?: number };
export type FollowInfo = Omit<FollowUser, 'tags'> & { tag_id: string[] };
export type BatchGetByUserResponse = {
  external_contact_list: { external_contact: ExternalContact; follow_info: FollowInfo }[];
  next_cursor: string;
};

export type RemarkRequest = {
  userid: string;
  external_userid: string;
  remark?: string;
  description?: string;
  remark_company?: string;
  remark_mobiles?: string[];
  remark_pic_mediaid?: string;
};

export type MarkTagRequest = { userid: string; external_userid: string; add_tag?: string[]; remove_tag?: string[] };

// ---- corp tags (https://developer.work.weixin.qq.com/document/path/92117, /92118)

export type CorpTag = { id: string; name: string; create_time: number; order: number; deleted?: boolean };
export type CorpTagGroup = {
  group_id: string;
  group_name: string;
  create_time: number;
  order: number;
  deleted?: boolean;
  tag: CorpTag[];
};
export type GetCorpTagListRequest = { tag_id?: string[]; group_id?: string[] };
export type GetCorpTagListResponse = { tag_group: CorpTagGroup[] };
export type AddCorpTagRequest = {
  group_id?: string;
  group_name?: string;
  order?: number;
  tag: { name: string; order?: number }[];
  agentid?: number;
};
export type AddCorpTagResponse = { tag_group: CorpTagGroup };

// ---- 「联系我」 (https://developer.work.weixin.qq.com/document/path/96348)

export type AddContactWayRequest = {
  /** 1 single member, 2 several members. */
  type: 1 | 2;
  /** 1 mini-program button, 2 QR code. */
  scene: 1 | 2;
  style?: number;
  remark?: string;
  skip_verify?: boolean;
  /** ≤30 characters; comes back in the add_external_contact event's State and in follow_user.state. */
  state?: string;
  user?: string[];
  party?: number[];
  is_temp?: boolean;
  expires_in?: number;
  chat_expires_in?: number;
  unionid?: string;
  is_exclusive?: boolean;
  conclusions?: unknown;
};
export type AddContactWayResponse = { config_id: string; qr_code?: string };
/** update_contact_way: the config keeps its QR and state; omitted fields stay as they are. */
export type UpdateContactWayRequest = {
  config_id: string;
  remark?: string;
  skip_verify?: boolean;
  style?: number;
  state?: string;
  user?: string[];
  party?: number[];
  expires_in?: number;
  chat_expires_in?: number;
  unionid?: string;
  conclusions?: unknown;
};

// ---- attachments shared by welcome, mass and moment messages

export type Attachment =
  | { msgtype: 'image'; image: { media_id?: string; pic_url?: string } }
  | { msgtype: 'link'; link: { title: string; picurl?: string; desc?: string; url: string; media_id?: string } }
  | { msgtype: 'miniprogram'; miniprogram: { title: string; pic_media_id: string; appid: string; page: string } }
  | { msgtype: 'video'; video: { media_id: string } }
  | { msgtype: 'file'; file: { media_id: string } };

// ---- welcome message (https://developer.work.weixin.qq.com/document/path/92137)

export type SendWelcomeMsgRequest = { welcome_code: string; text?: { content: string }; attachments?: Attachment[] };

// ---- mass messages (https://developer.work.weixin.qq.com/document/path/92135)

export type AddMsgTemplateRequest = {
  chat_type?: 'single' | 'group';
  external_userid?: string[];
  chat_id_list?: string[];
  tag_filter?: { group_list: { tag_list: string[] }[] };
  sender?: string;
  allow_select?: boolean;
  text?: { content: string };
  attachments?: Attachment[];
};
export type AddMsgTemplateResponse = { msgid: string; fail_list: string[] };

/**
 * https://developer.work.weixin.qq.com/document/path/93338 (获取群发记录列表). Times in seconds, at most one month
 * apart. `creator` filters on the creating member, which API-created messages do not have. `filter_type`: 0 corp
 * (API-created messages included), 1 personal, 2 all (default). `limit` ≤100; a larger value means the default 50.
 */
export type GetGroupMsgListV2Request = {
  chat_type: 'single' | 'group';
  start_time: number;
  end_time: number;
  creator?: string;
  filter_type?: 0 | 1 | 2;
  limit?: number;
  cursor?: string;
};
/** `creator` is absent on API-created messages; `create_type` 0 corp, 1 personal; `create_time` is seconds, sent as a string. */
export type GroupMsg = {
  msgid: string;
  creator?: string;
  create_time: string;
  create_type: 0 | 1;
  text?: { content: string };
  attachments?: Attachment[];
};
export type GetGroupMsgListV2Response = { group_msg_list: GroupMsg[]; next_cursor: string };

export type GetGroupMsgTaskRequest = { msgid: string; limit?: number; cursor?: string };
export type GroupMsgTask = { userid: string; status: 0 | 2; send_time?: number };
export type GetGroupMsgTaskResponse = { task_list: GroupMsgTask[]; next_cursor: string };

export type GetGroupMsgSendResultRequest = { msgid: string; userid: string; limit?: number; cursor?: string };
/** status: 0 not sent, 1 sent, 2 not a friend, 3 the customer's mass-message quota was used up. */
export type GroupMsgSendRow = { external_userid?: string; chat_id?: string; userid: string; status: 0 | 1 | 2 | 3; send_time?: number };
export type GetGroupMsgSendResultResponse = { send_list: GroupMsgSendRow[]; next_cursor: string };

// ---- moments (https://developer.work.weixin.qq.com/document/path/96351)

export type AddMomentTaskRequest = {
  text?: { content: string };
  attachments?: Attachment[];
  visible_range?: {
    sender_list?: { user_list?: string[]; department_list?: number[] };
    external_contact_list?: { tag_list?: string[] };
  };
};
export type AddMomentTaskResponse = { jobid: string };
export type GetMomentTaskResultResponse = {
  /** 1 running, 2 done, 3 failed. */
  status: 1 | 2 | 3;
  type: 'add_moment_task';
  result?: {
    errcode: number;
    errmsg: string;
    moment_id?: string;
    invalid_sender_list?: { user_list?: string[]; department_list?: number[] };
    invalid_external_contact_list?: { tag_list?: string[] };
  };
};

/** https://developer.work.weixin.qq.com/document/path/96352 — who was asked to publish a moment; publish_status 0 not yet, 1 published. */
export type GetMomentTaskRequest = { moment_id: string; cursor?: string; limit?: number };
export type GetMomentTaskResponse = { task_list: { userid: string; publish_status: 0 | 1 }[]; next_cursor: string };

// ---- customer groups (https://developer.work.weixin.qq.com/document/path/93414)

export type GroupChatListRequest = {
  status_filter?: 0 | 1 | 2 | 3;
  owner_filter?: { userid_list: string[] };
  cursor?: string;
  limit: number;
};
export type GroupChatListResponse = { group_chat_list: { chat_id: string; status: number }[]; next_cursor?: string };
export type GroupChatMember = {
  userid: string;
  type: 1 | 2;
  unionid?: string;
  join_time: number;
  join_scene: 1 | 2 | 3;
  invitor?: { userid: string };
  group_nickname?: string;
  name?: string;
};
export type GroupChat = {
  chat_id: string;
  name: string;
  owner: string;
  create_time: number;
  notice?: string;
  member_list: GroupChatMember[];
  admin_list: { userid: string }[];
  member_version?: string;
};
export type GroupChatGetResponse = { group_chat: GroupChat };

// ---- 微信客服 (https://developer.work.weixin.qq.com/document/path/94699)

export type KfSyncMsgRequest = { cursor?: string; token?: string; limit?: number; voice_format?: 0 | 1; open_kfid?: string };
/** origin: 3 customer, 4 system event, 5 a servicer in the WeCom client. */
export type KfMessage = {
  msgid: string;
  open_kfid: string;
  external_userid: string;
  send_time: number;
  origin: 3 | 4 | 5;
  servicer_userid?: string;
  msgtype: string;
  [payload: string]: unknown;
};
export type KfSyncMsgResponse = { next_cursor: string; has_more: 0 | 1; msg_list: KfMessage[] };

export type KfSendMsgRequest = {
  touser: string;
  open_kfid: string;
  /** ≤32 bytes of [0-9a-zA-Z_-]; echoed back. */
  msgid?: string;
  msgtype: 'text' | 'image' | 'voice' | 'video' | 'file' | 'link' | 'miniprogram' | 'msgmenu' | 'location';
  [payload: string]: unknown;
};
export type KfSendMsgResponse = { msgid: string };
export type KfSendMsgOnEventRequest = { code: string; msgid?: string; msgtype: 'text' | 'msgmenu'; [payload: string]: unknown };
export type KfServiceStateTransRequest = { open_kfid: string; external_userid: string; service_state: 1 | 2 | 3 | 4; servicer_userid?: string };
export type KfServiceStateTransResponse = { msg_code?: string };
export type KfServiceStateGetRequest = { open_kfid: string; external_userid: string };
export type KfServiceStateGetResponse = { service_state: 0 | 1 | 2 | 3 | 4; servicer_userid?: string };
/** status: 0 接待中, 1 停止接待. */
export type KfServicerListResponse = { servicer_list: { userid?: string; department_id?: number; status?: 0 | 1 }[] };

/** https://developer.work.weixin.qq.com/document/31072 — 1–100 ids per call. */
export type KfBatchGetCustomersRequest = { external_userid_list: string[]; need_enter_session_context?: 0 | 1 };
/** `unionid` only when a WeChat developer account is bound; `enter_session_context` only when requested. */
export type KfCustomer = {
  external_userid: string;
  nickname: string;
  avatar: string;
  gender: 0 | 1 | 2;
  unionid?: string;
  enter_session_context?: { scene: string; scene_param: string; wechat_channels?: { nickname: string; scene: number } };
};
export type KfBatchGetCustomersResponse = { customer_list: KfCustomer[]; invalid_external_userid: string[] };

// ---- staff OAuth (https://developer.work.weixin.qq.com/document/path/91023)

/** Members get `userid` (+ `user_ticket` for snsapi_privateinfo); non-members get `openid` / `external_userid`. */
export type AppMessageRequest = { touser: string; msgtype: 'textcard'; agentid: number; textcard: { title: string; description: string; url: string; btntxt?: string } };
export type AppMessageResponse = { invaliduser?: string; invalidparty?: string; invalidtag?: string; unlicenseduser?: string; msgid?: string };
/** agent/get (path/90227): the app's name and who may see it; `close` 1 when the app is disabled. */
export type AgentGetResponse = {
  agentid: number;
  name: string;
  square_logo_url?: string;
  description?: string;
  allow_userinfos?: { user: { userid: string }[] };
  allow_partys?: { partyid: number[] };
  allow_tags?: { tagid: number[] };
  close: 0 | 1;
  redirect_domain?: string;
  report_location_flag?: 0 | 1;
  isreportenter?: 0 | 1;
  home_url?: string;
};
export type GetUserInfoResponse = { userid?: string; user_ticket?: string; openid?: string; external_userid?: string };

// ---- JS-SDK tickets (https://developer.work.weixin.qq.com/document/path/90506)

/** get_jsapi_ticket (企业, for `config`) and ticket/get?type=agent_config (应用, for `agentConfig`); valid `expires_in` s (7200). */
export type JsapiTicketResponse = { ticket: string; expires_in: number };

// ---- customer handover (在职继承 path/92125, /94088; 离职继承 path/92124, /92127, /93242)

/** transfer_customer and resigned/transfer_customer: ≤100 external_userids per call. */
export type TransferCustomerRequest = {
  handover_userid: string;
  takeover_userid: string;
  external_userid: string[];
  /** 在职继承 only: the message the customer sees (≤200 chars); WeCom's default text when absent. */
  transfer_success_msg?: string;
};
/** One errcode per customer (0 = accepted, waiting for the takeover). */
export type TransferCustomerResponse = { customer: { external_userid: string; errcode: number }[] };

export type TransferResultRequest = { handover_userid: string; takeover_userid: string; cursor?: string };
/** status: 1 接替完毕, 2 等待接替, 3 客户拒绝, 4 接替成员客户达到上限, 5 无接替记录. takeover_time: done, or planned while waiting. */
export type TransferStatus = 1 | 2 | 3 | 4 | 5;
export type TransferResultResponse = { customer: { external_userid: string; status: TransferStatus; takeover_time: number }[]; next_cursor: string };

/** groupchat/transfer (resigned owners) and groupchat/onjob_transfer: ≤100 chat ids per call. */
export type GroupChatTransferRequest = { chat_id_list: string[]; new_owner: string };
export type GroupChatTransferResponse = { failed_chat_list: { chat_id: string; errcode: number; errmsg: string }[] };
