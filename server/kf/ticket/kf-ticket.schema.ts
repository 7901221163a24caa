/**
 * A service request that needs follow-up after the chat (a refund to check, a visit to arrange): a ticket with an
 * owner and a due time, raised from the desk, moving created → assigned → handled → followed_up → closed.
 */
import { Schema } from 'mongoose';

export const TICKET_STATES = ['created', 'assigned', 'handled', 'followed_up', 'closed'] as const;
export type TicketState = (typeof TICKET_STATES)[number];

const stepSchema = new Schema(
  {
    state: { type: String, enum: TICKET_STATES, required: true },
    at: { type: Date, required: true },
    /** The staff id or token id that made the move. */
    by: { type: String, required: true },
    note: { type: String, default: '' },
  },
  { _id: false, strict: 'throw' },
);

export const kfTicketSchema = new Schema(
  {
    corpId: { type: String, required: true },
    /** The kf session it came from. */
    sessionId: { type: String, required: true },
    title: { type: String, required: true },
    ownerStaffId: { type: String, required: true },
    dueAt: { type: Date, required: true },
    state: { type: String, enum: TICKET_STATES, required: true },
    history: { type: [stepSchema], default: [] },
    createdBy: { type: String, required: true },
  },
  { collection: 'kf_tickets', timestamps: true, strict: 'throw' },
);
// The owner's open tickets on /m, soonest due first.
kfTicketSchema.index({ corpId: 1, ownerStaffId: 1, state: 1, dueAt: 1 });
kfTicketSchema.index({ corpId: 1, sessionId: 1 });
