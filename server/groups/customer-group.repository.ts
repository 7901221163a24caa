/** Customer groups. Written by channel sync and callbacks (the channels issue); read here for contact detail. */
import { KeyBatcher } from '../db/key-batcher.ts';
import { UpdateBatcher } from '../db/update-batcher.ts';
import { NotFoundError } from '../errors.ts';
import { escapeRegExp } from '../shared/escape-regexp.ts';
import { cursorFilter, toPage, type Page } from '../shared/pagination.ts';
import { storeFilter, type Scope } from '../shared/scope.ts';
import type { GroupsModels } from './groups.models.ts';

/** Filters of the console's group list. */
export type GroupFilter = { ownerUserId?: string; storeId?: string; name?: string };
/** A group in the console's list: who owns it, where, and how many are in it now. */
export type GroupRow = { chatId: string; name: string; ownerUserId: string; storeId: string | null; members: number; externalMembers: number; quits: number; dismissed: boolean; createdAt: Date | null };

export type GroupMemberInput = { memberType: 'staff' | 'external'; userId: string; contactId?: string | null; joinTime: Date; joinScene?: number };

type MemberRow = { memberType: 'staff' | 'external'; userId: string; contactId: string | null; joinTime: Date; joinScene: number; quitTime: Date | null };
type GroupKey = { corpId: string; chatId: string };

export class CustomerGroupRepository {
  /**
   * A burst of group changes (each followed by groupchat/get) syncs dozens of groups at once: their reads share one
   * `$in` read and their writes one update command.
   */
  private readonly reads: KeyBatcher<GroupKey, { members?: MemberRow[] } | null>;
  private readonly writes: UpdateBatcher;

  constructor(private readonly models: GroupsModels) {
    this.reads = new KeyBatcher({
      key: (k) => `${k.corpId}\u0000${k.chatId}`,
      work: async (keys) => {
        const rows = await Promise.all(
          [...new Set(keys.map((k) => k.corpId))].map((corpId) =>
            this.models.CustomerGroup.find({ corpId, chatId: { $in: keys.filter((k) => k.corpId === corpId).map((k) => k.chatId) } }, { corpId: 1, chatId: 1, members: 1 }).lean<Array<GroupKey & { members?: MemberRow[] }>>(),
          ),
        );
        const byKey = new Map(rows.flat().map((r) => [`${r.corpId}\u0000${r.chatId}`, r]));
        return keys.map((k) => byKey.get(`${k.corpId}\u0000${k.chatId}`) ?? null);
      },
    });
    this.writes = new UpdateBatcher(() => models.CustomerGroup.db.db!, models.CustomerGroup.collection.collectionName);
  }

  async upsert(corpId: string, g: { chatId: string; name: string; ownerUserId: string; storeId: string | null; members: GroupMemberInput[] }): Promise<void> {
    await this.models.CustomerGroup.updateOne(
      { corpId, chatId: g.chatId },
      { $set: { name: g.name, ownerUserId: g.ownerUserId, storeId: g.storeId, members: g.members.map((m) => ({ ...m, contactId: m.contactId ?? null, quitTime: null })) } },
      { upsert: true },
    );
  }

  /**
   * Applies a full member list from groupchat/get while keeping history: members no longer listed get a quit
   * time, members who come back get a fresh join, everyone else is left as they were.
   */
  async syncMembers(corpId: string, g: { chatId: string; name: string; ownerUserId: string; storeId: string | null; notice: string; members: GroupMemberInput[] }, at: Date): Promise<void> {
    const existing = await this.reads.run({ corpId, chatId: g.chatId });
    const current = new Map(g.members.map((m) => [m.userId, m]));
    const history = (existing?.members ?? []).map((m) => {
      const still = current.get(m.userId);
      if (!m.quitTime && !still) return { ...m, quitTime: at };
      if (still && !m.quitTime) current.delete(m.userId);
      if (still && m.contactId == null && still.contactId) return { ...m, contactId: still.contactId };
      return m;
    });
    const joined: MemberRow[] = [...current.values()].map((m) => ({ memberType: m.memberType, userId: m.userId, contactId: m.contactId ?? null, joinTime: m.joinTime, joinScene: m.joinScene ?? 0, quitTime: null }));
    // Written without mongoose (the batch is one command): the timestamps are ours to set.
    const now = new Date();
    await this.writes.update({
      q: { corpId, chatId: g.chatId },
      u: { $set: { name: g.name, ownerUserId: g.ownerUserId, storeId: g.storeId, notice: g.notice, members: [...history, ...joined], dismissedAt: null, updatedAt: now }, $setOnInsert: { createdAt: now } },
      upsert: true,
    });
  }

