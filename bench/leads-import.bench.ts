/**
 * leads-import: writes an N-row lead CSV (default 200,000; names, stores, sources, tags, an attribute, a few
 * malformed and duplicate rows) to a temp dir, seeds --contacts contacts (default 20,000) whose phones are every
 * tenth row, and imports the file through the CLI's code path (importLeadsFile → LeadImportService), streamed.
 * Prints rows per second and the peak RSS of this process (the database is another process); the budget is 300 MB.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { fullGc } from '../server/shared/heap-relief.ts';
import { importLeadsFile } from '../server/campaigns/index.ts';
import { openDatabase, type Database } from '../server/db/database.ts';
import { registerModels, type Models, type Modules } from '../server/modules.ts';
import { benchDatabase, benchServices, intArg, rssSampler } from './support.ts';

const STORES = ['SH01', 'SH02', 'BJ01', 'GZ01', ''];
const SOURCES = ['orders', 'events', 'members'];

async function writeCsv(file: string, n: number): Promise<void> {
  const out = createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('phone,name,store,city,source,tags,会员等级\n');
  for (let i = 0; i < n; i++) {
    // Every 1000th row is malformed (a bad phone), every 500th repeats the previous phone.
    const phone = i % 1000 === 999 ? '12345' : phoneOf(i % 500 === 499 ? i - 1 : i);
    await write(`${phone},客户${i},${STORES[i % STORES.length]},上海,${SOURCES[i % SOURCES.length]},"vip,老客",金卡\n`);
  }
  out.end();
  await once(out, 'finish');
}

/** The phone of file row i (before the bench's malformed and repeated rows). */
const phoneOf = (i: number) => `13${String(100_000_000 + i).slice(0, 9)}`;

/**
 * Contacts that already have phones: every tenth row of the file (rows 0, 10, 20, …) is one of them, so the
 * import checks against a populated contact store. Written with the driver in the shape ContactIdentityService writes.
 */
async function seedContacts(services: Modules & { db: Database<Models> }, count: number): Promise<void> {
  const now = new Date();
  for (let start = 0; start < count; start += 5000) {
    const docs = [];
    for (let i = start; i < Math.min(count, start + 5000); i++) {
      const hash = services.phones.hash(`+86${phoneOf(i * 10)}`);
      docs.push({ corpId: 'wwbench', identityKeys: [`wecom:wmbench${i}`, `phone:${hash}`], externalUserId: `wmbench${i}`, phoneHash: hash, mergedInto: null, createdAt: now, updatedAt: now });
    }
    await services.db.models.Contact.collection.insertMany(docs);
  }
}

/** Peak of each process.memoryUsage() figure, in MB. */
function memorySampler(): { stop(): Record<string, number> } {
  const peak: Record<string, number> = {};
  const sample = () => {
    for (const [k, v] of Object.entries(process.memoryUsage())) peak[k] = Math.max(peak[k] ?? 0, Math.round(v / 1048576));
  };
  const timer = setInterval(sample, 100);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

export async function run(args: string[]) {
  const n = intArg(args, 'n', 200_000);
  const contacts = intArg(args, 'contacts', 20_000);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'siyu-leads-'));
  const file = path.join(dir, 'leads.csv');
  await writeCsv(file, n);
  const server = await benchDatabase();
  const db = await openDatabase(server.uri, `bench_leads_${Date.now()}`, registerModels);
  try {
    const services = benchServices(db);
    await services.org.upsertCorp({ corpId: 'wwbench', name: 'bench' });
    const campaign = await services.campaigns.campaigns.create({ corpId: 'wwbench', storeIds: null }, { name: 'bench' });
    await seedContacts(services, contacts);
    // The seeding's garbage is not the import's: collected before measuring.
    fullGc()?.();
    const rss = rssSampler();
    const memory = memorySampler();
    const t0 = performance.now();
    const summary = await importLeadsFile(services.campaigns, { campaignId: campaign.id, file });
    const seconds = (performance.now() - t0) / 1000;
    const peak = rss.stop();
    const stored = await db.models.Lead.countDocuments({ campaignId: campaign.id });
    if (stored !== summary.imported) throw new Error(`imported ${summary.imported} but stored ${stored}`);
    return {
      bench: 'leads-import',
      rows: summary.rows,
      imported: summary.imported,
      duplicates: summary.duplicates,
      invalid: summary.invalid,
      seconds: Math.round(seconds * 10) / 10,
      rows_per_s: Math.round(summary.rows / seconds),
      peak_rss_mb: peak,
      rss_budget_mb: 300,
      peak_memory_mb: memory.stop(),
      existing_contacts: contacts,
    };
  } finally {
    await db.connection.dropDatabase().catch(() => undefined);
    await db.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
