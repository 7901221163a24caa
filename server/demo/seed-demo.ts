/**
 * Seeds the demo organisation when the database holds no corp yet: 1 corp, 3 stores in 2 cities plus one
 * store where it is late morning (DAYTIME_STORE), 14 staff,
 * ~2,000 contacts with tags and follow relations, and a few customer groups. Deterministic (seeded PRNG), and
 * written with insertMany because going through the identity service one by one would take seconds for nothing.
 */
import { Types } from 'mongoose';
import { identityKey, maskPhone, personKeys, phoneKey, type ContactRepository, type FollowRepository } from '../contacts/index.ts';
import type { GroupsModule } from '../groups/index.ts';
import { seedContentTemplates, type ContentModule } from '../content/index.ts';
import type { OrgModule, StaffDto } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import { seedDemoKnowledge, type KfModule } from '../kf/index.ts';
import { DAYTIME_STAFF_NAMES, DAYTIME_STORE, daytimeZone, DEMO_CORP, DEMO_STAFF_NAMES, DEMO_STORES, DEMO_TAG_GROUPS, GIVEN, SURNAMES } from './demo-data.ts';

export type SeedSummary = { corpId: string; stores: number; staff: number; contacts: number; follows: number; groups: number };

/**
 * What the demo seed writes through. Contacts, follows and chats go in bulk straight to their collections (2,000
 * contacts in three inserts); the owning domains have no bulk import for them yet.
 */
export type DemoDeps = {
  org: Pick<OrgModule, 'census' | 'createStore' | 'createStaff' | 'upsertCorp'>;
  tags: { createGroup(corpId: string, input: { name: string; tags: Array<{ name: string }> }): Promise<{ tags: Array<{ tagId: string }> }> };
  phones: { hash(phone: string): string; encrypt(phone: string): string };
  content: Pick<ContentModule, 'saveSettings' | 'importPublished'>;
  clock: Clock;
  /** Bulk writes of the seeded customers, their relations and group chats, through the owning domains. */
  contacts: Pick<ContactRepository, 'insertPrepared'>;
  follows: Pick<FollowRepository, 'insertPrepared'>;
  groups: Pick<GroupsModule, 'insertPrepared'>;
  /** The demo brand's knowledge base (微信客服). */
  kf: KfModule;
};

