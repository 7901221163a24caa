/**
 * Channel identities and their string keys (see contact.schema.ts). The same grammar serves the
 * `identity=` query parameter of GET /api/contacts.
 */
import { z } from 'zod';

export type Identity =
  | { kind: 'wecom'; externalUserId: string }
  | { kind: 'unionid'; unionid: string }
  | { kind: 'openid'; appId: string; openid: string }
  | { kind: 'kf'; externalUserId: string }
  | { kind: 'wechaty'; id: string };

const idPart = z.string().min(1).max(128).regex(/^[^:\s]+$/, 'must not contain ":" or spaces');

export const identitySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('wecom'), externalUserId: idPart }),
  z.strictObject({ kind: z.literal('unionid'), unionid: idPart }),
  z.strictObject({ kind: z.literal('openid'), appId: idPart, openid: idPart }),
  z.strictObject({ kind: z.literal('kf'), externalUserId: idPart }),
  z.strictObject({ kind: z.literal('wechaty'), id: idPart }),
]);

export function identityKey(id: Identity): string {
  switch (id.kind) {
    case 'wecom':
      return `wecom:${id.externalUserId}`;
    case 'unionid':
      return `unionid:${id.unionid}`;
    case 'openid':
      return `openid:${id.appId}:${id.openid}`;
    case 'kf':
      return `kf:${id.externalUserId}`;
    case 'wechaty':
      return `wechaty:${id.id}`;
  }
}

export function phoneKey(hash: string): string {
  return `phone:${hash}`;
}

/** Parses `wecom:<id>`, `unionid:<id>`, `openid:<appId>:<openid>`, `kf:<id>`, `wechaty:<id>`; null when malformed. */
export function parseIdentityKey(text: string): Identity | null {
  const [kind, a, b, ...rest] = text.split(':');
  if (rest.length || !a) return null;
  const parsed = identitySchema.safeParse(
    kind === 'wecom' && !b ? { kind, externalUserId: a }
    : kind === 'unionid' && !b ? { kind, unionid: a }
    : kind === 'openid' && b ? { kind, appId: a, openid: b }
    : kind === 'kf' && !b ? { kind, externalUserId: a }
    : kind === 'wechaty' && !b ? { kind, id: a }
    : null,
  );
  return parsed.success ? parsed.data : null;
}

/**
 * The key of the WeChat user behind a channel id, written beside it. In one corp, 微信客服's external_userid and the
 * external contact's external_userid are the same id for the same WeChat user, so both write `xu:<id>`: the unique
 * index on identityKeys then joins a kf message from a WeCom friend (or a kf customer who later adds a staff member)
 * to the one contact at no extra read. It is not a channel identity: a kf-only customer holds `kf:` and `xu:` but
 * no `wecom:` key, so nothing takes them for a WeCom friend (no 1:1 sends to someone who never added staff).
 */
export function personKeys(id: Identity): string[] {
  if (id.kind === 'kf' || id.kind === 'wecom') return [`xu:${id.externalUserId}`];
  return [];
}
