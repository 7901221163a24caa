/**
 * Opens the application's MongoDB connection and registers the models the caller names (the composition root
 * passes `registerModels` from server/modules.ts: every domain's own schemas). Index builds run once here
 * (`syncIndexes` is avoided: it would drop indexes an operator added by hand).
 */
import mongoose, { type Connection, type Model } from 'mongoose';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any model: the registrar decides which
type AnyModels = Record<string, Model<any>>;

export type Database<M extends AnyModels = AnyModels> = { connection: Connection; models: M; close(): Promise<void> };

export async function openDatabase<M extends AnyModels>(uri: string, dbName: string, register: (conn: Connection) => M): Promise<Database<M>> {
  const connection = mongoose.createConnection(uri, {
    dbName,
    autoIndex: false,
    serverSelectionTimeoutMS: 10_000,
    // Identity merges and claims are single-document atomic; the dev server does not do sessions anyway.
    retryWrites: false,
  });
  await connection.asPromise();
  const models = register(connection);
  await Promise.all(Object.values(models).map((m) => m.createIndexes()));
  return { connection, models, close: () => connection.close() };
}

/** True when the database answers a ping within the timeout. */
export async function pingDatabase(db: Database, timeoutMs = 1000): Promise<boolean> {
  const admin = db.connection.db?.admin();
  if (!admin || db.connection.readyState !== 1) return false;
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
  return Promise.race([admin.ping().then(() => true, () => false), timeout]);
}
