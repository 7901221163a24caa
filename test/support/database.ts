/** A database per spec file: a fresh name, indexes built, dropped when the file's tests end. */
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../../server/db/database.ts';
import { registerModels, type Models } from '../../server/modules.ts';

let uri: string | undefined;

export function setTestMongoUri(value: string): void {
  uri = value;
}

export function testMongoUri(): string {
  if (!uri) throw new Error('test database not started (test/setup.ts root hooks did not run)');
  return uri;
}

/** Call at the top of a describe(): `const t = useTestDatabase('contacts');` then use `t.db` inside tests. */
export function useTestDatabase(label: string): { readonly db: Database<Models>; readonly name: string } {
  const name = `t_${label.replace(/\W+/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  let db: Database<Models> | undefined;
  before(async () => {
    db = await openDatabase(testMongoUri(), name, registerModels);
  });
  after(async () => {
    if (!db) return;
    // The development server can fail a drop while it still finishes an index build ("index not found"):
    // the drop is retried a few times before the failure counts.
    for (let attempt = 1; ; attempt++) {
      try {
        await db.connection.dropDatabase();
        break;
      } catch (err) {
        if (attempt >= 3) throw err;
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
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
