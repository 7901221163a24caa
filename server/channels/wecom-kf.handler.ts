/**
 * kf_msg_or_event carries no content: pull with kf/sync_msg until has_more is 0 (an empty page is not the
 * end), persisting the cursor after every page so a restart resumes instead of replaying three days.
 * Customers seen for the first time are looked up with kf/customer/batchget, so one whose unionid we already
 * hold (a WeCom customer, an official-account follower) joins that contact instead of becoming a new one. In one
 * corp the kf external_userid is the external contact's external_userid: a WeCom friend writing to 微信客服 is
 * already known by it (the identity rule joins `kf:<id>` to `wecom:<id>`), and needs no profile lookup.
 */
import { ChannelError } from '../../adapters/channel-adapter.ts';
import type { KfCustomer, KfMessage, KfMessagesAvailable } from '../../adapters/channel-adapter.ts';
import { identityKey, type Identity } from '../contacts/index.ts';
import { createSlots } from '../shared/slots.ts';
import type { HandledEvent, InboundContext } from './inbound-context.ts';

const MAX_PAGES = 100;
/**
 * Customers of one page handled at once. A page holds up to 1,000 messages of many customers (after a backlog, the
 * first sync reads them all), and each message waits on the database and the bot's replies to WeCom.
 */
const CUSTOMERS_AT_ONCE = 8;
/** kf/customer/batchget takes at most 100 external_userids per call. */
const KF_CUSTOMERS_PER_CALL = 100;

export async function onKfMessagesAvailable(event: KfMessagesAvailable, ctx: InboundContext): Promise<HandledEvent> {
  const { deps, adapter, account } = ctx;
  if (!adapter.syncKfMessages) return { contactId: null };
  let cursor = await deps.kfCursors.get(account.id, event.openKfId);
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await adapter.syncKfMessages({ openKfId: event.openKfId, syncToken: event.syncToken, cursor });
    const linked = await linkNewKfCustomers(event.corpId, result.messages, ctx);
    await inCustomerOrder(result.messages, (m) => onKfMessage(event, m, ctx, linked));
    cursor = result.nextCursor || cursor;
    await deps.kfCursors.save(account.id, event.openKfId, cursor);
    if (!result.hasMore) break;
  }
  return { contactId: null };
}

/**
 * One message: its contact, its event-log entry, the opt-out check, and the kf bot and desk's reactions. A customer
 * linked for this page (`linked`) already holds everything the message would write to the contact.
 */
async function onKfMessage(event: KfMessagesAvailable, m: KfMessage, ctx: InboundContext, linked: ReadonlyMap<string, LinkedContact>): Promise<void> {
  const { deps, adapter, account } = ctx;
  let contactId: string | null = null;
  const known = m.externalUserId ? linked.get(m.externalUserId) : undefined;
  if (known && (m.origin !== 'customer' || (known.lastInteractionAt !== null && known.lastInteractionAt >= m.sentAt))) {
    contactId = known.id;
  } else if (m.externalUserId) {
    const { contact } = await deps.identities.upsert(event.corpId, {
      identities: [{ kind: 'kf', externalUserId: m.externalUserId }],
      ...(m.origin === 'customer' ? { interactionAt: m.sentAt } : {}),
      likelyStored: true,
    });
    contactId = contact.id;
  }
  const enter = m.msgType === 'event' ? (m.raw.event as { event_type?: string } | undefined)?.event_type : undefined;
  await deps.events.append(event.corpId, {
    key: `wecom:${event.corpId}:kf:${m.msgId}`,
    direction: 'inbound',
    channel: 'wecom_kf',
    type: enter ? `kf.${enter}` : `kf.message.${m.msgType}`,
    contactId,
    occurredAt: m.sentAt,
    payload: { openKfId: m.openKfId, origin: m.origin, text: m.text, raw: m.raw },
  });
  if (contactId && m.origin === 'customer') await deps.optOutReply({ corpId: event.corpId, contactId, text: m.text, messageKey: `wecom:${event.corpId}:kf:${m.msgId}`, channel: 'wecom_kf', at: m.sentAt });
  // The kf bot and desk (server/kf) answer from here; reactions are idempotent by the message id.
  await deps.reactions.run('kf_message', { account, adapter, contactId, event: { idempotencyKey: `wecom:${event.corpId}:kf:${m.msgId}`, corpId: event.corpId, message: m } });
}

