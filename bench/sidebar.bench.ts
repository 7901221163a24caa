/**
 * sidebar: the WeCom chat sidebar must show the customer of the open chat "in under a second on a phone". A page
 * load is what the page does before it can draw: the JS-SDK signature for its URL, then the customer's profile
 * (GET /api/sidebar/signature, GET /api/sidebar/contact), both over HTTP with a staff token against the real app
 * on a port and a WeCom simulator account. The corp is seeded to look used: ~200 chat quick replies, tags, SOPs,
 * and 20,000 other contacts with follows, touches, runs, holdouts, notes and group memberships (bulk inserts);
 * the customers opened carry a long history (~300 touches, a few runs, holdouts, ~100 notes). Seeding is not
 * timed; after a warm-up, `loads` sequential page loads rotate over the rich customers.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import { Types } from 'mongoose';
import { startWecomSimulator, SIM_CORP_ID, SIM_SECRET } from '../adapters/wecom/simulator/wecom-simulator.ts';
import { createApp } from '../server/app.ts';
import type { NewTemplate } from '../server/content/content.service.ts';
import { openDatabase, type Database } from '../server/db/database.ts';
import { type Modules, registerModels, type Models } from '../server/modules.ts';
import { benchDatabase, benchServices, intArg, rssSampler } from './support.ts';

const CORP = SIM_CORP_ID;
const STAFF_PER_STORE = 10;
const SOPS = 12;
const EXPERIMENTS = 6;
const TARGET_LOAD_P95_MS = 1000;
const PAGE_URL = 'https://siyu.example/sidebar?entry=single_chat_tools';
const DAY = 86_400_000;

type StaffRow = { id: string; userId: string; storeId: string };
type Rich = { externalUserId: string; contactId: string; token: string };

export async function run(args: string[]) {
  const loads = intArg(args, 'loads', 200);
  const others = intArg(args, 'contacts', 20_000);
  const richCount = intArg(args, 'customers', 20);
  const touchesEach = intArg(args, 'touches', 300);
  const notesEach = intArg(args, 'notes', 100);
  const warm = intArg(args, 'warm', 20);

  const server = await benchDatabase();
  const dbName = `bench_sidebar_${Date.now()}`;
  const db = await openDatabase(server.uri, dbName, registerModels);
  const sim = await startWecomSimulator();
  const rss = rssSampler();
  let http: Server | null = null;
  try {
    const services = benchServices(db);
    const { staff } = await seedCorp(services, sim.baseUrl);
    await seedCrowd(services, db, staff, others);
    const rich = await seedRichCustomers(services, db, staff, richCount, touchesEach, notesEach);

    http = createApp(services).listen(0, '127.0.0.1');
    await once(http, 'listening');
    const address = http.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    const get = async (path: string, token: string) => {
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await res.json()) as Record<string, unknown>;
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
      return body;
    };
    const pageLoad = async (c: Rich) => {
      const t0 = performance.now();
      const signed = await get(`/api/sidebar/signature?url=${encodeURIComponent(PAGE_URL)}`, c.token);
      const t1 = performance.now();
      const profile = (await get(`/api/sidebar/contact?externalUserId=${encodeURIComponent(c.externalUserId)}`, c.token)) as Profile;
      const t2 = performance.now();
      checkAnswer(c, signed, profile);
      return { profile: t2 - t1, load: t2 - t0 };
    };

    for (let i = 0; i < warm; i++) await pageLoad(rich[i % rich.length]!);
    const profileMs: number[] = [];
    const loadMs: number[] = [];
    for (let i = 0; i < loads; i++) {
      const r = await pageLoad(rich[i % rich.length]!);
      profileMs.push(r.profile);
      loadMs.push(r.load);
    }
    return {
      bench: 'sidebar',
      loads,
      profile_p50_ms: percentile(profileMs, 0.5),
      profile_p95_ms: percentile(profileMs, 0.95),
      load_p50_ms: percentile(loadMs, 0.5),
      load_p95_ms: percentile(loadMs, 0.95),
      target_load_p95_ms: TARGET_LOAD_P95_MS,
      peak_rss_mb: rss.stop(),
    };
  } finally {
    if (http) await new Promise<void>((resolve) => http!.close(() => resolve()));
    await sim.stop();
    await db.connection.dropDatabase().catch(() => undefined);
    await db.close();
    await server.stop();
  }
}

type Profile = {
  contact: { externalUserId: string; id: string };
  me: { name: string | null };
  touches: unknown[];
  sops: unknown[];
  experiments: unknown[];
  notes: unknown[];
  quickReplies: { items: unknown[] }[];
};

/** A fast wrong answer is not a result: every load must be the seeded customer's whole profile. */
function checkAnswer(c: Rich, signed: Record<string, unknown>, p: Profile) {
  const ok =
    signed.corpId === CORP &&
    p.contact.id === c.contactId &&
    p.contact.externalUserId === c.externalUserId &&
    !!p.me.name &&
    p.touches.length > 0 &&
    p.sops.length > 0 &&
    p.experiments.length > 0 &&
    p.notes.length > 0 &&
    p.quickReplies.reduce((n, s) => n + s.items.length, 0) > 0;
  if (!ok) throw new Error(`incomplete sidebar answer for ${c.externalUserId}: ${JSON.stringify(p).slice(0, 500)}`);
}

