/**
 * Opens the application's MongoDB connection and builds the models. Index builds run once here
 * (`syncIndexes` is avoided: it would drop indexes an operator added by hand).
 */
import mongoose, { type Connection } from 'mongoose';
import { registerModels, type Models } from './models.ts';

export type Database = { connection: Connection; models: Models; close(): Promise<void> };

export async function openDatabase(uri: string, dbName: string): Promise<Database> {
  const connection = mongoose.createConnection(uri, {
    dbName,
    autoIndex: false,
    serverSelectionTimeoutMS: 10_000,
    // Identity merges and claims are single-document atomic; the dev server does not do sessions anyway.
    retryWrites: false,
  });
  await connection.asPromise();
  const models = registerModels(connection);
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
