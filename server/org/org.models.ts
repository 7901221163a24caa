/** The org domain's collections: corps, stores and staff. */
import type { Connection } from 'mongoose';
import { corpSchema } from './corp.schema.ts';
import { staffSchema } from './staff.schema.ts';
import { storeSchema } from './store.schema.ts';

export function registerOrgModels(conn: Connection) {
  return {
    Corp: conn.model('Corp', corpSchema),
    Store: conn.model('Store', storeSchema),
    Staff: conn.model('Staff', staffSchema),
  };
}

export type OrgModels = ReturnType<typeof registerOrgModels>;