/**
 * Runs `handle` over a page's messages: each customer's in their order, different customers side by side (a
 * message without a customer alone). Every message is settled before this returns, so the cursor is saved only
 * after the whole page; the first failure is then thrown and the page is read again on the retry.
 */
async function inCustomerOrder(messages: KfMessage[], handle: (m: KfMessage) => Promise<void>): Promise<void> {
  const byCustomer = new Map<string, KfMessage[]>();
  messages.forEach((m, i) => {
    const key = m.externalUserId ?? `\u0000${i}`;
    const list = byCustomer.get(key);
    if (list) list.push(m);
    else byCustomer.set(key, [m]);
  });
  const slots = createSlots(CUSTOMERS_AT_ONCE);
  const settled = await Promise.allSettled(
    [...byCustomer.values()].map(async (list) => {
      await slots.take();
      try {
        for (const m of list) await handle(m);
      } finally {
        slots.give();
      }
    }),
  );
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

type LinkedContact = { id: string; lastInteractionAt: Date | null };

/**
 * Upserts every customer of the page that no contact holds as `kf:<id>` yet, with the unionid WeCom tells, so
 * the page's messages land on the contact that already has that unionid. Their nickname names a nameless contact.
 * Returns the contacts upserted, by kf external_userid: their messages need no contact write of their own.
 */
async function linkNewKfCustomers(corpId: string, messages: KfMessage[], ctx: InboundContext): Promise<Map<string, LinkedContact>> {
  const linked = new Map<string, LinkedContact>();
  if (!ctx.adapter.fetchKfCustomers) return linked;
  const ids = [...new Set(messages.flatMap((m) => (m.externalUserId ? [m.externalUserId] : [])))];
  const lastWrote = lastCustomerMessageAt(messages);
  for (let i = 0; i < ids.length; i += KF_CUSTOMERS_PER_CALL) {
    const batch = ids.slice(i, i + KF_CUSTOMERS_PER_CALL);
    const known = await Promise.all(
      batch.map(async (id) => (await ctx.deps.contactChannels.findByIdentity(corpId, identityKey({ kind: 'kf', externalUserId: id }))) ?? ctx.deps.contactChannels.findByIdentity(corpId, identityKey({ kind: 'wecom', externalUserId: id }))),
    );
    const unknown = batch.filter((_, j) => !known[j]);
    if (!unknown.length) continue;
    // Side by side: the new contacts go to the database in a few insert commands instead of one each.
    await Promise.all(
      (await fetchKfCustomers(unknown, ctx)).map(async (customer) => linked.set(customer.externalUserId, await upsertKfCustomer(corpId, customer, lastWrote.get(customer.externalUserId), ctx))),
    );
  }
  return linked;
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
    ctx.deps.logger.warn({ err, accountId: ctx.account.id, customers: ids.length }, 'kf customer profiles unavailable; customers kept by kf id only');
    return [];
  }
}

/**
 * `interactionAt`: the customer's last message of the page, so each message's own upsert finds nothing to change.
 * A new contact is named by its nickname as it is created.
 */
async function upsertKfCustomer(corpId: string, customer: KfCustomer, interactionAt: Date | undefined, ctx: InboundContext): Promise<LinkedContact> {
  const { deps } = ctx;
  const identities: Identity[] = [{ kind: 'kf', externalUserId: customer.externalUserId }];
  if (customer.unionId) identities.push({ kind: 'unionid', unionid: customer.unionId });
  const { contact, created } = await deps.identities.upsert(corpId, { identities, ...(interactionAt ? { interactionAt } : {}), ...(customer.nickname ? { nameIfNew: customer.nickname } : {}) });
  const linked = { id: contact.id, lastInteractionAt: contact.lastInteractionAt };
  if (created || !customer.nickname || contact.name) return linked;
  // Conditional, so a name another channel wrote meanwhile (a WeCom remark name, say) is never overwritten.
  await deps.contactChannels.nameIfNameless(corpId, contact.id, customer.nickname);
  return linked;
}

/** Each customer's latest message of the page (what they wrote, not what was said to them). */
function lastCustomerMessageAt(messages: KfMessage[]): Map<string, Date> {
  const last = new Map<string, Date>();
  for (const m of messages) {
    if (m.origin !== 'customer' || !m.externalUserId) continue;
    const seen = last.get(m.externalUserId);
    if (!seen || seen < m.sentAt) last.set(m.externalUserId, m.sentAt);
  }
  return last;
}
