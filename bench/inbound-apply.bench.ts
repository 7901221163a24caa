/**
 * inbound-apply: N inbox rows of a realistic WeCom mix, recorded first (as the callback route records them), then
 * applied by the scheduler role's inbound processor from a cold start against the WeCom simulator, which enforces
 * its per-API rate (`--vendor-per-min`, default the documented 10,000 per API per minute).
 *
 * Mix per 20 rows: 6 adds (2 of them with a welcome code: priority 1) that fetch externalcontact/get, 5 1:1
 * messages to the app (logged only), 4 deletions of customers added earlier in the stream, 2 kf messages
 * (kf/sync_msg), 2 group joins or quits (groupchat/get), 1 tag change (a deletion: no call; or an update:
 * get_corp_tag_list). "No vendor call" = messages, deletions and tag deletions.
 *
 * `no_vendor_per_s` and `adds_per_s`: rows of that class over the time from the processor's start to the last of
 * them applied (the classes share one processor, so each rate includes the others' work, as in production).
 * `raw_write_per_s`: single-document inserts into a plain collection of the same database, one at a time (the
 * processor's own pace), measured before and after the run and averaged. Latencies run from the row's
 * acknowledgement (recorded) to its application (processed); on a cold start of N rows they include the backlog.
 * The processor starts cold; the development database does not: a throwaway mix of `--warm-db` rows (4,000) runs
 * first on the same database server (`--cold-db` skips it, as runs before session 12 did).
 */
import { Types } from 'mongoose';
import pino from 'pino';
import { wecomInboxPriority } from '../adapters/wecom/parse/inbox-priority.ts';
import { externalChatEvent, externalContactEvent, externalTagEvent, kfMsgOrEvent } from '../adapters/wecom/simulator/callback-events.ts';
import { startWecomSimulator, SIM_CORP_ID, SIM_SECRET } from '../adapters/wecom/simulator/wecom-simulator.ts';
import { buildXml } from '../adapters/shared/xml.ts';
import { openDatabase, type Database } from '../server/db/database.ts';
import { registerModels, type Models } from '../server/modules.ts';
import { benchDatabase, benchServices, intArg, pool } from './support.ts';

const STAFF = 50;
type Kind = 'add' | 'welcome_add' | 'message' | 'delete' | 'kf' | 'group' | 'tag_delete' | 'tag_update';
const NO_VENDOR: ReadonlySet<Kind> = new Set(['message', 'delete', 'tag_delete']);
/** The 20-row pattern of the mix (see the header). */
const PATTERN: Kind[] = ['welcome_add', 'message', 'add', 'kf', 'message', 'add', 'group', 'delete', 'welcome_add', 'message', 'add', 'delete', 'tag_delete', 'message', 'add', 'kf', 'delete', 'group', 'message', 'delete'];

