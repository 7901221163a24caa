/**
 * `Event=change_external_contact` (protocol notes §2.1): a customer and a staff member became, changed or
 * stopped being friends. Every ChangeType carries `UserID` and `ExternalUserID`, which key the event.
 */
import type { InboundEvent, InboundEventBase } from '../../channel-adapter.ts';
import { check, eventBase, unknownChange } from './envelope.ts';
import type { WecomCallback } from './envelope.ts';

type Pair = { staffUserId: string; externalUserId: string };

function readPair(cb: WecomCallback): Pair {
  return { staffUserId: cb.fields.required('UserID'), externalUserId: cb.fields.required('ExternalUserID') };
}

function base<K extends string>(cb: WecomCallback, kind: K, pair: Pair): InboundEventBase<K, 'wecom'> {
  return eventBase(cb, kind, [pair.staffUserId, pair.externalUserId]);
}

/** Parses one change_external_contact callback. Docs: https://developer.work.weixin.qq.com/document/path/92130 */
export function parseExternalContact(cb: WecomCallback): InboundEvent {
  const f = cb.fields;
  switch (cb.changeType) {
    case 'add_external_contact':
    case 'add_half_external_contact': {
      const pair = readPair(cb);
      const state = f.optional('State');
      const welcomeCode = f.optional('WelcomeCode');
      check(cb);
      const half = cb.changeType === 'add_half_external_contact';
      return { ...base(cb, 'friend_added', pair), ...pair, state, welcomeCode, half };
    }
    case 'edit_external_contact': {
      const pair = readPair(cb);
      check(cb);
      return { ...base(cb, 'friend_edited', pair), ...pair };
    }
    case 'del_external_contact': {
      const pair = readPair(cb);
      const source = f.optional('Source');
      check(cb);
      return { ...base(cb, 'friend_deleted_by_staff', pair), ...pair, source, byTransfer: source === 'DELETE_BY_TRANSFER' };
    }
    case 'del_follow_user': {
      const pair = readPair(cb);
      check(cb);
      return { ...base(cb, 'friend_deleted_by_customer', pair), ...pair };
    }
    case 'transfer_fail': {
      const pair = readPair(cb);
      const reason = f.required('FailReason');
      check(cb);
      const { staffUserId: takeoverUserId, externalUserId } = pair;
      return { ...base(cb, 'friend_transfer_failed', pair), takeoverUserId, externalUserId, reason };
    }
    case 'msg_audit_approved': {
      const pair = readPair(cb);
      const welcomeCode = f.optional('WelcomeCode');
      check(cb);
      return { ...base(cb, 'chat_archiving_approved', pair), ...pair, welcomeCode };
    }
    default:
      return unknownChange(cb);
  }
}
