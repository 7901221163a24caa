/** Notes about a customer, scoped to the stores of the caller. */
import type { Types } from 'mongoose';
import type { Scope } from '../shared/scope.ts';
import { storeFilter } from '../shared/scope.ts';
import type { ContactNoteDoc } from './contact-note.schema.ts';
import type { SidebarModels } from './sidebar.models.ts';

type Row = ContactNoteDoc & { _id: Types.ObjectId; createdAt: Date };

export type ContactNote = { id: string; contactId: string; storeId: string; staffId: string | null; text: string; createdAt: Date };

const toNote = (r: Row): ContactNote => ({ id: String(r._id), contactId: r.contactId, storeId: r.storeId, staffId: r.staffId ?? null, text: r.text, createdAt: r.createdAt });

export class ContactNoteRepository {
  constructor(private readonly models: SidebarModels) {}

  async add(scope: Scope, note: { contactId: string; storeId: string; staffId: string | null; authorTokenId: string; text: string }): Promise<ContactNote> {
    const doc = await this.models.ContactNote.create({ corpId: scope.corpId, ...note });
    return toNote(doc.toObject() as Row);
  }

  async listForContact(scope: Scope, contactId: string, limit = 20): Promise<ContactNote[]> {
    const rows = await this.models.ContactNote.find({ corpId: scope.corpId, contactId, ...storeFilter(scope) })
      .sort({ _id: -1 })
      .limit(limit)
      .lean<Row[]>();
    return rows.map(toNote);
  }
}