  /**
   * Incremental membership changes (wechaty rooms report joins and leaves, not full lists). The group row is
   * created on first sight; a member who leaves keeps the row with a quit time, one who comes back gets a new row.
   */
  async applyMembershipChange(corpId: string, chatId: string, change: { joined?: GroupMemberInput[]; leftUserIds?: string[]; name?: string; ownerUserId?: string }, at: Date): Promise<void> {
    await this.models.CustomerGroup.updateOne(
      { corpId, chatId },
      { $setOnInsert: { name: change.name ?? '', ownerUserId: change.ownerUserId ?? '', storeId: null, members: [] } },
      { upsert: true },
    );
    for (const userId of change.leftUserIds ?? []) {
      await this.models.CustomerGroup.updateOne(
        { corpId, chatId },
        { $set: { 'members.$[m].quitTime': at } },
        { arrayFilters: [{ 'm.userId': userId, 'm.quitTime': null }] },
      );
    }
    for (const m of change.joined ?? []) {
      // Only when not already a current member, so a replayed join adds nothing.
      await this.models.CustomerGroup.updateOne(
        { corpId, chatId, members: { $not: { $elemMatch: { userId: m.userId, quitTime: null } } } },
        { $push: { members: { ...m, contactId: m.contactId ?? null, joinScene: m.joinScene ?? 0, quitTime: null } } },
      );
    }
  }

