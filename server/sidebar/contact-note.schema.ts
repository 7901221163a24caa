import { Schema, type InferSchemaType } from 'mongoose';

/**
 * A staff member's note about a customer, written from the chat sidebar. Notes belong to the author's store:
 * staff and store managers read their store's notes, HQ reads every store's.
 */
export const contactNoteSchema = new Schema(
  {
    corpId: { type: String, required: true },
    contactId: { type: String, required: true },
    storeId: { type: String, required: true },
    staffId: { type: String, default: null },
    /** Token id of the author when no staff member is behind the token (HQ). */
    authorTokenId: { type: String, required: true },
    text: { type: String, required: true },
  },
  { collection: 'contact_notes', timestamps: true, strict: 'throw' },
);
// The sidebar's notes of one customer, newest first (the store filter applies on top).
contactNoteSchema.index({ corpId: 1, contactId: 1, _id: -1 });

export type ContactNoteDoc = InferSchemaType<typeof contactNoteSchema>;
