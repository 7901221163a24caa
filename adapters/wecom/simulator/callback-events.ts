/**
 * Plaintext event XML as WeCom pushes it to a self-built app (protocol notes §2): ToUserName = CorpID,
 * FromUserName = sys, MsgType = event, numbers bare and strings in CDATA. Seal them with `deliverCallback`.
 */
import { buildXml } from '../../shared/xml.ts';
import type { XmlInput } from '../../shared/xml.ts';

type Common = { corpId: string; createTime?: number };

function envelope(input: Common, event: string, fields: Record<string, XmlInput | undefined>): string {
  const body: Record<string, XmlInput> = {
    ToUserName: input.corpId,
    FromUserName: 'sys',
    CreateTime: input.createTime ?? Math.floor(Date.now() / 1000),
    MsgType: 'event',
    Event: event,
  };
  for (const [tag, value] of Object.entries(fields)) if (value !== undefined) body[tag] = value;
  return buildXml(body);
}

export type ExternalContactChange =
  | 'add_external_contact'
  | 'edit_external_contact'
  | 'add_half_external_contact'
  | 'del_external_contact'
  | 'del_follow_user'
  | 'transfer_fail'
  | 'msg_audit_approved';

/** `Event=change_external_contact` (§2.1). */
export function externalContactEvent(
  input: Common & {
    changeType: ExternalContactChange;
    userId: string;
    externalUserId: string;
    state?: string;
    welcomeCode?: string;
    /** del_external_contact: `DELETE_BY_TRANSFER` when removed by 在职继承. */
    source?: string;
    /** transfer_fail: customer_refused | customer_limit_exceed. */
    failReason?: string;
  },
): string {
  return envelope(input, 'change_external_contact', {
    ChangeType: input.changeType,
    UserID: input.userId,
    ExternalUserID: input.externalUserId,
    State: input.state,
    WelcomeCode: input.welcomeCode,
    Source: input.source,
    FailReason: input.failReason,
  });
}

/** `Event=change_external_chat` (§2.2). MemChangeList as `<Item>` elements (current) or one joined string (older). */
export function externalChatEvent(
  input: Common & {
    chatId: string;
    changeType: 'create' | 'update' | 'dismiss';
    updateDetail?: 'add_member' | 'del_member' | 'change_owner' | 'change_name' | 'change_notice';
    joinScene?: 0 | 3;
    quitScene?: 0 | 1;
    memChangeList?: string[];
    memChangeListFormat?: 'items' | 'joined';
    lastMemVer?: string;
    curMemVer?: string;
  },
): string {
  const members = input.memChangeList;
  const list = members && (input.memChangeListFormat === 'joined' ? members.join(',') : { Item: members });
  return envelope(input, 'change_external_chat', {
    ChatId: input.chatId,
    ChangeType: input.changeType,
    UpdateDetail: input.updateDetail,
    JoinScene: input.joinScene,
    QuitScene: input.quitScene,
    MemChangeCnt: members?.length,
    MemChangeList: list,
    LastMemVer: input.lastMemVer,
    CurMemVer: input.curMemVer,
  });
}

/** `Event=change_external_tag` (§2.3). */
export function externalTagEvent(
  input: Common & { id: string; tagType: 'tag' | 'tag_group'; changeType: 'create' | 'update' | 'delete' | 'shuffle'; strategyId?: number },
): string {
  return envelope(input, 'change_external_tag', {
    Id: input.id,
    TagType: input.tagType,
    ChangeType: input.changeType,
    StrategyId: input.strategyId,
  });
}

/** `Event=kf_msg_or_event` (§2.4): no content, only the Token for kf/sync_msg and the account with new data. */
export function kfMsgOrEvent(input: Common & { token: string; openKfId: string }): string {
  return envelope(input, 'kf_msg_or_event', { Token: input.token, OpenKfId: input.openKfId });
}
