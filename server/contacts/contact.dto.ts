import type { Types } from 'mongoose';
import type { ContactDoc } from './contact.schema.ts';

export type ContactRow = ContactDoc & { _id: Types.ObjectId; createdAt?: Date; updatedAt?: Date };

/** What the API shows of a contact. The phone appears masked; the ciphertext never leaves the repository. */
export function toContactDto(c: ContactRow) {
  return {
    id: String(c._id),
    corpId: c.corpId,
    name: c.name ?? '',
    avatar: c.avatar ?? null,
    gender: c.gender ?? 0,
    lifecycle: c.lifecycle,
    consent: { optedOut: c.consent?.optedOut ?? false, reachable: c.consent?.reachable ?? true },
    homeStoreId: c.homeStoreId ?? null,
    storeIds: c.storeIds ?? [],
    staffIds: c.staffIds ?? [],
    tagIds: c.tagIds ?? [],
    identities: {
      externalUserId: c.externalUserId ?? null,
      unionid: c.unionid ?? null,
      openids: (c.openids ?? []).map((o) => ({ appId: o.appId ?? '', openid: o.openid ?? '' })),
      kfIds: c.kfIds ?? [],
      wechatyIds: c.wechatyIds ?? [],
    },
    phone: c.phoneMasked ? { masked: c.phoneMasked } : null,
    lastInteractionAt: c.lastInteractionAt ?? null,
    createdAt: c.createdAt ?? null,
    updatedAt: c.updatedAt ?? null,
  };
}

export type ContactDto = ReturnType<typeof toContactDto>;
