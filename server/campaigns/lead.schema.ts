import { Schema, type InferSchemaType } from 'mongoose';

export const LEAD_STATUSES = ['pool', 'assigned', 'requested', 'accepted', 'not_found', 'refused', 'wrong_number', 'exhausted'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];
/** What staff report from the phone page. */
export const STAFF_ACTIONS = ['requested', 'not_found', 'refused', 'wrong_number'] as const;
export type StaffAction = (typeof STAFF_ACTIONS)[number];
/** Still in someone's hands: what recycling and handover move. */
export const OPEN_STATUSES: readonly LeadStatus[] = ['assigned', 'requested'];

/**
 * A phone number a campaign wants as a WeCom friend. `key` is the phone hash for imported leads and
 * `contact:<id>` for customers who scanned a campaign code without being a known lead (`origin: 'scan'`).
 * The phone is sealed (`phoneEnc`, never selected by default). `attempts` counts assignments; `history`
 * keeps each one with its outcome, so recycling can hand the lead to someone else.
 */
export const leadSchema = new Schema(
  {
    corpId: { type: String, required: true },
    campaignId: { type: String, required: true },
    key: { type: String, required: true },
    origin: { type: String, enum: ['import', 'scan'], required: true, default: 'import' },
    phoneEnc: { type: String, select: false },
    phoneMasked: { type: String, default: '' },
    name: { type: String, default: '' },
    storeHint: { type: String, default: '' },
    city: { type: String, default: '' },
    source: { type: String, default: '' },
    tags: { type: [String], default: [] },
    attributes: { type: Schema.Types.Mixed, default: {} },
    /** The file line of the import row (header = 1). */
    line: { type: Number, default: null },
    status: { type: String, enum: LEAD_STATUSES, required: true, default: 'pool' },
    storeId: { type: String, default: null },
    staffId: { type: String, default: null },
    greeting: { type: String, default: null },
    assignedAt: { type: Date, default: null },
    /** Store-local date (YYYY-MM-DD) of the current assignment: the daily quota counts these. */
    assignedDate: { type: String, default: null },
    firstAssignedAt: { type: Date, default: null },
    attempts: { type: Number, required: true, default: 0 },
    history: {
      type: [{ _id: false, staffId: String, storeId: String, assignedAt: Date, outcome: { type: String, default: null }, at: { type: Date, default: null } }],
      default: [],
    },
    requestedAt: { type: Date, default: null },
    /** When staff reported not_found / refused / wrong_number. */
    closedAt: { type: Date, default: null },
    acceptedAt: { type: Date, default: null },
    acceptedStaffId: { type: String, default: null },
    acceptedStoreId: { type: String, default: null },
    contactId: { type: String, default: null },
    attributedBy: { type: String, enum: ['state', 'remark', 'phone', 'rpa', null], default: null },
    /** An RPA-hosted account sent the request (wechaty `Friendship.add`). */
    rpa: { accountId: { type: String, default: null }, vendorId: { type: String, default: null }, error: { type: String, default: null } },
  },
  { collection: 'leads', timestamps: true, strict: 'throw', minimize: false },
);
// Re-running an import never duplicates: one lead per phone (or scanned contact) and campaign.
leadSchema.index({ corpId: 1, campaignId: 1, key: 1 }, { unique: true });
// The daily assignment: a campaign's pool; recycling: its open assignments by age; funnels: by status.
leadSchema.index({ corpId: 1, campaignId: 1, status: 1, assignedAt: 1 });
// A staff member's leads (the phone page), quota counts per store-local day, handover.
leadSchema.index({ corpId: 1, staffId: 1, status: 1, assignedDate: 1 });
// Attribution by phone across campaigns (remark or contact phone → lead).
leadSchema.index({ corpId: 1, key: 1 });
// Outcomes of accepted leads (a contact's lead, no double counting).
leadSchema.index({ corpId: 1, contactId: 1 });

export type LeadDoc = InferSchemaType<typeof leadSchema>;