export async function seedDemo(deps: DemoDeps, opts: { contacts?: number; seed?: number } = {}): Promise<SeedSummary | null> {
  const census = await deps.org.census();
  if (census.corps > 0) return null;
  // The corp is written last, so a seed interrupted half-way is visible as stores without a corp.
  if (census.stores > 0) throw new Error('the database holds stores but no corp: an earlier demo seed was interrupted; drop the database (or its .data directory) to reseed');
  const rand = mulberry32(opts.seed ?? 20261122);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const now = deps.clock.now();
  const corpId = DEMO_CORP.corpId;
  const scope = { corpId, storeIds: null };

  const stores = [];
  for (const s of DEMO_STORES) stores.push(await deps.org.createStore(scope, { ...s, timezone: DEMO_CORP.timezone }));
  const staff: StaffDto[] = [];
  for (const [i, name] of DEMO_STAFF_NAMES.entries()) {
    const store = stores[i % stores.length]!;
    staff.push(await deps.org.createStaff(scope, { userId: `demo.staff${String(i + 1).padStart(2, '0')}`, name, storeId: store.id, role: i < stores.length ? 'store_manager' : 'staff' }));
  }
  const zone = daytimeZone(now);
  const daytime = await deps.org.createStore(scope, { ...DAYTIME_STORE, city: zone.city, timezone: zone.timezone });
  stores.push(daytime);
  for (const [i, name] of DAYTIME_STAFF_NAMES.entries()) {
    staff.push(await deps.org.createStaff(scope, { userId: `demo.day${String(i + 1).padStart(2, '0')}`, name, storeId: daytime.id, role: i === 0 ? 'store_manager' : 'staff' }));
  }
  const groups = [];
  for (const g of DEMO_TAG_GROUPS) groups.push(await deps.tags.createGroup(corpId, { name: g.name, tags: g.tags.map((name) => ({ name })) }));
  const allTags = groups.flatMap((g) => g.tags.map((t) => t.tagId));

  const n = opts.contacts ?? 2000;
  const contacts: Array<Record<string, unknown> & { _id: Types.ObjectId; storeIds: string[]; remarks: string[]; externalUserId: string; createdAt: Date }> = [];
  const follows: Array<Record<string, unknown>> = [];
  for (let i = 0; i < n; i++) {
    const _id = new Types.ObjectId();
    const externalUserId = `wmDemo${String(i).padStart(6, '0')}${Math.floor(rand() * 1e6).toString(36)}`;
    const phone = `+861${pick(['38', '39', '50', '58', '86', '88'])}${String(Math.floor(rand() * 1e8)).padStart(8, '0')}`;
    const hash = deps.phones.hash(phone);
    const friends = rand() < 0.15 ? [pick(staff), pick(staff)] : [pick(staff)];
    const uniqueFriends = [...new Map(friends.map((f) => [f.id, f])).values()];
    const addedAt = new Date(now.getTime() - Math.floor(rand() * 365 * 86_400_000));
    const tagIds = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(allTags)))];
    const lifecycle = pick(['friend', 'friend', 'customer', 'customer', 'vip', 'lost'] as const);
    const name = pick([...SURNAMES]) + pick([...GIVEN]) + (rand() < 0.5 ? pick([...GIVEN]) : '');
    const withUnion = rand() < 0.4;
    const unionid = withUnion ? `oDemoUnion${i.toString(36).padStart(6, '0')}` : undefined;
    contacts.push({
      _id,
      corpId,
      identityKeys: [identityKey({ kind: 'wecom', externalUserId }), ...personKeys({ kind: 'wecom', externalUserId }), phoneKey(hash), ...(unionid ? [identityKey({ kind: 'unionid', unionid })] : [])],
      externalUserId,
      unionid,
      phoneEnc: deps.phones.encrypt(phone),
      phoneHash: hash,
      phoneMasked: maskPhone(phone),
      name,
      gender: pick([1, 2, 2, 0] as const),
      lifecycle,
      consent: { optedOut: rand() < 0.02, optedOutAt: null, reachable: lifecycle !== 'lost' },
      homeStoreId: uniqueFriends[0]!.storeId,
      storeIds: [...new Set(uniqueFriends.map((f) => f.storeId))],
      staffIds: uniqueFriends.map((f) => f.id),
      tagIds,
      remarks: [`${name}-${pick(['鲜奶订户', '周末到店', '宝妈', '上班族', ''])}`.replace(/-$/, '')],
      lastInteractionAt: new Date(addedAt.getTime() + Math.floor(rand() * (now.getTime() - addedAt.getTime()))),
      createdAt: addedAt,
      updatedAt: addedAt,
    });
    for (const f of uniqueFriends) {
      follows.push({ corpId, contactId: String(_id), staffId: f.id, staffUserId: f.userId, storeId: f.storeId, remark: contacts[i]!.remarks[0] ?? '', tagIds, addWay: pick([1, 2, 3, 201]), state: pick(['', 'store:counter', 'poster:2026-spring', 'c:demo:launch']), addedAt });
    }
  }
  await deps.contacts.insertPrepared(contacts);
  await deps.follows.insertPrepared(follows);

  const chats = stores.flatMap((store, si) =>
    [0, 1].map((k) => {
      const owner = staff.find((s) => s.storeId === store.id)!;
      const members = contacts.filter((c) => c.storeIds.includes(store.id)).slice(k * 60, k * 60 + 40 + Math.floor(rand() * 40));
      return {
        corpId,
        chatId: `wrDemoChat${si}${k}`,
        name: `${store.name}${k ? '宝妈交流群' : '鲜奶福利群'}`,
        ownerUserId: owner.userId,
        storeId: store.id,
        members: [
          { memberType: 'staff', userId: owner.userId, contactId: null, joinTime: now, joinScene: 1 },
          ...members.map((c) => ({ memberType: 'external', userId: c.externalUserId, contactId: String(c._id), joinTime: c.createdAt, joinScene: pick([1, 2, 3]) })),
        ],
      };
    }),
  );
  await deps.groups.insertPrepared(chats);
  await seedContentTemplates(deps, corpId);
  await seedDemoKnowledge(deps.kf, corpId);
  await deps.org.upsertCorp(DEMO_CORP);
  return { corpId, stores: stores.length, staff: staff.length, contacts: contacts.length, follows: follows.length, groups: chats.length };
}

/** Small deterministic PRNG so the demo looks the same on every machine. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
