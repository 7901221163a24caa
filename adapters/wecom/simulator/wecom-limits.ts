/**
 * The documented WeCom limits the simulator enforces (protocol notes §3, §4, §8). Tests may lower the costly
 * ones through `startWecomSimulator({ limits })`; the defaults are the documented values.
 */
export type WecomLimits = {
  tokenTtlSeconds: number;
  /** Per corp, per API, per minute → 45009. */
  perApiPerMinute: number;
  /** batch/get_by_user: userid_list ≤100 (40032), limit ≤100 (40058). */
  batchUserids: number;
  batchLimit: number;
  /** externalcontact/get pages follow_user past 500. */
  followUsersPerPage: number;
  remarkChars: number;
  descriptionChars: number;
  remarkCompanyChars: number;
  /** Corp tags per corp → 40126. */
  corpTags: number;
  contactWayRemarkChars: number;
  contactWayStateChars: number;
  /** Members of a multi-member 「联系我」 → 41041. */
  contactWayUsers: number;
  /** API-created 「联系我」 configs per corp → 41045. */
  contactWays: number;
  welcomeCodeTtlMs: number;
  attachments: number;
  massTextBytes: number;
  /** add_msg_template: external_userid ≤10,000, chat_id_list ≤2000, tags per tag_filter group ≤100 → 81017. */
  massExternalUserids: number;
  massChatIds: number;
  massTagsPerGroup: number;
  /** Mass messages one customer may receive per month; null = days in the month (the 2025 rule). */
  massPerCustomerPerMonth: number | null;
  /** get_groupmsg_task / get_groupmsg_send_result and kf/sync_msg page sizes. */
  groupMsgLimit: number;
  momentTextChars: number;
  momentSenders: number;
  momentJobTtlMs: number;
  /** groupchat/list: limit 1–1000, owner userid_list ≤100 (40032), >1000 staff without owner_filter → 81017. */
  groupChatLimit: number;
  groupChatOwners: number;
  groupChatStaffWithoutFilter: number;
  kfSyncLimit: number;
  kfSyncHistoryMs: number;
  kfCallbackTokenTtlMs: number;
  kfWindowMs: number;
  kfMessagesPerWindow: number;
  oauthCodeTtlMs: number;
};

export const WECOM_LIMITS: WecomLimits = {
  tokenTtlSeconds: 7200,
  perApiPerMinute: 10_000,
  batchUserids: 100,
  batchLimit: 100,
  followUsersPerPage: 500,
  remarkChars: 20,
  descriptionChars: 150,
  remarkCompanyChars: 20,
  corpTags: 3000,
  contactWayRemarkChars: 30,
  contactWayStateChars: 30,
  contactWayUsers: 100,
  contactWays: 500_000,
  welcomeCodeTtlMs: 20_000,
  attachments: 9,
  massTextBytes: 4000,
  massExternalUserids: 10_000,
  massChatIds: 2000,
  massTagsPerGroup: 100,
  massPerCustomerPerMonth: null,
  groupMsgLimit: 1000,
  momentTextChars: 2000,
  momentSenders: 100_000,
  momentJobTtlMs: 24 * 3_600_000,
  groupChatLimit: 1000,
  groupChatOwners: 100,
  groupChatStaffWithoutFilter: 1000,
  kfSyncLimit: 1000,
  kfSyncHistoryMs: 3 * 24 * 3_600_000,
  kfCallbackTokenTtlMs: 10 * 60_000,
  kfWindowMs: 48 * 3_600_000,
  kfMessagesPerWindow: 5,
  oauthCodeTtlMs: 5 * 60_000,
};
