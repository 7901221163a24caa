/**
 * contacts-list: the first page (50 rows, newest first) of the customer list at 200,000 contacts of one corp,
 * through the same repository call GET /api/contacts makes, over four filters: tag + store, tag none, lifecycle
 * and a search. Prints p50 / p95 over every timed query and the same per filter.
 *
 * On the development database (mongo-java-server, memory store) a page sorted on `_id` walks the `_id`s in order
 * and stops at the limit, as MongoDB walks an index; its other indexes serve only exact equalities
 * (docs/decisions/0001). The indexes production MongoDB uses per filter are declared and explained in
 * server/contacts/contact.schema.ts; run with MONGODB_URI to measure them.
 */
import { Types } from 'mongoose';
import { openDatabase } from '../server/db/database.ts';
import { toContactFilter } from '../server/contacts/contact-filter.ts';
import { registerModels } from '../server/modules.ts';
import { benchDatabase, benchServices, intArg } from './support.ts';

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '罗', '高'];
const LIFECYCLES = ['lead', 'friend', 'customer', 'vip', 'lost'] as const;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;
}
const round = (x: number) => Math.round(x * 10) / 10;

export async function run(args: string[]) {
  const n = intArg(args, 'n', 200_000);
  const rounds = intArg(args, 'rounds', 15);
  const server = await benchDatabase();
  const db = await openDatabase(server.uri, `bench_contacts_list_${Date.now()}`, registerModels);
  try {
    const services = benchServices(db);
    const corpId = 'wwbenchlist';
    const stores = Array.from({ length: 20 }, () => String(new Types.ObjectId()));
    const staff = Array.from({ length: 200 }, () => String(new Types.ObjectId()));
    const tags = Array.from({ length: 30 }, (_, i) => `ettag${String(i).padStart(3, '0')}`);
    // A deterministic spread (no Math.random): reruns seed the same corp.
    const t0 = Date.UTC(2025, 0, 1);
    const batch = 5000;
    for (let start = 0; start < n; start += batch) {
      const docs = [];
      for (let i = start; i < Math.min(n, start + batch); i++) {
        const store = stores[i % stores.length]!;
        const tagIds = [tags[i % 7]!, ...(i % 3 === 0 ? [tags[7 + (i % 11)]!] : []), ...(i % 5 === 0 ? [tags[18 + (i % 12)]!] : [])];
        const added = new Date(t0 + i * 150_000);
        docs.push({
          _id: Types.ObjectId.createFromTime(Math.floor(added.getTime() / 1000)),
          corpId,
          identityKeys: [`wecom:wmbench${i}`],
          externalUserId: `wmbench${i}`,
          phoneMasked: `13${i % 10}****${String(i % 10_000).padStart(4, '0')}`,
          name: `${SURNAMES[i % SURNAMES.length]}${SURNAMES[(i * 7) % SURNAMES.length]}${i}`,
          lifecycle: LIFECYCLES[i % 23 === 0 ? 3 : i % 4]!,
          consent: { optedOut: false, optedOutAt: null, reachable: true },
          homeStoreId: store,
          storeIds: [store],
          staffIds: [staff[i % staff.length]!],
          tagIds,
          remarks: i % 9 === 0 ? [`老客户${i}`] : [],
          mergedInto: null,
          createdAt: added,
          updatedAt: added,
        });
      }
      await services.contacts.insertPrepared(docs);
    }
    const scope = { corpId, storeIds: null };
    const filters = {
      tag_store: { tagsAny: [tags[3]!], storeId: stores[10]! },
      tag_none: { tagsNone: [tags[1]!, tags[2]!] },
      lifecycle: { lifecycle: ['vip' as const] },
      search: { q: '林高' },
    };
    const timings: Record<string, number[]> = {};
    const counts: Record<string, number> = {};
    // One untimed round warms the JVM behind the development server and V8.
    for (const [name, f] of Object.entries(filters)) counts[name] = (await services.contacts.list(scope, toContactFilter(f, services.phones), { limit: 50 })).items.length;
    for (let r = 0; r < rounds; r++) {
      for (const [name, f] of Object.entries(filters)) {
        const start = performance.now();
        await services.contacts.list(scope, toContactFilter(f, services.phones), { limit: 50 });
        (timings[name] ??= []).push(performance.now() - start);
      }
    }
    // The same first page with the driver and no filter but the corp: what the database itself costs per page on
    // this machine now, so a loaded machine's numbers can be read as a ratio.
    const raw: number[] = [];
    const coll = db.models.Contact.collection;
    for (let r = 0; r < rounds; r++) {
      const start = performance.now();
      await coll.find({ corpId }).sort({ _id: -1 }).limit(51).toArray();
      raw.push(performance.now() - start);
    }
    raw.sort((a, b) => a - b);
    const all = Object.values(timings).flat().sort((a, b) => a - b);
    const per = Object.fromEntries(
      Object.entries(timings).map(([name, xs]) => {
        const s = [...xs].sort((a, b) => a - b);
        return [name, { p50: round(percentile(s, 0.5)), p95: round(percentile(s, 0.95)), rows: counts[name] }];
      }),
    );
    return {
      bench: 'contacts-list',
      contacts: n,
      first_page_ms_p50: round(percentile(all, 0.5)),
      first_page_ms_p95: round(percentile(all, 0.95)),
      target_ms: 300,
      raw_first_page_ms_p50: round(percentile(raw, 0.5)),
      ratio_p50: round(percentile(all, 0.5) / Math.max(0.1, percentile(raw, 0.5))),
      database: process.env.MONGODB_URI ? 'MONGODB_URI' : 'dev (mongo-java-server, _id order)',
      per_filter: per,
    };
  } finally {
    await db.close();
    await server.stop();
  }
}
