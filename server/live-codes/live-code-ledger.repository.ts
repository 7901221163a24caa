/**
 * The two ledgers of the add path: attribution rows (one per add event) and welcome rows (one per welcome code).
 * Both are idempotent on a unique key, so a re-processed add event writes nothing new.
 */
import type { Types } from 'mongoose';
import { isDuplicateKeyError } from '../errors.ts';
import type { LiveCodeAddDoc, LiveCodeWelcomeDoc } from './live-code.schema.ts';
import type { LiveCodesModels } from './live-codes.models.ts';

export type LiveCodeAdd = Omit<LiveCodeAddDoc, 'reAdd' | 'confirmsHalf'>;
export type AddRow = LiveCodeAddDoc & { _id: Types.ObjectId };
export type WelcomeRow = LiveCodeWelcomeDoc & { _id: Types.ObjectId };
export type WelcomeOutcome = Pick<LiveCodeWelcomeDoc, 'status'> & Partial<Pick<LiveCodeWelcomeDoc, 'reason' | 'errcode' | 'finishedAt' | 'latencyMs'>>;

export class LiveCodeLedger {
  constructor(private readonly models: Pick<LiveCodesModels, 'LiveCodeAdd' | 'LiveCodeWelcome'>) {}

  /**
   * Records an attributed add. A re-add is an add of a contact who already came in through this code by an earlier
   * event; a second delivery of the same event returns the stored row with `duplicate`.
   */
  async recordAdd(add: LiveCodeAdd): Promise<{ row: AddRow; duplicate: boolean }> {
    const earlier = await this.models.LiveCodeAdd.findOne({ corpId: add.corpId, contactId: add.contactId, liveCodeId: add.liveCodeId, eventKey: { $ne: add.eventKey }, addedAt: { $lte: add.addedAt } })
      .sort({ addedAt: -1, _id: -1 })
      .lean<AddRow>();
    const confirmsHalf = !!earlier?.half && !add.half && earlier.staffUserId === add.staffUserId;
    try {
      const doc = await this.models.LiveCodeAdd.create({ ...add, reAdd: earlier !== null && !confirmsHalf, confirmsHalf });
      return { row: doc.toObject() as AddRow, duplicate: false };
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      const row = await this.models.LiveCodeAdd.findOne({ corpId: add.corpId, eventKey: add.eventKey }).lean<AddRow>();
      if (!row) throw err;
      return { row, duplicate: true };
    }
  }

  /** Adds per staff userid on a code since `since` (today's adds for the daily limit). */
  async addsSince(corpId: string, liveCodeId: string, since: Date): Promise<Map<string, number>> {
    const rows = await this.models.LiveCodeAdd.aggregate<{ _id: string; n: number }>([
      { $match: { corpId, liveCodeId, addedAt: { $gte: since }, confirmsHalf: { $ne: true } } },
      { $group: { _id: '$staffUserId', n: { $sum: 1 } } },
    ]);
    return new Map(rows.map((r) => [r._id, r.n]));
  }

  async listAdds(corpId: string, f: { from: Date; to: Date; liveCodeIds?: string[] }): Promise<AddRow[]> {
    // A confirmation of a half add is the same person as the half add: counted once.
    const where: Record<string, unknown> = { corpId, addedAt: { $gte: f.from, $lt: f.to }, confirmsHalf: { $ne: true } };
    if (f.liveCodeIds) where.liveCodeId = { $in: f.liveCodeIds };
    return this.models.LiveCodeAdd.find(where).sort({ addedAt: 1 }).lean<AddRow[]>();
  }

  /** Every add of these contacts since `since` (a relation's life ends at the pair's next add). */
  async addsOfContacts(corpId: string, contactIds: string[], since: Date): Promise<AddRow[]> {
    const out: AddRow[] = [];
    const ids = [...new Set(contactIds)];
    for (let i = 0; i < ids.length; i += 500) out.push(...(await this.models.LiveCodeAdd.find({ corpId, contactId: { $in: ids.slice(i, i + 500) }, addedAt: { $gte: since }, confirmsHalf: { $ne: true } }).lean<AddRow[]>()));
    return out;
  }

  async addsOfContact(corpId: string, contactId: string): Promise<AddRow[]> {
    return this.models.LiveCodeAdd.find({ corpId, contactId }).sort({ addedAt: 1 }).lean<AddRow[]>();
  }

  /** Claims a welcome code: true for the first caller, false when a row exists (sent, refused, missed or in flight). */
  async claimWelcome(row: Omit<LiveCodeWelcomeDoc, 'finishedAt' | 'latencyMs' | 'reason' | 'errcode'> & { reason?: string | null }): Promise<boolean> {
    try {
      await this.models.LiveCodeWelcome.create(row);
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  async finishWelcome(corpId: string, welcomeCode: string, outcome: WelcomeOutcome): Promise<void> {
    await this.models.LiveCodeWelcome.updateOne({ corpId, welcomeCode }, { $set: outcome });
  }

  /** Whether this code already welcomed this contact (sent, or handed to WeCom by a worker that died). */
  async welcomedBefore(corpId: string, liveCodeId: string, contactId: string): Promise<boolean> {
    return (await this.models.LiveCodeWelcome.exists({ corpId, liveCodeId, contactId, status: { $in: ['sent', 'sending'] } })) !== null;
  }

  async welcomes(corpId: string, f: { liveCodeId?: string; contactId?: string }): Promise<WelcomeRow[]> {
    return this.models.LiveCodeWelcome.find({ corpId, ...f }).sort({ _id: 1 }).lean<WelcomeRow[]>();
  }
}
