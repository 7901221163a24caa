import { Types } from 'mongoose';
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

/**
 * A new contact document with every schema default present, for direct driver inserts. contact.dto.spec.ts
 * checks it against what the mongoose model would build, so the two cannot drift apart.
 */
export function newContactDocument(
  fields: Omit<Partial<ContactRow>, 'openids'> & Pick<ContactRow, 'corpId' | 'identityKeys'> & { openids?: Array<{ appId: string; openid: string }> },
): ContactRow {
  return {
    _id: new Types.ObjectId(),
    openids: [],
    kfIds: [],
    wechatyIds: [],
    name: '',
    gender: 0,
    lifecycle: 'lead',
    consent: { optedOut: false, optedOutAt: null, reachable: true },
    homeStoreId: null,
    storeIds: [],
    staffIds: [],
    tagIds: [],
    remarks: [],
    lastInteractionAt: null,
    mergedInto: null,
    mergedKeys: [],
    unsubscribedKeys: [],
    ...fields,
    __v: 0,
  } as unknown as ContactRow;
}
