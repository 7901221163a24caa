/**
 * contacts-upsert: N contacts through ContactIdentityService.upsert (our layer: identity lookup, merge check,
 * phone encryption and hashing) against the same N documents upserted with the raw driver (updateOne with
 * upsert on the identity key) into the same database. Both run with the same concurrency.
 */
import { openDatabase } from '../server/db/database.ts';
import { benchDatabase, benchServices, intArg, pool, rssSampler } from './support.ts';
import { registerModels } from '../server/modules.ts';

export async function run(args: string[]) {
  const n = intArg(args, 'n', 20_000);
  const concurrency = intArg(args, 'concurrency', 32);
  const server = await benchDatabase();
  const dbName = `bench_upsert_${Date.now()}`;
  const db = await openDatabase(server.uri, dbName, registerModels);
  const rss = rssSampler();
  try {
    const services = benchServices(db);
    const phone = (i: number) => `+86139${String(i).padStart(8, '0')}`;
    const ourUpsert = (corpId: string) => (i: number) =>
      services.identities.upsert(corpId, {
        identities: [{ kind: 'wecom', externalUserId: `wm${i}` }, { kind: 'unionid', unionid: `un${i}` }],
        phone: phone(i),
        profile: { name: `客户${i}`, lifecycle: 'friend' },
      });
    // The raw side writes the same document shape into a collection with the same indexes, in the same database.
    const raw = db.connection.db!.collection('contacts_raw');
    for (const spec of await db.models.Contact.collection.indexes()) {
      if (spec.name !== '_id_') await raw.createIndex(spec.key, { unique: spec.unique ?? false });
    }
    const rawUpsert = (corpId: string) => (i: number) => {
      const now = new Date();
      return raw.updateOne(
        { corpId, identityKeys: `wecom:wm${i}` },
        {
          $setOnInsert: {
            corpId,
            identityKeys: [`wecom:wm${i}`, `unionid:un${i}`, `phone:${i}`],
            externalUserId: `wm${i}`,
            unionid: `un${i}`,
            phoneEnc: phone(i),
            phoneHash: String(i),
            name: `客户${i}`,
            lifecycle: 'friend',
            createdAt: now,
          },
          $set: { updatedAt: now },
        },
        { upsert: true },
      );
    };
    // Warm both paths first (the JVM behind the development server and V8 both compile hot code late), so
    // neither side pays the warm-up for the other.
    const warm = Math.min(2000, Math.ceil(n / 5));
    await pool(warm, concurrency, ourUpsert('wwwarm'));
    await pool(warm, concurrency, rawUpsert('wwwarm'));

    const corpId = 'wwbench';
    let t0 = performance.now();
    await pool(n, concurrency, ourUpsert(corpId));
    const oursSeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    await pool(n, concurrency, rawUpsert(corpId));
    const rawSeconds = (performance.now() - t0) / 1000;
    const stored = await db.models.Contact.countDocuments({ corpId });
    if (stored !== n) throw new Error(`expected ${n} contacts, found ${stored}`);
    const ours = n / oursSeconds;
    const rawRate = n / rawSeconds;
    return {
      bench: 'contacts-upsert',
      n,
      ours_per_s: Math.round(ours),
      raw_per_s: Math.round(rawRate),
      ratio: Number((ours / rawRate).toFixed(3)),
      peak_rss_mb: rss.stop(),
    };
  } finally {
    await db.connection.dropDatabase().catch(() => undefined);
    await db.close();
    await server.stop();
  }
}
