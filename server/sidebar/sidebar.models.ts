/** The sidebar's collection: staff notes about a customer. */
import type { Connection } from 'mongoose';
import { contactNoteSchema } from './contact-note.schema.ts';

export function registerSidebarModels(conn: Connection) {
  return { ContactNote: conn.model('ContactNote', contactNoteSchema) };
}

export type SidebarModels = ReturnType<typeof registerSidebarModels>;
