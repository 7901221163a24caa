/**
 * The demo corp as WeCom would know it, read back from the database at every demo start: the WeCom simulator
 * keeps its data in memory, so without this it would not know the seeded customers (every send 41048, every
 * handover 40096) nor the live codes created in an earlier run.
 */
import type { DemoWorld } from '../../adapters/registry.ts';
import type { CampaignsModule } from '../campaigns/index.ts';
import type { ContactRepository, FollowRepository } from '../contacts/index.ts';
import type { GroupsModule } from '../groups/index.ts';
import type { LiveCodesModule } from '../live-codes/index.ts';
import type { OrgModule } from '../org/index.ts';
import type { TagRepository } from '../tags/index.ts';

export type DemoWorldDeps = {
  tags: Pick<TagRepository, 'list'>;
  contacts: Pick<ContactRepository, 'wecomCustomers'>;
  follows: Pick<FollowRepository, 'liveOfContacts'>;
  groups: Pick<GroupsModule, 'liveChats'>;
  liveCodes: { codes: Pick<LiveCodesModule['codes'], 'list'> };
  /** Campaign codes are 「联系我」 configs too: the simulated friends scan them like the store codes. */
  campaigns: { contactWays: Pick<CampaignsModule['contactWays'], 'configured'> };
  org: Pick<OrgModule, 'listStaff'>;
};

const BATCH = 1000;

export async function demoWorld(deps: DemoWorldDeps, corpId: string): Promise<DemoWorld> {
  const [tagGroups, contacts, chats, codes, campaignWays, staff] = await Promise.all([
    deps.tags.list(corpId),
    deps.contacts.wecomCustomers(corpId),
    deps.groups.liveChats(corpId),
    deps.liveCodes.codes.list({ corpId, storeIds: null }, { status: 'active' }),
    deps.campaigns.contactWays.configured(corpId),
    deps.org.listStaff({ corpId, storeIds: null }),
  ]);
  const userIdOf = new Map(staff.map((s) => [s.id, s.userId]));
  const followsOf = new Map<string, DemoWorld['customers'][number]['follows']>();
  for (let i = 0; i < contacts.length; i += BATCH) {
    const rows = await deps.follows.liveOfContacts(corpId, contacts.slice(i, i + BATCH).map((c) => c.id));
    for (const f of rows) {
      const list = followsOf.get(f.contactId) ?? [];
      list.push({ userId: f.staffUserId, remark: f.remark ?? '', state: f.state ?? '', addedAt: f.addedAt, tagIds: f.tagIds ?? [] });
      followsOf.set(f.contactId, list);
    }
  }
  return {
    tagGroups: tagGroups.map((g) => ({ groupId: g.groupId, name: g.name, tags: g.tags.map((t) => ({ tagId: t.tagId, name: t.name })) })),
    customers: contacts.map((c) => ({ externalUserId: c.externalUserId, name: c.name, unionid: c.unionid, gender: c.gender, follows: followsOf.get(c.id) ?? [] })),
    groupChats: chats.map((g) => ({
      chatId: g.chatId,
      name: g.name,
      owner: g.ownerUserId,
      notice: g.notice,
      members: g.members.map((m) => ({ userId: m.userId, external: m.memberType === 'external', joinTime: m.joinTime, joinScene: m.joinScene })),
    })),
    contactWays: [
      ...codes.filter((c) => c.configId).map((c) => ({ configId: c.configId, state: c.state, userIds: c.activeUserIds, remark: c.name.slice(0, 30) })),
      ...campaignWays.flatMap((w) => (w.configId && userIdOf.has(w.staffId) ? [{ configId: w.configId, state: w.state, userIds: [userIdOf.get(w.staffId)!] }] : [])),
    ],
  };
}
