/**
 * kf_msg_or_event carries no content: pull with kf/sync_msg until has_more is 0 (an empty page is not the
 * end), persisting the cursor after every page so a restart resumes instead of replaying three days.
 * Customers seen for the first time are looked up with kf/customer/batchget, so one whose unionid we already
 * hold (a WeCom customer, an official-account follower) joins that contact instead of becoming a new one.
 */
import { ChannelError } from '../../adapters/channel-adapter.ts';
import type { KfCustomer, KfMessage, KfMessagesAvailable } from '../../adapters/channel-adapter.ts';
import type { Identity } from '../contacts/identity.ts';
import { optOutOnStopReply } from '../contacts/opt-out-reply.ts';
import type { HandledEvent, InboundContext } from './inbound-context.ts';

const MAX_PAGES = 100;
/** kf/customer/batchget takes at most 100 external_userids per call. */
const KF_CUSTOMERS_PER_CALL = 100;

export async function onKfMessagesAvailable(event: KfMessagesAvailable, ctx: InboundContext): Promise<HandledEvent> {
  const { services, adapter, account } = ctx;
  if (!adapter.syncKfMessages) return { contactId: null };
  const models = services.db.models;
  const saved = await models.KfCursor.findOne({ accountId: account.id, openKfId: event.openKfId }).lean();
  let cursor: string | null = saved?.cursor ?? null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await adapter.syncKfMessages({ openKfId: event.openKfId, syncToken: event.syncToken, cursor });
    await linkNewKfCustomers(event.corpId, result.messages, ctx);
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
      if (contactId && m.origin === 'customer') await optOutOnStopReply(services, { corpId: event.corpId, contactId, text: m.text, messageKey: `wecom:${event.corpId}:kf:${m.msgId}`, channel: 'wecom_kf', at: m.sentAt });
    }
    cursor = result.nextCursor || cursor;
    await models.KfCursor.updateOne({ accountId: account.id, openKfId: event.openKfId }, { $set: { cursor, updatedAt: services.clock.now() } }, { upsert: true });
    if (!result.hasMore) break;
  }
  return { contactId: null };
}

/**
 * Upserts every customer of the page that no contact holds as `kf:<id>` yet, with the unionid WeCom tells, so
 * the page's messages land on the contact that already has that unionid. Their nickname names a nameless contact.
 */
async function linkNewKfCustomers(corpId: string, messages: KfMessage[], ctx: InboundContext): Promise<void> {
  if (!ctx.adapter.fetchKfCustomers) return;
  const ids = [...new Set(messages.flatMap((m) => (m.externalUserId ? [m.externalUserId] : [])))];
  for (let i = 0; i < ids.length; i += KF_CUSTOMERS_PER_CALL) {
    const batch = ids.slice(i, i + KF_CUSTOMERS_PER_CALL);
    const known = await Promise.all(batch.map((id) => ctx.services.contactChannels.findByIdentity(corpId, `kf:${id}`)));
    const unknown = batch.filter((_, j) => !known[j]);
    if (!unknown.length) continue;
    for (const customer of await fetchKfCustomers(unknown, ctx)) await upsertKfCustomer(corpId, customer, ctx);
  }
}

/**
 * A refusal that will not change on retry (no permission, a bad request) must not hold up the messages: they
 * are kept under the kf id alone. Anything transient fails the row, which the processor retries.
 */
async function fetchKfCustomers(ids: string[], ctx: InboundContext): Promise<KfCustomer[]> {
  try {
    return (await ctx.adapter.fetchKfCustomers?.(ids)) ?? [];
  } catch (err) {
    if (!(err instanceof ChannelError) || err.retryable) throw err;
    ctx.services.logger.warn({ err, accountId: ctx.account.id, customers: ids.length }, 'kf customer profiles unavailable; customers kept by kf id only');
    return [];
  }
}

async function upsertKfCustomer(corpId: string, customer: KfCustomer, ctx: InboundContext): Promise<void> {
  const { services } = ctx;
  const identities: Identity[] = [{ kind: 'kf', externalUserId: customer.externalUserId }];
  if (customer.unionId) identities.push({ kind: 'unionid', unionid: customer.unionId });
  const { contact } = await services.identities.upsert(corpId, { identities });
  if (!customer.nickname || contact.name) return;
  // Conditional, so a name another channel wrote meanwhile (a WeCom remark name, say) is never overwritten.
  await services.db.models.Contact.updateOne({ _id: contact.id, corpId, name: { $in: ['', null] } }, { $set: { name: customer.nickname } });
}
