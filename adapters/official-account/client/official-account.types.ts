/**
 * Request and reply shapes of the official-account (公众号) APIs, named after the vendor's fields
 * (protocol notes §5.5–§5.8).
 */

// ---- customer-service messages (https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Service_Center_messages.html)

export type CustomSendRequest =
  | { touser: string; msgtype: 'text'; text: { content: string } }
  | { touser: string; msgtype: 'image'; image: { media_id: string } }
  | { touser: string; msgtype: 'voice'; voice: { media_id: string } }
  | { touser: string; msgtype: 'video'; video: { media_id: string; thumb_media_id?: string; title?: string; description?: string } }
  | { touser: string; msgtype: 'news'; news: { articles: { title: string; description?: string; url: string; picurl?: string }[] } }
  | { touser: string; msgtype: 'mpnews'; mpnews: { media_id: string } }
  | { touser: string; msgtype: 'msgmenu'; msgmenu: { head_content: string; list: { id: string; content: string }[]; tail_content: string } }
  | { touser: string; msgtype: 'miniprogrampage'; miniprogrampage: { title: string; appid: string; pagepath: string; thumb_media_id: string } };

// ---- tags (https://developers.weixin.qq.com/doc/service/api/usermanage/tag/api_batchtagging)

export type OaTag = { id: number; name: string; count?: number };
export type TagCreateResponse = { tag: { id: number; name: string } };
export type TagsGetResponse = { tags: OaTag[] };
/** openid_list ≤50; a user carries ≤20 tags. */
export type BatchTaggingRequest = { openid_list: string[]; tagid: number };
export type TagIdListResponse = { tagid_list: number[] };

// ---- template messages (https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html)

export type TemplateSendRequest = {
  touser: string;
  template_id: string;
  url?: string;
  /** When both url and miniprogram are set, the mini program wins. */
  miniprogram?: { appid: string; pagepath?: string };
  client_msg_id?: string;
  data: Record<string, { value: string; color?: string }>;
};
export type TemplateSendResponse = { msgid: number };

// ---- users (https://developers.weixin.qq.com/doc/offiaccount/User_Management/Get_users_basic_information_UnionID.html)

/** `unionid` only when the account is bound to an Open Platform account; unsubscribed users return little more than openid. */
export type UserInfoResponse = {
  subscribe: 0 | 1;
  openid: string;
  language?: string;
  subscribe_time?: number;
  unionid?: string;
  remark?: string;
  groupid?: number;
  tagid_list?: number[];
  subscribe_scene?: string;
  qr_scene?: number;
  qr_scene_str?: string;
};