  async markDismissed(corpId: string, chatId: string, at: Date): Promise<void> {
    await this.models.CustomerGroup.updateOne({ corpId, chatId }, { $set: { dismissedAt: at } });
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

  /** Points a merged contact's memberships at the contact it was merged into (contacts: contact-identity.repository.ts). */
  async reassignContact(corpId: string, fromContactId: string, toContactId: string): Promise<void> {
    await this.models.CustomerGroup.updateMany(
      { corpId, 'members.contactId': fromContactId },
      { $set: { 'members.$[m].contactId': toContactId } },
      { arrayFilters: [{ 'm.contactId': fromContactId }] },
    );
  }

  /** Groups a member owns that are not dismissed (a handover moves them). */
  async ownedBy(corpId: string, ownerUserId: string): Promise<Array<{ chatId: string; name: string | null }>> {
    const rows = await this.models.CustomerGroup.find({ corpId, ownerUserId, dismissedAt: null }).select('chatId name').lean();
    return rows.map((g) => ({ chatId: g.chatId, name: g.name ?? null }));
  }

  /** Records a group's new owner (WeCom applied the transfer). */
  async setOwner(corpId: string, chatId: string, owner: { userId: string; storeId: string }): Promise<void> {
    await this.models.CustomerGroup.updateOne({ corpId, chatId }, { $set: { ownerUserId: owner.userId, storeId: owner.storeId } });
  }

  /** A group by its chat id, dismissed ones included; null when unknown (SOP routing of group subjects). */
  async findByChatId(corpId: string, chatId: string) {
    return this.models.CustomerGroup.findOne({ corpId, chatId }).lean();
  }

  /** Chat ids of the store's groups not dismissed: schedule-triggered group SOPs enroll them. */
  async liveChatIdsOfStore(corpId: string, storeId: string): Promise<string[]> {
    return (await this.models.CustomerGroup.find({ corpId, storeId, dismissedAt: null }).select('chatId').lean()).map((g) => g.chatId);
  }

  /** Inserts prepared group chats in one batch (the demo seed). */
  async insertPrepared(docs: Parameters<GroupsModels['CustomerGroup']['insertMany']>[0]): Promise<void> {
    await this.models.CustomerGroup.insertMany(docs);
  }

  /** The console's group list, newest first, within the caller's stores. */
  async page(scope: Scope, f: GroupFilter, page: { limit: number; cursor?: string }): Promise<Page<GroupRow>> {
    const and: Record<string, unknown>[] = [{ corpId: scope.corpId }, storeFilter(scope), cursorFilter(page.cursor)];
    if (f.storeId) and.push({ storeId: f.storeId });
    if (f.ownerUserId) and.push({ ownerUserId: f.ownerUserId });
    if (f.name) and.push({ name: new RegExp(escapeRegExp(f.name), 'i') });
    const rows = await this.models.CustomerGroup.find({ $and: and }).sort({ _id: -1 }).limit(page.limit + 1).lean();
    return toPage(rows, page.limit, (g) => {
      const current = g.members.filter((m) => !m.quitTime);
      return {
        chatId: g.chatId,
        name: g.name ?? '',
        ownerUserId: g.ownerUserId,
        storeId: g.storeId ?? null,
        members: current.length,
        externalMembers: current.filter((m) => m.memberType === 'external').length,
        quits: g.members.length - current.length,
        dismissed: !!g.dismissedAt,
        createdAt: (g as { createdAt?: Date }).createdAt ?? null,
      };
    });
  }

  /**
   * One group with its member history, within the caller's stores (404 otherwise): members now (join time and
   * scene), those who quit, and the member count at the end of each of the last `days` days, read from the
   * join and quit times the history keeps.
   */
  async detail(scope: Scope, chatId: string, now: Date, days = 30) {
    const g = await this.models.CustomerGroup.findOne({ corpId: scope.corpId, chatId, ...storeFilter(scope) }).lean();
    if (!g) throw new NotFoundError('group', chatId);
    const rows = g.members.map((m) => ({ memberType: m.memberType, userId: m.userId, contactId: m.contactId ?? null, joinTime: m.joinTime, joinScene: m.joinScene ?? 0, quitTime: m.quitTime ?? null }));
    const DAY = 86_400_000;
    const trend = [];
    for (let i = days - 1; i >= 0; i--) {
      const end = new Date(now.getTime() - i * DAY);
      const n = rows.filter((m) => m.joinTime <= end && (!m.quitTime || m.quitTime > end)).length;
      trend.push({ date: end.toISOString().slice(0, 10), members: n });
    }
    return {
      chatId: g.chatId,
      name: g.name ?? '',
      ownerUserId: g.ownerUserId,
      storeId: g.storeId ?? null,
      notice: g.notice ?? '',
      dismissedAt: g.dismissedAt ?? null,
      members: rows.filter((m) => !m.quitTime).sort((a, b) => b.joinTime.getTime() - a.joinTime.getTime()),
      quits: rows.filter((m) => m.quitTime).sort((a, b) => b.quitTime!.getTime() - a.quitTime!.getTime()),
      trend,
    };
  }

  /** The corp's groups not dismissed, with their current members (the demo's WeCom simulator is told about them). */
  async liveChats(corpId: string) {
    const rows = await this.models.CustomerGroup.find({ corpId, dismissedAt: null }).select('chatId name ownerUserId notice members createdAt').lean();
    return rows.map((g) => ({ chatId: g.chatId, name: g.name ?? '', ownerUserId: g.ownerUserId, notice: g.notice ?? '', members: (g.members ?? []).filter((m) => !m.quitTime).map((m) => ({ memberType: m.memberType, userId: m.userId, joinTime: m.joinTime, joinScene: m.joinScene ?? 0 })) }));
  }
}