export async function run(args: string[]) {
  const n = intArg(args, 'n', 20_000);
  const perMinute = intArg(args, 'vendor-per-min', 10_000);
  const warmRows = args.includes('--cold-db') ? 0 : intArg(args, 'warm-db', 4_000);
  const server = await benchDatabase();
  try {
    if (warmRows > 0 && !process.env.MONGODB_URI) {
      // The development database is a JVM: for its first minute its JIT compiler takes about one of the two cores
      // (measured with JFR: the C2 thread used more CPU than the threads answering queries). A production MongoDB
      // has no such warm-up, so a throwaway mix runs first, on its own database and simulator (`--warm-db N` rows; `--cold-db` skips it).
      const t = Date.now();
      await applyMix(server.uri, warmRows, perMinute);
      console.error(`database warmed with ${warmRows} rows in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
    return await applyMix(server.uri, n, perMinute);
  } finally {
    await server.stop();
  }
}

async function applyMix(uri: string, n: number, perMinute: number) {
  const dbName = `bench_inbound_${Date.now()}`;
  const db = await openDatabase(uri, dbName, registerModels);
  const sim = await startWecomSimulator({ limits: { perApiPerMinute: perMinute } });
  try {
    const services = benchServices(db);
    const corpId = SIM_CORP_ID;
    const scope = { corpId, storeIds: null };
    await services.org.upsertCorp({ corpId, name: '压测企业' });
    const store = await services.org.createStore(scope, { code: 'SH01', name: '上海店', city: '上海', region: '华东', timezone: 'Asia/Shanghai' });
    for (let i = 0; i < STAFF; i++) {
      await services.org.createStaff(scope, { userId: `s${i}`, name: `导购${i}`, storeId: store.id, role: 'staff' });
      sim.control.addStaff(`s${i}`);
    }
    const account = await services.channelAccounts.upsertDefault({ corpId, kind: 'wecom', name: 'sim', config: { corpId: SIM_CORP_ID, secret: SIM_SECRET, token: 'tok', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', apiBase: sim.baseUrl } });

    // The payloads, and what the simulator must know for the calls they cause.
    const kinds: Kind[] = [];
    const payloads: string[] = [];
    const added: string[] = [];
    /** Stream position of each added customer's add row, in `added`'s order. */
    const addedAt: number[] = [];
    let deleted = 0;
    const createTime = () => Math.floor(Date.now() / 1000);
    for (let i = 0; i < n; i++) {
      let kind = PATTERN[i % PATTERN.length]!;
      if (kind === 'delete' && deleted >= added.length) kind = 'message';
      if (kind === 'tag_delete' && Math.floor(i / PATTERN.length) % 2 === 1) kind = 'tag_update';
      const staff = `s${i % STAFF}`;
      let xml: string;
      if (kind === 'add' || kind === 'welcome_add') {
        const ext = `wmapply${i}`;
        sim.control.addCustomer({ external_userid: ext, name: `客户${i}`, follow_user: [{ userid: staff, add_way: 1, state: 'c:bench' }] });
        const welcomeCode = kind === 'welcome_add' ? sim.control.issueWelcomeCode(staff, ext) : undefined;
        xml = externalContactEvent({ corpId, changeType: 'add_external_contact', userId: staff, externalUserId: ext, state: 'c:bench', ...(welcomeCode ? { welcomeCode } : {}), createTime: createTime() });
        added.push(`${staff}:${ext}`);
        addedAt.push(i);
      } else if (kind === 'delete') {
        const [userId, ext] = added[deleted++]!.split(':') as [string, string];
        xml = externalContactEvent({ corpId, changeType: 'del_follow_user', userId, externalUserId: ext, createTime: createTime() });
      } else if (kind === 'message') {
        xml = buildXml({ ToUserName: corpId, FromUserName: staff, CreateTime: createTime(), MsgType: 'text', Content: `你好 ${i}`, MsgId: String(1e12 + i), AgentID: 1000002 });
      } else if (kind === 'kf') {
        const { token } = sim.control.kfCustomerMessage({ open_kfid: 'wkbench', external_userid: `wmkf${i}`, content: `咨询 ${i}` });
        xml = kfMsgOrEvent({ corpId, token, openKfId: 'wkbench', createTime: createTime() });
      } else if (kind === 'group') {
        const chatId = `wrbench${i % 200}`;
        if (!sim.state.groupChats.has(chatId)) sim.control.addGroupChat({ chat_id: chatId, name: `群${i % 200}`, owner: staff, members: [{ userid: staff, type: 1 }, { userid: `wmgroup${i}`, type: 2 }] });
        const join = Math.floor(i / PATTERN.length) % 2 === 0;
        xml = externalChatEvent({ corpId, chatId, changeType: 'update', updateDetail: join ? 'add_member' : 'del_member', ...(join ? { joinScene: 3 as const } : { quitScene: 0 as const }), memChangeList: [`wmgroup${i}`], createTime: createTime() });
      } else {
        xml = externalTagEvent({ corpId, id: `etbench${i}`, tagType: 'tag', changeType: kind === 'tag_delete' ? 'delete' : 'update', createTime: createTime() });
      }
      kinds.push(kind);
      payloads.push(xml);
    }

    const rawBefore = await rawWriteRate(db, Math.min(n, 3000));
    // Recorded as the callback route records them (verified payloads, 64 in flight), then the processor starts cold.
    const ids = new Array<string>(n);
    await pool(n, 64, async (i) => (ids[i] = (await services.channels.inbox.record(account, payloads[i]!, { inboxPriority: wecomInboxPriority })).id));
    const kindOf = new Map(ids.map((id, i) => [id, kinds[i]!]));
    sim.control.clearRequests();

    const processor = services.channels.processor(pino({ level: 'silent' }), 50);
    const t0 = Date.now();
    processor.start();
    const inbox = db.models.InboundRaw;
    // Done when no row is left to apply. Asked as "is there one" on the claim index, not as a count: a
    // count here (an aggregate scanning every row of the inbox, five times a second) took about 40% of the
    // development database's CPU in a JFR recording of the run, from the rows being measured. The rates come
    // from each row's processedAt, so how often this asks changes only when the run is seen to end.
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const left = await inbox.findOne({ status: { $in: ['pending', 'processing'] }, nextAttemptAt: { $lte: new Date(Date.now() + 60_000) } }, { _id: 1 }).lean();
      if (!left) break;
    }
    await processor.stop();
    const rawAfter = await rawWriteRate(db, Math.min(n, 3000));
    const raw = (rawBefore + rawAfter) / 2;

    const rows = await inbox.find({}).select('_id status receivedAt processedAt attempts lastError').lean();
    const retried = rows.filter((r) => (r.attempts ?? 0) > 1);
    if (retried.length) console.error(`rows applied after a retry: ${retried.length} (${[...new Set(retried.map((r) => `${kindOf.get(String(r._id))}: ${r.lastError ?? ''}`))].slice(0, 5).join('; ')})`);
    const failed = rows.filter((r) => r.status !== 'processed').length;
    const lastOf = (pick: (k: Kind) => boolean) => Math.max(t0 + 1, ...rows.filter((r) => pick(kindOf.get(String(r._id))!) && r.processedAt).map((r) => r.processedAt!.getTime()));
    const countOf = (pick: (k: Kind) => boolean) => kinds.filter(pick).length;
    const isAdd = (k: Kind) => k === 'add' || k === 'welcome_add';
    const noVendorPerS = countOf((k) => NO_VENDOR.has(k)) / ((lastOf((k) => NO_VENDOR.has(k)) - t0) / 1000);
    const addsPerS = countOf(isAdd) / ((lastOf(isAdd) - t0) / 1000);
    const latency = (pick: (k: Kind) => boolean) =>
      rows
        .filter((r) => pick(kindOf.get(String(r._id))!) && r.processedAt)
        .map((r) => (r.processedAt!.getTime() - r.receivedAt.getTime()) / 1000)
        .sort((a, b) => a - b);
    const ordered = rows.filter((r) => r.processedAt).sort((a, b) => a.processedAt!.getTime() - b.processedAt!.getTime());
    // When each kind's rows were applied (seconds from the start, at 25 / 50 / 75 / 100 % of them): which kind ends
    // last, and whether a kind waits behind another, show here before they show in the rates.
    const progress = [...new Set(kinds)].map((kind) => {
      const at = rows.filter((r) => kindOf.get(String(r._id)) === kind && r.processedAt).map((r) => (r.processedAt!.getTime() - t0) / 1000).sort((a, b) => a - b);
      return `${kind} ${[0.25, 0.5, 0.75, 1].map((q) => (at[Math.max(0, Math.ceil(at.length * q) - 1)] ?? 0).toFixed(1)).join('/')}`;
    });
    console.error(`applied by (s, 25/50/75/100 %): ${progress.join('; ')}`);
    // A deletion is applied after its customer's add, and adds wait on the detail API's rate: the no-vendor rows
    // cannot all be applied before the add of the last customer deleted. This prints that floor and the rate it caps.
    if (deleted > 0) {
      const appliedAt = new Map(rows.filter((r) => r.processedAt).map((r) => [String(r._id), r.processedAt!.getTime()]));
      const floorS = (Math.max(...addedAt.slice(0, deleted).map((i) => appliedAt.get(ids[i]!) ?? Infinity)) - t0) / 1000;
      const cap = countOf((k) => NO_VENDOR.has(k)) / floorS;
      console.error(`deletions wait for their adds: the last add of the ${deleted} customers deleted was applied at ${floorS.toFixed(1)} s, so no_vendor_per_s cannot exceed ${Math.round(cap)} here (ratio ${(cap / raw).toFixed(3)})`);
    }
    console.error(`first row applied after ${ordered.length ? ordered[0]!.processedAt!.getTime() - t0 : 0} ms`);
    const p99 = (xs: number[]) => (xs.length ? xs[Math.min(xs.length - 1, Math.ceil(xs.length * 0.99) - 1)]! : 0);
    const calls = sim.control.requests().filter((r) => r.api !== 'gettoken');
    const vendorPerS = perMinute / 60;
    const byApi = new Map<string, number>();
    for (const c of calls) byApi.set(c.api, (byApi.get(c.api) ?? 0) + 1);
    console.error(`vendor calls by API: ${[...byApi].map(([api, k]) => `${api} ${k}`).join(', ')}; refused ${calls.filter((c) => c.errcode !== 0).length}; rows not processed ${failed}; total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return {
      bench: 'inbound-apply',
      n,
      no_vendor_per_s: Math.round(noVendorPerS),
      raw_write_per_s: Math.round(raw),
      ratio: Number((noVendorPerS / raw).toFixed(3)),
      adds_per_s: Math.round(addsPerS),
      vendor_rate_per_s: Math.round(vendorPerS),
      adds_ratio: Number((addsPerS / vendorPerS).toFixed(3)),
      welcome_p99_s: Number(p99(latency((k) => k === 'welcome_add')).toFixed(2)),
      ack_to_applied_p99_s: Number(p99(latency(() => true)).toFixed(2)),
      vendor_calls_per_event: Number((calls.length / n).toFixed(3)),
      not_processed: failed,
    };
  } finally {
    await sim.stop();
    await db.connection.dropDatabase().catch(() => undefined);
    await db.close();
  }
}

/** Single-document inserts per second, one at a time, of inbox-sized documents into a fresh plain collection. */
async function rawWriteRate(db: Database<Models>, count: number): Promise<number> {
  const raw = db.connection.db!.collection(`raw_writes_${Date.now()}`);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await raw.insertOne({ _id: new Types.ObjectId(), corpId: SIM_CORP_ID, key: `raw${i}`, type: 'raw', payload: { i, text: 'x'.repeat(200) }, at: new Date() });
  return count / ((performance.now() - t0) / 1000);
}
