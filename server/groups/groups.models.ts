/** The groups domain's collection: customer group chats and their member history (`customer_groups`). */
import type { Connection } from 'mongoose';
import { customerGroupSchema } from './customer-group.schema.ts';

export function registerGroupsModels(conn: Connection) {
  return {
    CustomerGroup: conn.model('CustomerGroup', customerGroupSchema),
  };
}

export type GroupsModels = ReturnType<typeof registerGroupsModels>;
