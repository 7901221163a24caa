/**
 * Leads as staff and HQ see them, staff actions, and the handover seam. Every method takes a Scope; store
 * roles only see leads assigned to their store (a lead of another store is "not found").
 */
import { ConflictError, NotFoundError } from '../errors.ts';
import { toObjectId } from '../shared/object-id.ts';
import { storeFilter, type Scope } from '../shared/scope.ts';
import type { OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { CampaignsModels } from './campaigns.models.ts';
import { OPEN_STATUSES, type LeadDoc, type LeadStatus, type StaffAction } from './lead.schema.ts';

type Row = LeadDoc & { _id: unknown };

export function toLeadDto(l: Row) {
  return {
    id: String(l._id),
    campaignId: l.campaignId,
    origin: l.origin,
    phoneMasked: l.phoneMasked,
    name: l.name,
    storeHint: l.storeHint,
    city: l.city,
    source: l.source,
    tags: [...l.tags],
    attributes: (l.attributes ?? {}) as Record<string, string>,
    line: l.line ?? null,
    status: l.status as LeadStatus,
    storeId: l.storeId ?? null,
    staffId: l.staffId ?? null,
    greeting: l.greeting ?? null,
    assignedAt: l.assignedAt ?? null,
    assignedDate: l.assignedDate ?? null,
    attempts: l.attempts,
    requestedAt: l.requestedAt ?? null,
    closedAt: l.closedAt ?? null,
    acceptedAt: l.acceptedAt ?? null,
    acceptedStaffId: l.acceptedStaffId ?? null,
    contactId: l.contactId ?? null,
    attributedBy: l.attributedBy ?? null,
  };
}
export type LeadDto = ReturnType<typeof toLeadDto>;

/** Which status each staff action may come from, and which it gives. */
const ACTION_FROM: Record<StaffAction, LeadStatus[]> = {
  requested: ['assigned', 'requested'],
  not_found: ['assigned', 'requested'],
  refused: ['assigned', 'requested'],
  wrong_number: ['assigned', 'requested'],
};

export class LeadRepository {
  constructor(
    private readonly models: Pick<CampaignsModels, 'Lead'>,
    private readonly clock: Clock,
    private readonly org: Pick<OrgModule, 'getStaff'>,
  ) {}

  async get(scope: Scope, id: string): Promise<LeadDto> {
    const _id = toObjectId(id);
    const row = _id ? await this.models.Lead.findOne({ _id, corpId: scope.corpId, ...storeFilter(scope) }).lean<Row>() : null;
    if (!row) throw new NotFoundError('lead', id);
    return toLeadDto(row);
  }

  /** A campaign's leads, newest first, optionally of one status; store roles see their store's. */
  async list(scope: Scope, campaignId: string, filter: { status?: LeadStatus; limit: number; cursor?: string }): Promise<{ items: LeadDto[]; nextCursor: string | null }> {
    const cursorId = filter.cursor ? toObjectId(filter.cursor) : null;
    const rows = await this.models.Lead.find({ corpId: scope.corpId, campaignId, ...storeFilter(scope), ...(filter.status ? { status: filter.status } : {}), ...(cursorId ? { _id: { $lt: cursorId } } : {}) })
      .sort({ _id: -1 })
      .limit(filter.limit + 1)
      .lean<Row[]>();
    const items = rows.slice(0, filter.limit).map(toLeadDto);
    return { items, nextCursor: rows.length > filter.limit ? items[items.length - 1]!.id : null };
  }

  /** The staff member's leads to work: open ones (any day, oldest first), then today's closed ones. */
  async forStaff(scope: Scope, staffId: string, today: string): Promise<LeadDto[]> {
    const rows = await this.models.Lead.find({
      corpId: scope.corpId,
      staffId,
      ...storeFilter(scope),
      $or: [{ status: { $in: OPEN_STATUSES } }, { assignedDate: today }],
    })
      .sort({ assignedAt: 1, _id: 1 })
      .limit(500)
      .lean<Row[]>();
    return rows.map(toLeadDto);
  }

  /** The sealed phone of one of the staff member's own leads (tap-to-copy fetches it on demand). */
  async sealedPhoneForStaff(scope: Scope, staffId: string, id: string): Promise<string> {
    const _id = toObjectId(id);
    const row = _id ? await this.models.Lead.findOne({ _id, corpId: scope.corpId, staffId, ...storeFilter(scope) }).select('+phoneEnc').lean() : null;
    if (!row?.phoneEnc) throw new NotFoundError('lead', id);
    return row.phoneEnc;
  }

  /** Records what the staff member did with one of their leads; repeating an action is a no-op. */
  async act(scope: Scope, staffId: string, id: string, action: StaffAction): Promise<LeadDto> {
    const current = await this.get(scope, id);
    if (current.staffId !== staffId) throw new NotFoundError('lead', id);
    if (current.status === action) return current;
    if (!ACTION_FROM[action].includes(current.status)) throw new ConflictError(`线索 ${id} 当前为 ${current.status}，不能标记为 ${action} Lead ${id} is ${current.status}; cannot mark it ${action}`);
    const now = this.clock.now();
    const set: Record<string, unknown> = { status: action, [`history.${current.attempts - 1}.outcome`]: action, [`history.${current.attempts - 1}.at`]: now };
    if (action === 'requested') set.requestedAt = now;
    else set.closedAt = now;
    const res = await this.models.Lead.updateOne({ _id: toObjectId(id), corpId: scope.corpId, staffId, status: current.status }, { $set: set });
    if (!res.modifiedCount) throw new ConflictError(`线索 ${id} 已被修改，请刷新 Lead ${id} changed meanwhile; reload`);
    return this.get(scope, id);
  }

  /**
   * Handover: moves a staff member's open lead assignments (assigned, requested) to another staff member of
   * the scope, keeping when they were assigned (recycling timing is unchanged). With `contactIds`, only leads
   * already linked to one of those contacts move. Returns how many moved.
   */
  async reassignLeads(scope: Scope, input: { fromStaffId: string; toStaffId: string; contactIds?: readonly string[] }): Promise<{ moved: number }> {
    // Another store's member is "not found" for a store-scoped caller.
    const to = await this.org.getStaff(scope, input.toStaffId);
    const where = { corpId: scope.corpId, staffId: input.fromStaffId, status: { $in: OPEN_STATUSES }, ...storeFilter(scope), ...(input.contactIds ? { contactId: { $in: [...input.contactIds] } } : {}) };
    const res = await this.models.Lead.updateMany(where, { $set: { staffId: input.toStaffId, storeId: to.storeId } });
    return { moved: res.modifiedCount };
  }

  /** What the funnel counts of a campaign's leads; store roles see the leads their store worked (assigned or accepted there). */
  async funnelRows(scope: Scope, campaignId: string) {
    const stores = scope.storeIds === null ? {} : { $or: [storeFilter(scope, 'storeId'), storeFilter(scope, 'acceptedStoreId')] };
    return this.models.Lead.find({ corpId: scope.corpId, campaignId, ...stores })
      .select('origin storeId staffId acceptedStoreId acceptedStaffId greeting source firstAssignedAt requestedAt acceptedAt contactId')
      .lean();
  }

  /**
   * Writes imported leads in one unordered batch; phones already in the campaign are refused by the unique index
   * (corpId, campaignId, key). Returns how many were written.
   */
  async insertImported(docs: Array<Record<string, unknown>>): Promise<number> {
    if (!docs.length) return 0;
    try {
      // The driver directly: mongoose's insertMany would cast and copy every document once more.
      const res = await this.models.Lead.collection.insertMany(docs, { ordered: false });
      return res.insertedCount;
    } catch (err) {
      // Phones already in the campaign (a re-run, a concurrent import): the unique index refused them.
      type WriteError = { code?: number; err?: { code?: number } };
      const e = err as { writeErrors?: WriteError[] | WriteError };
      const writeErrors: WriteError[] = Array.isArray(e.writeErrors) ? e.writeErrors : e.writeErrors ? [e.writeErrors] : [];
      if (!writeErrors.length || !writeErrors.every((w) => (w.code ?? w.err?.code) === 11000)) throw err;
      return docs.length - writeErrors.length;
    }
  }

  /** The leads that became this contact, newest first, within the caller's stores (customer detail; `corpId, contactId` index). */
  async forContact(scope: Scope, contactId: string): Promise<LeadDto[]> {
    const rows = await this.models.Lead.find({ corpId: scope.corpId, contactId, ...storeFilter(scope) }).sort({ _id: -1 }).limit(20).lean<Row[]>();
    return rows.map(toLeadDto);
  }
}
