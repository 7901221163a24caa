/**
 * Contacts by identity key (`wecom:…`, `unionid:…`, `phone:…`), looked up in batches: the keys asked for at once
 * in one corp are read with one `$in` on the unique (corpId, identityKeys) index (KeyBatcher). A merged contact
 * has given its keys up, so it never answers.
 */
import { KeyBatcher } from '../db/key-batcher.ts';
import type { ContactRow } from './contact.dto.ts';
import type { ContactsModels } from './contacts.models.ts';

type Ask = { corpId: string; key: string };

export class IdentityLookupRepository {
  private readonly batcher = new KeyBatcher<Ask, ContactRow | null>({
    key: (a) => `${a.corpId}\u0000${a.key}`,
    work: (asks) => this.work(asks),
  });

  constructor(private readonly models: Pick<ContactsModels, 'Contact'>) {}

  /** The contact holding `key` now, or null. Callers share the row they get: it is read-only. */
  byKey(corpId: string, key: string): Promise<ContactRow | null> {
    return this.batcher.run({ corpId, key });
  }

  private async work(asks: Ask[]): Promise<Array<ContactRow | null>> {
    const keysOf = new Map<string, string[]>();
    for (const a of asks) {
      const keys = keysOf.get(a.corpId);
      if (keys) keys.push(a.key);
      else keysOf.set(a.corpId, [a.key]);
    }
    const holder = new Map<string, ContactRow>();
    await Promise.all(
      [...keysOf].map(async ([corpId, keys]) => {
        const rows = await this.models.Contact.find({ corpId, identityKeys: { $in: keys } }).lean<ContactRow[]>();
        for (const row of rows) for (const k of row.identityKeys ?? []) holder.set(`${corpId}\u0000${k}`, row);
      }),
    );
    return asks.map((a) => holder.get(`${a.corpId}\u0000${a.key}`) ?? null);
  }
}
