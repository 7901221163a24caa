/**
 * Conversions posted by the brand's systems (an order, a booking, a sign-up): one `conversion` event per
 * idempotency key, so a retried POST is stored once. Experiments attribute them to the contact's arm (goal
 * `conversion` or `conversion:<type>`), and SOPs with `exit_on: [converted]` end the contact's run.
 */
import { z } from 'zod';
import type { Principal } from '../auth/index.ts';
import { identityKey, parseIdentityKey } from '../contacts/index.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../errors.ts';
import { corpIdQuery } from '../http/corp-scope.ts';
import { defineRoute, reply, type RouteDef } from '../http/route.ts';
import type { Clock } from '../shared/clock.ts';
import { objectIdString } from '../shared/object-id.ts';
import type { Scope } from '../shared/scope.ts';
import type { ContactLookup, EventAppender, IdentityLookup } from './experiment-deps.ts';

export type ConversionRouteDeps = { contacts: ContactLookup; contactChannels: IdentityLookup; events: EventAppender; clock: Clock };

/** A conversion may be reported a little ahead of our clock (clock skew), never more. */
const MAX_FUTURE_MS = 5 * 60_000;

const body = z
  .strictObject({
    idempotencyKey: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'letters, digits and _ . : - only, at most 128'),
    contactId: objectIdString.optional(),
    identity: z
      .string()
      .max(300)
      .refine((s) => parseIdentityKey(s) !== null, 'must look like wecom:<externalUserId>, unionid:<id>, openid:<appId>:<openid>, kf:<id> or wechaty:<id>')
      .optional(),
    type: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits and _ . - only, at most 64'),
    value: z.number().finite().optional(),
    occurredAt: z.iso.datetime({ offset: true }),
  })
  .refine((b) => (b.contactId === undefined) !== (b.identity === undefined), { message: 'contactId 与 identity 须且只能给一个 Give exactly one of contactId and identity', path: ['contactId'] });

async function findContact(deps: ConversionRouteDeps, scope: Scope, b: { contactId?: string; identity?: string }): Promise<{ id: string; homeStoreId: string | null } | null> {
  if (b.contactId) {
    const row = await deps.contacts.findRow(scope, b.contactId);
    return row ? { id: String(row._id), homeStoreId: row.homeStoreId ?? null } : null;
  }
  const parsed = parseIdentityKey(b.identity ?? '');
  return parsed ? deps.contactChannels.findByIdentity(scope.corpId, identityKey(parsed)) : null;
}

const sameConversion = (a: Record<string, unknown>, b: Record<string, unknown>, contactId: string | null, other: string | null) =>
  contactId === other && a.conversionType === b.conversionType && (a.value ?? null) === (b.value ?? null);

export function conversionRoutes(deps: ConversionRouteDeps): RouteDef[] {
  return [
  defineRoute({
    method: 'post',
    path: '/api/conversions',
    tag: 'experiments',
    summary: '上报转化 Record a conversion from the brand’s systems (idempotent per idempotencyKey: a replay answers 200 with duplicate: true)',
    roles: ['hq_admin', 'marketer'],
    query: z.strictObject({ ...corpIdQuery }),
    body,
    status: 201,
    scoped: true,
    async handler({ body: b }, { principal, scope }) {
      const occurredAt = new Date(b.occurredAt);
      if (occurredAt.getTime() > deps.clock.now().getTime() + MAX_FUTURE_MS) {
        throw new BadRequestError('发生时间不能晚于现在 occurredAt lies in the future', [{ path: 'body.occurredAt', message: '不能是将来的时间 must not be in the future' }]);
      }
      const contact = await findContact(deps, scope, b);
      if (!contact) throw new NotFoundError('contact', b.contactId ?? b.identity);
      const payload = { conversionType: b.type, ...(b.value === undefined ? {} : { value: b.value }), idempotencyKey: b.idempotencyKey, by: byOf(principal) };
      const { event, duplicate } = await deps.events.append(scope.corpId, {
        key: `conversion:${b.idempotencyKey}`,
        direction: 'inbound',
        channel: 'api',
        type: 'conversion',
        contactId: contact.id,
        storeId: contact.homeStoreId,
        occurredAt,
        payload,
      });
      if (duplicate && (event.type !== 'conversion' || !sameConversion(event.payload, payload, event.contactId, contact.id) || event.occurredAt.getTime() !== occurredAt.getTime())) {
        throw new ConflictError(`幂等键 ${b.idempotencyKey} 已用于另一笔转化 idempotencyKey ${b.idempotencyKey} was already used for a different conversion`);
      }
      return reply(duplicate ? 200 : 201, { duplicate, conversion: { id: event.id, key: event.key, contactId: event.contactId, type: b.type, value: b.value ?? null, occurredAt: event.occurredAt } });
    },
  }),
  ];
}

function byOf(principal: Principal | null): string | null {
  return principal?.staffId ?? principal?.tokenId ?? null;
}
