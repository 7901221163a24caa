/**
 * The friend_added reaction of live codes, registered first (welcome codes live 20 s). For an add that belongs
 * to a code (live-code-resolve.ts): the welcome message first, then the attribution row, the code's tags (the
 * contact store, mirrored to WeCom with mark_tag) and the roster (rotation, daily limits). SOP triggers need
 * nothing from here: they read the friend_added event, which carries the state. Idempotent: a re-processed add
 * finds its welcome row and its attribution row and sends, counts and tags nothing twice.
 */
import type { FriendAddedFacts, InboundReaction } from '../channels/index.ts';
import type { Clock } from '../shared/clock.ts';
import { corpScope, type Scope } from '../shared/scope.ts';
import type { Logger } from 'pino';
import type { LiveCodeLedger } from './live-code-ledger.repository.ts';
import type { LiveCodeRepository } from './live-code.repository.ts';
import { resolveLiveCode } from './live-code-resolve.ts';
import type { LiveCodeService } from './live-code.service.ts';
import type { WelcomeSender } from './welcome-sender.ts';

export type LiveCodeListenerDeps = {
  codes: LiveCodeRepository;
  ledger: LiveCodeLedger;
  liveCodes: LiveCodeService;
  welcome: WelcomeSender;
  /** The contacts module's atomic tag change (the contact store; WeCom is marked here). */
  contacts: { changeTags(scope: Scope, id: string, add: string[], remove: string[], at: Date): Promise<unknown> };
  /** The State of the relation WeCom recorded (externalcontact/get), for adds that came without one. */
  follows: { stateOf(corpId: string, contactId: string, staffId: string): Promise<string | null> };
  clock: Clock;
  logger: Logger;
};

/** WeCom's own tag ids; tags made here and not yet pushed to WeCom (`siyu_…`) cannot be marked there. */
const isWecomTag = (tagId: string) => !tagId.startsWith('siyu_');

export function liveCodeListener(d: LiveCodeListenerDeps): InboundReaction<'friend_added'> {
  return {
    name: 'live-codes',
    async react(facts: FriendAddedFacts): Promise<void> {
      const { event, contactId, staff, adapter } = facts;
      const resolution = await resolveLiveCode(d.codes, {
        corpId: event.corpId,
        staffUserId: event.staffUserId,
        eventState: event.state,
        followState: async () => (staff ? d.follows.stateOf(event.corpId, contactId, staff.id) : null),
      });
      if (!resolution) return;
      const { code } = resolution;
      const welcome = await d.welcome.send(code, event, contactId, staff, adapter);
      const { row, duplicate } = await d.ledger.recordAdd({
        corpId: event.corpId,
        eventKey: event.idempotencyKey,
        liveCodeId: code.id,
        channel: code.channel,
        contactId,
        externalUserId: event.externalUserId,
        staffUserId: event.staffUserId,
        staffId: staff?.id ?? null,
        storeId: staff?.storeId ?? code.storeId ?? null,
        state: resolution.state,
        resolvedBy: resolution.resolvedBy,
        half: event.half,
        addedAt: event.occurredAt,
      });
      d.logger.info({ liveCodeId: code.id, contactId, resolvedBy: resolution.resolvedBy, reAdd: row.reAdd, welcome: welcome.status, duplicate }, 'live code add');
      // Nothing twice: a re-processed event, or the confirmation of a half add already handled.
      if (duplicate || row.confirmsHalf) return;
      if (code.tagIds.length) {
        await d.contacts.changeTags(corpScope(event.corpId), contactId, code.tagIds, [], d.clock.now());
        const wecomTags = code.tagIds.filter(isWecomTag);
        if (wecomTags.length && adapter.markTags) await adapter.markTags(event.staffUserId, event.externalUserId, wecomTags, []);
      }
      if (code.status !== 'active') return;
      if (code.expiresAt && code.expiresAt <= d.clock.now()) {
        await d.liveCodes.close(code, 'expired');
        return;
      }
      const rotation = code.mode === 'rotate' ? await d.codes.bumpRotation(code.corpId, code.id) : code.rotation;
      await d.liveCodes.refreshRoster({ ...code, rotation });
    },
  };
}
