/**
 * 公众号 events → the follower as a contact (joined to WeCom customers by unionid when the account can tell it),
 * subscription state and reachability.
 */
import type { OaMenuClick, OaMenuView, OaScanned, OaSubscribed, OaTextMessage, OaUnsubscribed } from '../../adapters/channel-adapter.ts';
import type { Identity } from '../contacts/index.ts';
import type { HandledEvent, InboundContext } from './inbound-context.ts';

type OaEvent = OaSubscribed | OaUnsubscribed | OaScanned | OaTextMessage | OaMenuClick | OaMenuView;

/** The official account's app id, from the account's config (events carry only its gh_ id). */
export function appIdOf(account: InboundContext['account']): string {
  const appId = account.config.appId;
  return typeof appId === 'string' ? appId : account.id;
}

export async function onOfficialAccountEvent(event: OaEvent, ctx: InboundContext): Promise<HandledEvent> {
  const { deps } = ctx;
  const appId = appIdOf(ctx.account);
  const key = `openid:${appId}:${event.openId}`;
  if (event.kind === 'oa_unsubscribed') {
    const contact = await deps.contactChannels.findByIdentity(event.corpId, key);
    if (contact) await deps.contactChannels.setSubscribed(event.corpId, contact.id, key, false);
    return { contactId: contact?.id ?? null };
  }
  const identities: Identity[] = [{ kind: 'openid', appId, openid: event.openId }];
  const fetchFollower = event.kind === 'oa_subscribed' ? ctx.adapter.fetchFollower?.bind(ctx.adapter) : undefined;
  // An API outage does not hold the follower back: the profile (unionid, nickname) is owed to the detail sweep.
  const looked = fetchFollower ? await ctx.deps.details.lookUp(ctx.account, 'follower', event.openId, event.occurredAt, () => fetchFollower(event.openId)) : null;
  const follower = looked?.fetched ? looked.detail : null;
  if (follower?.unionId) identities.push({ kind: 'unionid', unionid: follower.unionId });
  const { contact } = await deps.identities.upsert(event.corpId, {
    identities,
    profile: follower?.nickname ? { name: follower.nickname } : {},
    ...(event.kind === 'oa_text_message' ? { interactionAt: event.occurredAt } : {}),
  });
  if (event.kind === 'oa_subscribed') await deps.contactChannels.setSubscribed(event.corpId, contact.id, key, true);
  if (event.kind === 'oa_text_message') await deps.optOutReply({ corpId: event.corpId, contactId: contact.id, text: event.content, messageKey: event.idempotencyKey, channel: 'official_account', at: event.occurredAt });
  return { contactId: contact.id };
}
