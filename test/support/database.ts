/** A database per spec file: a fresh name, indexes built, dropped when the file's tests end. */
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../../server/db/database.ts';

let uri: string | undefined;

export function setTestMongoUri(value: string): void {
  uri = value;
}

export function testMongoUri(): string {
  if (!uri) throw new Error('test database not started (test/setup.ts root hooks did not run)');
  return uri;
}

/** Call at the top of a describe(): `const t = useTestDatabase('contacts');` then use `t.db` inside tests. */
export function useTestDatabase(label: string): { readonly db: Database; readonly name: string } {
  const name = `t_${label.replace(/\W+/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  let db: Database | undefined;
  before(async () => {
    db = await openDatabase(testMongoUri(), name);
  });
  after(async () => {
    if (!db) return;
    await db.connection.dropDatabase();
    await db.close();
  });
  return {
    name,
    get db() {
      if (!db) throw new Error('database not open yet: use it inside a hook or test');
      return db;
    },
  };
}