/** Nearest-rank percentile, in ms with two decimals. */
function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Number(sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * q) - 1)]!.toFixed(2));
}

/** The corp, four stores, their staff, the WeCom account on the simulator, tags, SOPs and quick replies. */
async function seedCorp(services: Modules & { db: Database<Models> }, simBaseUrl: string): Promise<{ staff: StaffRow[] }> {
  const scope = { corpId: CORP, storeIds: null };
  await services.org.upsertCorp({ corpId: CORP, name: '压测企业' });
  const stores = [];
  for (const [code, name, city] of [['SH01', '上海一店', '上海'], ['SH02', '上海二店', '上海'], ['BJ01', '北京一店', '北京'], ['GZ01', '广州一店', '广州']] as const) {
    stores.push(await services.org.createStore(scope, { code, name, city, region: city === '北京' ? '华北' : '华东', timezone: 'Asia/Shanghai' }));
  }
  const staff: StaffRow[] = [];
  for (const [s, store] of stores.entries()) {
    for (let i = 0; i < STAFF_PER_STORE; i++) {
      staff.push(await services.org.createStaff(scope, { userId: `s${s}x${i}`, name: `导购${s}-${i}`, storeId: store.id, role: i === 0 ? 'store_manager' : 'staff' }));
    }
  }
  await services.channelAccounts.upsertDefault({
    corpId: CORP,
    kind: 'wecom',
    name: '压测企业微信',
    config: { corpId: CORP, secret: SIM_SECRET, token: 'QDG6eK', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', apiBase: simBaseUrl },
  });
  for (const [g, group] of ['客户等级', '兴趣', '肤质', '购买力', '来源'].entries()) {
    await services.tags.createGroup(CORP, { name: group, order: g, tags: Array.from({ length: 8 }, (_, i) => ({ name: `${group}${i + 1}`, order: i })) });
  }
  for (let i = 0; i < SOPS; i++) {
    await services.db.models.Sop.create({ corpId: CORP, sopId: `sop-${i}`, name: `SOP ${i} 关怀`, status: 'enabled', version: 1, triggerType: 'event', definition: {}, source: 'api' });
  }
  const scenes = ['欢迎语', '售后', '活动', '复购', '节日', '会员', '到店', '催付'];
  const channels: NewTemplate['channels'][] = [['wecom_1to1'], ['wecom_group'], ['wecom_1to1', 'wecom_group'], ['wecom_1to1', 'kf']];
  const templates: NewTemplate[] = Array.from({ length: 240 }, (_, i) => {
    // One in six is written for the official account only: the sidebar must leave those out.
    const on: NewTemplate['channels'] = i % 6 === 5 ? ['official_account'] : channels[i % channels.length]!;
    // A group message reaches many people, so it cannot name one of them.
    const greeting = on.includes('wecom_group') ? '各位好' : '{{contact.name|您好}}';
    return {
      templateId: `qr-${i}`,
      name: `话术${String(i).padStart(3, '0')}`,
      scene: scenes[i % scenes.length]!,
      tags: [`t${i % 5}`],
      channels: on,
      text: `${greeting}，我是{{store.name}}的{{staff.name}}。第${i}条话术：本周到店有新品试用，欢迎来{{store.city}}门店坐坐。`,
      attachments: [],
    };
  });
  await services.content.importPublished(scope, templates, 'bench');
  return { staff };
}

/** `count` ordinary customers in bulk (raw driver, the stored shapes): one follow, a few touches, a run, some holdouts, notes and groups. */
async function seedCrowd(services: Modules, db: Database<Models>, staff: StaffRow[], count: number): Promise<void> {
  const m = db.models;
  const tags = (await services.tags.list(CORP)).flatMap((g) => g.tags.map((t) => t.tagId));
  const BATCH = 1000;
  const base = Date.now() - 60 * DAY;
  for (let from = 0; from < count; from += BATCH) {
    const now = new Date();
    const ids = Array.from({ length: Math.min(BATCH, count - from) }, () => new Types.ObjectId());
    const owner = (k: number) => staff[(from + k) % staff.length]!;
    await m.Contact.collection.insertMany(
      ids.map((_id, k) => ({ _id, corpId: CORP, identityKeys: [`wecom:wmcrowd${from + k}`], externalUserId: `wmcrowd${from + k}`, openids: [], kfIds: [], wechatyIds: [], name: `客户${from + k}`, gender: (from + k) % 3, lifecycle: 'friend', consent: { optedOut: false, optedOutAt: null, reachable: true }, homeStoreId: owner(k).storeId, storeIds: [owner(k).storeId], staffIds: [owner(k).id], tagIds: [tags[(from + k) % tags.length]!], remarks: [], lastInteractionAt: null, mergedInto: null, mergedKeys: [], unsubscribedKeys: [], createdAt: now, updatedAt: now })),
    );
    await m.Follow.collection.insertMany(
      ids.map((_id, k) => ({ corpId: CORP, contactId: String(_id), staffId: owner(k).id, staffUserId: owner(k).userId, storeId: owner(k).storeId, remark: '', description: '', tagIds: [], addWay: 0, state: '', addedAt: now, deletedAt: null, deletedBy: null, createdAt: now, updatedAt: now })),
    );
    const runs = ids.map((_id, k) => ({ _id: new Types.ObjectId(), corpId: CORP, sopId: `sop-${(from + k) % SOPS}`, contactId: String(_id), storeId: owner(k).storeId, staffId: owner(k).id, tz: 'Asia/Shanghai', rotation: 0, enteredAt: new Date(base), status: (from + k) % 4 ? 'active' : 'completed', exitReason: null, stepId: 'day7', dueAt: new Date(base + 7 * DAY), cursorAt: new Date(base), steps: 2, variants: {}, stepTimes: {}, leaseOwner: null, leaseUntil: null, endedAt: null, createdAt: now, updatedAt: now }));
    await m.Enrollment.collection.insertMany(runs);
    await m.Touch.collection.insertMany(
      runs.flatMap((r, k) =>
        Array.from({ length: 5 }, (_, j) => touchDoc({ corpId: CORP, sopId: r.sopId, enrollmentId: String(r._id), contactId: r.contactId, staff: owner(k), step: j, at: base + j * DAY, experiment: j === 0 ? `exp-${(from + k) % EXPERIMENTS}` : null, now })),
      ),
    );
    // One contact in ten is held out of each experiment's sends.
    await m.ExperimentAssignment.collection.insertMany(
      Array.from({ length: EXPERIMENTS }, (_, e) => ids.filter((_id, k) => (from + k + e) % 10 === 0).map((_id) => ({ corpId: CORP, experimentId: `exp-${e}`, contactId: String(_id), arm: 'holdout', storeId: null, assignedAt: new Date(base), createdAt: now, updatedAt: now }))).flat(),
    );
    await m.ContactNote.collection.insertMany(
      ids.filter((_id, k) => (from + k) % 4 === 0).map((_id, k) => ({ corpId: CORP, contactId: String(_id), storeId: owner(k * 4).storeId, staffId: owner(k * 4).id, authorTokenId: 'bench', text: '到店试用过新品', createdAt: now, updatedAt: now })),
    );
    // Groups of ~200 customers each, owned by the staff member of the first.
    await m.CustomerGroup.collection.insertMany(
      Array.from({ length: Math.ceil(ids.length / 200) }, (_, g) => ({ corpId: CORP, chatId: `wrcrowd${from + g}`, name: `客户群${from / BATCH}-${g}`, ownerUserId: owner(g * 200).userId, storeId: owner(g * 200).storeId, notice: '', members: ids.slice(g * 200, g * 200 + 200).map((_id, k) => ({ memberType: 'external', userId: `wmcrowd${from + g * 200 + k}`, contactId: String(_id), joinTime: now, joinScene: 3, quitTime: null })), dismissedAt: null, createdAt: now, updatedAt: now })),
    );
  }
}

/** The customers the bench opens, seeded through the services the app uses, with a long history each. */
async function seedRichCustomers(services: Modules, db: Database<Models>, staff: StaffRow[], count: number, touchesEach: number, notesEach: number): Promise<Rich[]> {
  const m = db.models;
  const scope = { corpId: CORP, storeIds: null };
  const tags = (await services.tags.list(CORP)).flatMap((g) => g.tags.map((t) => t.tagId));
  const base = Date.now() - 180 * DAY;
  const rich: Rich[] = [];
  for (let i = 0; i < count; i++) {
    const externalUserId = `wmrich${i}`;
    const mine = staff[i % STAFF_PER_STORE]!; // staff of the first store
    const colleague = staff[STAFF_PER_STORE * 2 + (i % STAFF_PER_STORE)]!; // another store's
    const { contact } = await services.identities.upsert(CORP, {
      identities: [{ kind: 'wecom', externalUserId }, { kind: 'unionid', unionid: `unrich${i}` }],
      profile: { name: `老客${i}`, lifecycle: 'customer' },
      phone: `+86139${String(10_000_000 + i)}`,
    });
    const myTags = [tags[i % tags.length]!, tags[(i + 7) % tags.length]!, tags[(i + 13) % tags.length]!];
    await services.follows.upsert(CORP, { contactId: contact.id, staff: mine, remark: `老客${i}姐`, state: 'lc-poster', tagIds: myTags, addedAt: new Date(base) });
    await services.follows.upsert(CORP, { contactId: contact.id, staff: colleague, remark: '', state: '', tagIds: [], addedAt: new Date(base + 30 * DAY) });
    await services.contacts.changeTags(scope, contact.id, myTags, [], new Date());

    // A few runs (live and finished) and, across SOPs and rotations, ~300 rows of the touch ledger.
    const runs = await m.Enrollment.insertMany(
      Array.from({ length: 6 }, (_, r) => ({ corpId: CORP, sopId: `sop-${r}`, contactId: contact.id, storeId: mine.storeId, staffId: mine.id, tz: 'Asia/Shanghai', rotation: 0, enteredAt: new Date(base + r * 20 * DAY), status: (['active', 'active', 'paused', 'completed', 'exited', 'completed'] as const)[r], stepId: `day${r}`, dueAt: new Date(Date.now() + (r + 1) * DAY), cursorAt: new Date(base + r * 20 * DAY) })),
    );
    const now = new Date();
    await m.Touch.insertMany(
      Array.from({ length: touchesEach }, (_, j) => {
        const run = runs[j % runs.length]!;
        return touchDoc({ corpId: CORP, sopId: run.sopId, enrollmentId: String(run._id), contactId: contact.id, staff: mine, step: j, at: base + j * (DAY / 2), experiment: j % 10 === 0 ? `exp-${j % EXPERIMENTS}` : null, now });
      }),
    );
    await m.ExperimentAssignment.insertMany(Array.from({ length: 3 }, (_, e) => ({ corpId: CORP, experimentId: `exp-holdout-${e}`, contactId: contact.id, arm: 'holdout', storeId: mine.storeId, assignedAt: new Date(base + e * DAY) })));
    // Most notes from the customer's store, some from another store (which a staff token must not read).
    await m.ContactNote.insertMany(
      Array.from({ length: notesEach }, (_, n) => {
        const author = n % 5 === 4 ? colleague : mine;
        return { corpId: CORP, contactId: contact.id, storeId: author.storeId, staffId: author.id, authorTokenId: 'bench', text: `第${n}条备注：喜欢拿铁，周末到店，偏好小包装。` };
      }),
    );
    await m.CustomerGroup.updateMany({ corpId: CORP, chatId: { $in: [`wrcrowd${i % 5}`, `wrcrowd${1000 + (i % 5)}`] } }, { $push: { members: { memberType: 'external', userId: externalUserId, contactId: contact.id, joinTime: now, joinScene: 3, quitTime: null } } });
    const token = (await services.tokens.issue({ corpId: CORP, role: 'staff', name: `bench-${mine.userId}`, staffId: mine.id })).token;
    rich.push({ externalUserId, contactId: contact.id, token });
  }
  return rich;
}

function touchDoc(t: { corpId: string; sopId: string; enrollmentId: string; contactId: string; staff: StaffRow; step: number; at: number; experiment: string | null; now: Date }) {
  const due = new Date(t.at);
  const past = t.at < Date.now();
  const status = !past ? 'scheduled' : t.step % 7 === 3 ? 'skipped' : t.step % 11 === 5 ? 'failed' : 'sent';
  return {
    _id: new Types.ObjectId(),
    corpId: t.corpId,
    key: `${t.sopId}:${t.contactId}:0:step${t.step}`,
    sopId: t.sopId,
    sopVersion: 1,
    enrollmentId: t.enrollmentId,
    contactId: t.contactId,
    storeId: t.staff.storeId,
    staffId: t.staff.id,
    stepId: `step${t.step}`,
    channel: 'wecom_1to1',
    templateId: `qr-${t.step % 200}`,
    templateVersion: 1,
    experiment: t.experiment,
    variant: t.experiment ? (t.step % 2 ? 'a' : 'b') : null,
    priority: 50,
    tz: 'Asia/Shanghai',
    dueAt: due,
    localDay: due.toISOString().slice(0, 10),
    status,
    reason: status === 'skipped' ? 'frequency_cap' : status === 'failed' ? 'vendor_error' : null,
    deferrals: [],
    text: status === 'sent' ? `第${t.step}条触达：本周到店有新品试用。` : null,
    leaseOwner: null,
    leaseUntil: null,
    attempts: status === 'scheduled' ? 0 : 1,
    sendStartedAt: null,
    reclaimed: false,
    vendorId: null,
    error: { errcode: null, kind: null, message: null },
    sentAt: status === 'sent' ? new Date(t.at + 60_000) : null,
    __v: 0,
    createdAt: t.now,
    updatedAt: t.now,
  };
}
