/** The contacts domain's collections: people (`contacts`), their relations to staff members (`follows`) and saved filters (`contact_segments`). */
import type { Connection } from 'mongoose';
import { contactSchema } from './contact.schema.ts';
import { followSchema } from './follow.schema.ts';
import { segmentSchema } from './segment.schema.ts';

export function registerContactsModels(conn: Connection) {
  return {
    Contact: conn.model('Contact', contactSchema),
    Follow: conn.model('Follow', followSchema),
    ContactSegment: conn.model('ContactSegment', segmentSchema),
  };
}

export type ContactsModels = ReturnType<typeof registerContactsModels>;
