/**
 * The lead writes of distribution: the daily assignment to staff, recycling, and the RPA account's own
 * requests. Every write is conditional on the status it expects, so two passes never assign one lead twice.
 */
import type { CampaignsModels } from '../campaigns.models.ts';
import { OPEN_STATUSES, type LeadStatus } from '../lead.schema.ts';

type Day = { staffId: string; campaignId: string; day: string };
export type StaffLeadStats = { _id: string; open: number; requested: number; accepted: number };
export type PoolLead = { id: string; storeHint: string | null; historyStaffIds: string[] };

export class LeadAssignmentRepository {
  constructor(private readonly models: Pick<CampaignsModels, 'Lead'>) {}

  /** Leads assigned to these staff on these store-local days, per staff member, campaign and day. */
  async assignedPerDay(corpId: string, staffIds: string[], days: string[]): Promise<Array<{ _id: Day; n: number }>> {
    return this.models.Lead.aggregate<{ _id: Day; n: number }>([
      { $match: { corpId, staffId: { $in: staffIds }, assignedDate: { $in: days } } },
      { $group: { _id: { staffId: '$staffId', campaignId: '$campaignId', day: '$assignedDate' }, n: { $sum: 1 } } },
    ]);
  }

  /** Per staff member: open leads, and how many were ever requested and accepted (the planner's load and rates). */
  async staffStats(corpId: string, staffIds: string[]): Promise<StaffLeadStats[]> {
    return this.models.Lead.aggregate<StaffLeadStats>([
      { $match: { corpId, staffId: { $in: staffIds } } },
      {
        $group: {
          _id: '$staffId',
          open: { $sum: { $cond: [{ $in: ['$status', [...OPEN_STATUSES]] }, 1, 0] } },
          requested: { $sum: { $cond: [{ $ne: ['$requestedAt', null] }, 1, 0] } },
          accepted: { $sum: { $cond: [{ $ne: ['$acceptedAt', null] }, 1, 0] } },
        },
      },
    ]);
  }

  /** The oldest pool leads of a campaign, at most `limit`. */
  async pool(corpId: string, campaignId: string, limit: number): Promise<PoolLead[]> {
    const rows = await this.models.Lead.find({ corpId, campaignId, status: 'pool' }).select('storeHint history.staffId').sort({ _id: 1 }).limit(limit).lean();
    return rows.map((l) => ({ id: String(l._id), storeHint: l.storeHint ?? null, historyStaffIds: (l.history ?? []).map((h) => h.staffId ?? '') }));
  }

  /** Pool → assigned to a staff member; false when the lead left the pool meanwhile. */
  async assign(corpId: string, leadId: string, a: { staffId: string; storeId: string; greeting: string | null; at: Date; day: string | null; first: boolean }): Promise<boolean> {
    const res = await this.models.Lead.updateOne(
      { _id: leadId, corpId, status: 'pool' },
      {
        $set: { status: 'assigned', staffId: a.staffId, storeId: a.storeId, greeting: a.greeting, assignedAt: a.at, assignedDate: a.day },
        $inc: { attempts: 1 },
        $push: { history: { staffId: a.staffId, storeId: a.storeId, assignedAt: a.at, outcome: null, at: null } },
      },
    );
    if (!res.modifiedCount) return false;
    if (a.first) await this.models.Lead.updateOne({ _id: leadId, firstAssignedAt: null }, { $set: { firstAssignedAt: a.at } });
    return true;
  }

  /** Open leads of a campaign assigned at or before `before`. */
  async dueForRecycle(corpId: string, campaignId: string, before: Date): Promise<Array<{ _id: unknown; status: LeadStatus; attempts: number }>> {
    return this.models.Lead.find({ corpId, campaignId, status: { $in: OPEN_STATUSES }, assignedAt: { $lte: before } }).select('status attempts').lean();
  }

  /** Takes an unaccepted lead back: to the pool, or `exhausted` when `done`; false when it changed meanwhile. */
  async recycle(lead: { _id: unknown; status: LeadStatus; attempts: number }, done: boolean, now: Date): Promise<boolean> {
    const last = `history.${lead.attempts - 1}`;
    const res = await this.models.Lead.updateOne(
      { _id: lead._id, status: lead.status, acceptedAt: null },
      { $set: { status: done ? 'exhausted' : 'pool', [`${last}.outcome`]: 'expired', [`${last}.at`]: now, ...(done ? { closedAt: now } : { staffId: null, storeId: null, assignedAt: null, assignedDate: null }) } },
    );
    return res.modifiedCount > 0;
  }

  /** When this RPA account sent its requests since `since` (its pacing). */
  async rpaRequestTimes(corpId: string, accountId: string, since: Date): Promise<Date[]> {
    return (await this.models.Lead.find({ corpId, 'rpa.accountId': accountId, requestedAt: { $gte: since } }).select('requestedAt').lean()).map((l) => l.requestedAt!);
  }

  /** Takes the oldest pool lead of the campaign for an RPA account; null when the pool is empty. */
  async claimForRpa(corpId: string, campaignId: string, accountId: string, staffId: string, now: Date) {
    return this.models.Lead.findOneAndUpdate(
      { corpId, campaignId, status: 'pool' },
      { $set: { status: 'assigned', staffId, storeId: null, assignedAt: now, 'rpa.accountId': accountId }, $inc: { attempts: 1 }, $push: { history: { staffId, storeId: null, assignedAt: now, outcome: null, at: null } } },
      { sort: { _id: 1 }, returnDocument: 'after', projection: { phoneEnc: 1, attempts: 1, firstAssignedAt: 1 } },
    ).lean();
  }

  async update(leadId: unknown, set: Record<string, unknown>): Promise<void> {
    await this.models.Lead.updateOne({ _id: leadId }, { $set: set });
  }

  /** Requested RPA leads whose vendor id is known and that are not accepted yet. */
  async pendingRpa(corpId: string) {
    return this.models.Lead.find({ corpId, status: 'requested', 'rpa.vendorId': { $ne: null }, acceptedAt: null }).select('+phoneEnc rpa requestedAt attempts').lean();
  }

  /** Sets an acceptance once; false when the lead was accepted meanwhile. */
  async acceptOnce(leadId: unknown, set: Record<string, unknown>): Promise<boolean> {
    const res = await this.models.Lead.updateOne({ _id: leadId, acceptedAt: null }, { $set: set });
    return res.modifiedCount > 0;
  }
}
