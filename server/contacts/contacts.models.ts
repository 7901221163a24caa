/** The contacts domain's collections: people (`contacts`) and their relations to staff members (`follows`). */
import type { Connection } from 'mongoose';
import { contactSchema } from './contact.schema.ts';
import { followSchema } from './follow.schema.ts';

export function registerContactsModels(conn: Connection) {
  return {
    Contact: conn.model('Contact', contactSchema),
    Follow: conn.model('Follow', followSchema),
  };
}

export type ContactsModels = ReturnType<typeof registerContactsModels>;
