/**
 * Typed official-account (公众号) client for one app (app id + secret), on the same request core as WeCom:
 * token cached per (appId, secret) with single-flight refresh (a new token retires the old one, so there must be
 * one holder), refresh-and-retry once on 40001 / 40014 / 42001, backoff on -1 / 45011.
 */
import { checkSendWindow, FORTY_EIGHT_HOURS_FIVE_MESSAGES } from '../../wecom/client/send-window.ts';
import type { SendWindow } from '../../wecom/client/send-window.ts';
import { WecomHttp } from '../../wecom/client/wecom-http.ts';
import type { TencentReply, WecomHttpOptions } from '../../wecom/client/wecom-http.ts';
import { classifyOfficialAccountErrcode, OFFICIAL_ACCOUNT_DIALECT, OfficialAccountApiError } from './official-account-api-error.ts';
import type {
  BatchTaggingRequest,
  CustomSendRequest,
  TagCreateResponse,
  TagIdListResponse,
  TagsGetResponse,
  TemplateSendRequest,
  TemplateSendResponse,
  UserInfoResponse,
} from './official-account.types.ts';

export const OFFICIAL_ACCOUNT_BASE_URL = 'https://api.weixin.qq.com';
/** tags/members/batchtagging and batchuntagging take at most 50 openids (40032 beyond). */
export const MAX_OPENIDS_PER_BATCH = 50;

export type OfficialAccountClientOptions =
  | (Omit<WecomHttpOptions, 'credentials' | 'dialect' | 'baseUrl'> & { appId: string; secret: string; baseUrl?: string })
  | { http: WecomHttp };

type Reply<T> = Promise<T & TencentReply>;

function refuse(api: string, errcode: number, why: string): OfficialAccountApiError {
  const kind = classifyOfficialAccountErrcode(errcode, api);
  return new OfficialAccountApiError({ errcode, errmsg: `refused before calling: ${why}`, api, kind, local: true });
}

export class OfficialAccountClient {
  readonly http: WecomHttp;

  constructor(options: OfficialAccountClientOptions) {
    if ('http' in options) {
      this.http = options.http;
      return;
    }
    const { appId, secret, baseUrl, ...rest } = options;
    this.http = new WecomHttp({
      ...rest,
      baseUrl: baseUrl ?? OFFICIAL_ACCOUNT_BASE_URL,
      credentials: { id: appId, secret },
      dialect: OFFICIAL_ACCOUNT_DIALECT,
    });
  }

  /**
   * https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Service_Center_messages.html —
   * 5 messages within 48 h of the user's last message. With `window`, a closed one is refused locally with the
   * code Tencent would return (45015 expired, 45047 exhausted).
   */
  customSend(body: CustomSendRequest, options: { window?: SendWindow } = {}): Reply<object> {
    const api = 'message/custom/send';
    if (options.window) {
      const verdict = checkSendWindow(options.window, FORTY_EIGHT_HOURS_FIVE_MESSAGES, this.http.clock.now());
      if (!verdict.open) {
        const errcode = verdict.reason === 'expired' ? 45015 : 45047;
        return Promise.reject(refuse(api, errcode, `customer-service window ${verdict.reason}`));
      }
    }
    return this.http.call({ method: 'POST', api, body });
  }

  /** https://developers.weixin.qq.com/doc/service/api/usermanage/tag/api_createtag — name ≤30 chars, ≤100 tags */
  createTag(name: string): Reply<TagCreateResponse> {
    return this.http.call({ method: 'POST', api: 'tags/create', body: { tag: { name } } });
  }

  /** https://developers.weixin.qq.com/doc/service/api/usermanage/tag/api_gettags */
  getTags(): Reply<TagsGetResponse> {
    return this.http.call({ method: 'GET', api: 'tags/get' });
  }

  /**
   * https://developers.weixin.qq.com/doc/service/api/usermanage/tag/api_batchtagging — ≤50 openids per call;
   * longer lists are refused locally (40032) rather than split, so the caller sees exactly what was sent.
   */
  batchTagging(body: BatchTaggingRequest): Reply<object> {
    return this.tagMembers('tags/members/batchtagging', body);
  }

  /** https://developers.weixin.qq.com/doc/service/api/usermanage/tag/api_batchuntagging */
  batchUntagging(body: BatchTaggingRequest): Reply<object> {
    return this.tagMembers('tags/members/batchuntagging', body);
  }

  /** https://developers.weixin.qq.com/doc/service/api/usermanage/tag/api_getidlist */
  getTagIdList(openid: string): Reply<TagIdListResponse> {
    return this.http.call({ method: 'POST', api: 'tags/getidlist', body: { openid } });
  }

  /** https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html */
  sendTemplate(body: TemplateSendRequest): Reply<TemplateSendResponse> {
    return this.http.call({ method: 'POST', api: 'message/template/send', body });
  }

  /** https://developers.weixin.qq.com/doc/offiaccount/User_Management/Get_users_basic_information_UnionID.html */
  getUserInfo(openid: string, lang: 'zh_CN' | 'zh_TW' | 'en' = 'zh_CN'): Reply<UserInfoResponse> {
    return this.http.call({ method: 'GET', api: 'user/info', query: { openid, lang } });
  }

  private tagMembers(api: string, body: BatchTaggingRequest): Reply<object> {
    if (body.openid_list.length > MAX_OPENIDS_PER_BATCH) {
      return Promise.reject(refuse(api, 40032, `openid_list longer than ${MAX_OPENIDS_PER_BATCH}`));
    }
    return this.http.call({ method: 'POST', api, body });
  }
}
