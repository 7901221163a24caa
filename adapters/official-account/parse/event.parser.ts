/**
 * `MsgType=event` pushes of an official account (protocol notes §5.3): follow, unfollow, QR scan, menu
 * clicks and template-message delivery reports. Other events become `unknown`.
 */
import type { InboundEvent } from '../../channel-adapter.ts';
import { check, eventBase, eventKey, unknownEvent } from './envelope.ts';
import type { OaPush } from './envelope.ts';

const QR_SCENE_PREFIX = 'qrscene_';

/**
 * Parses one `MsgType=event` push. Docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_event_pushes.html
 * and, for TEMPLATESENDJOBFINISH, …/offiaccount/Message_Management/Template_Message_Interface.html
 */
export function parseOaEvent(push: OaPush): InboundEvent {
  const f = push.fields;
  switch (push.event) {
    case 'subscribe': {
      // Followed by scanning a scene QR: EventKey = "qrscene_" + scene; a plain follow has none.
      const qr = f.optional('EventKey');
      const scene = qr?.startsWith(QR_SCENE_PREFIX) ? qr.slice(QR_SCENE_PREFIX.length) || null : null;
      const ticket = f.optional('Ticket');
      check(push);
      return { ...eventBase(push, 'oa_subscribed', eventKey(push)), scene, ticket };
    }
    case 'unsubscribe':
      check(push);
      return eventBase(push, 'oa_unsubscribed', eventKey(push));
    case 'SCAN': {
      const scene = f.required('EventKey');
      const ticket = f.optional('Ticket');
      check(push);
      return { ...eventBase(push, 'oa_scanned', eventKey(push)), scene, ticket };
    }
    case 'CLICK': {
      const key = f.required('EventKey');
      check(push);
      return { ...eventBase(push, 'oa_menu_click', eventKey(push)), eventKey: key };
    }
    case 'VIEW': {
      const url = f.required('EventKey');
      const menuId = f.optional('MenuId');
      check(push);
      return { ...eventBase(push, 'oa_menu_view', eventKey(push)), eventKey: url, menuId };
    }
    case 'TEMPLATESENDJOBFINISH': {
      // The id is spelt MsgID here, unlike a message's MsgId.
      const msgId = f.required('MsgID', 'MsgId');
      const status = f.required('Status');
      check(push);
      const key = `oa:${push.accountId}:TEMPLATESENDJOBFINISH:${msgId}`;
      return { ...eventBase(push, 'oa_template_send_finished', key), msgId, status, delivered: status === 'success' };
    }
    default:
      if (push.event === null) f.required('Event');
      return unknownEvent(push);
  }
}
