/**
 * `Event=change_external_chat` (protocol notes §2.2): a customer group was created, changed or dismissed.
 * WeCom says only what changed; the core fetches the group (groupchat/get) for the rest.
 */
import type { GroupUpdateDetail, InboundEvent } from '../../channel-adapter.ts';
import { check, digest, eventBase, unknownChange } from './envelope.ts';
import type { WecomCallback } from './envelope.ts';

const UPDATE_DETAILS: readonly string[] = ['add_member', 'del_member', 'change_owner', 'change_name', 'change_notice'];

function parseUpdate(cb: WecomCallback): InboundEvent {
  const f = cb.fields;
  const detail = f.optional('UpdateDetail');
  if (detail !== null && !UPDATE_DETAILS.includes(detail)) return unknownChange(cb);
  const chatId = f.required('ChatId');
  const updateDetail = f.required('UpdateDetail') as GroupUpdateDetail;
  const joinScene = f.optionalInt('JoinScene');
  const quitScene = f.optionalInt('QuitScene');
  const memberChangeCnt = f.optionalInt('MemChangeCnt');
  const memberChangeList = f.list('MemChangeList');
  const lastMemberVersion = f.optional('LastMemVer');
  const currentMemberVersion = f.optional('CurMemVer');
  check(cb);

  // Two changes of one group within a second differ only in the member version (or, without it, the members).
  let version: string[] = [];
  if (currentMemberVersion !== null) version = [`v${currentMemberVersion}`];
  else if (memberChangeList !== null) version = [`m${digest(memberChangeList.join(','))}`];
  return {
    ...eventBase(cb, 'group_updated', [chatId, updateDetail, ...version]),
    chatId,
    updateDetail,
    joinScene,
    quitScene,
    memberChangeCnt,
    memberChangeList,
    lastMemberVersion,
    currentMemberVersion,
  };
}

/** Parses one change_external_chat callback. Docs: https://developer.work.weixin.qq.com/document/path/92130 (客户群事件) */
export function parseExternalChat(cb: WecomCallback): InboundEvent {
  switch (cb.changeType) {
    case 'create': {
      const chatId = cb.fields.required('ChatId');
      check(cb);
      return { ...eventBase(cb, 'group_created', [chatId]), chatId };
    }
    case 'update':
      return parseUpdate(cb);
    case 'dismiss': {
      const chatId = cb.fields.required('ChatId');
      check(cb);
      return { ...eventBase(cb, 'group_dismissed', [chatId]), chatId };
    }
    default:
      return unknownChange(cb);
  }
}
