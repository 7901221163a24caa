/** Customer groups. Written by channel sync and callbacks (the channels issue); read here for contact detail. */
import type { Models } from '../db/models.ts';
import { storeFilter, type Scope } from '../shared/scope.ts';

export type GroupMemberInput = { memberType: 'staff' | 'external'; userId: string; contactId?: string | null; joinTime: Date; joinScene?: number };

export class CustomerGroupRepository {
  constructor(private readonly models: Pick<Models, 'CustomerGroup'>) {}

  async upsert(corpId: string, g: { chatId: string; name: string; ownerUserId: string; storeId: string | null; members: GroupMemberInput[] }): Promise<void> {
    await this.models.CustomerGroup.updateOne(
      { corpId, chatId: g.chatId },
      { $set: { name: g.name, ownerUserId: g.ownerUserId, storeId: g.storeId, members: g.members.map((m) => ({ ...m, contactId: m.contactId ?? null, quitTime: null })) } },
      { upsert: true },
    );
  }

  async listForContact(scope: Scope, contactId: string) {
    const rows = await this.models.CustomerGroup.find({ corpId: scope.corpId, 'members.contactId': contactId, ...storeFilter(scope) }).lean();
    return rows.map((g) => {
      const me = g.members.find((m) => m.contactId === contactId);
      return { chatId: g.chatId, name: g.name, ownerUserId: g.ownerUserId, storeId: g.storeId ?? null, joinTime: me?.joinTime ?? null, quitTime: me?.quitTime ?? null, dismissed: !!g.dismissedAt };
    });
  }

  async count(scope: Scope): Promise<number> {
    return this.models.CustomerGroup.countDocuments({ corpId: scope.corpId, ...storeFilter(scope) });
  }
}
