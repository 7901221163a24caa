/**
 * kf_msg_or_event carries no content: pull with kf/sync_msg until has_more is 0 (an empty page is not the
 * end), persisting the cursor after every page so a restart resumes instead of replaying three days.
 */
import type { KfMessagesAvailable } from '../../adapters/channel-adapter.ts';
import type { HandledEvent, InboundContext } from './inbound-context.ts';

const MAX_PAGES = 100;

export async function onKfMessagesAvailable(event: KfMessagesAvailable, ctx: InboundContext): Promise<HandledEvent> {
  const { services, adapter, account } = ctx;
  if (!adapter.syncKfMessages) return { contactId: null };
  const models = services.db.models;
  const saved = await models.KfCursor.findOne({ accountId: account.id, openKfId: event.openKfId }).lean();
  let cursor: string | null = saved?.cursor ?? null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await adapter.syncKfMessages({ openKfId: event.openKfId, syncToken: event.syncToken, cursor });
    for (const m of result.messages) {
      let contactId: string | null = null;
      if (m.externalUserId) {
        const { contact } = await services.identities.upsert(event.corpId, {
          identities: [{ kind: 'kf', externalUserId: m.externalUserId }],
          ...(m.origin === 'customer' ? { interactionAt: m.sentAt } : {}),
        });
        contactId = contact.id;
      }
      const enter = m.msgType === 'event' ? (m.raw.event as { event_type?: string } | undefined)?.event_type : undefined;
      await services.events.append(event.corpId, {
        key: `wecom:${event.corpId}:kf:${m.msgId}`,
        direction: 'inbound',
        channel: 'wecom_kf',
        type: enter ? `kf.${enter}` : `kf.message.${m.msgType}`,
        contactId,
        occurredAt: m.sentAt,
        payload: { openKfId: m.openKfId, origin: m.origin, text: m.text, raw: m.raw },
      });
    }
    cursor = result.nextCursor || cursor;
    await models.KfCursor.updateOne({ accountId: account.id, openKfId: event.openKfId }, { $set: { cursor, updatedAt: services.clock.now() } }, { upsert: true });
    if (!result.hasMore) break;
  }
  return { contactId: null };
}
