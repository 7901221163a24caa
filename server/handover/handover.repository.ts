/**
 * Handover jobs and their customers. Reads take the caller's Scope (a store manager sees the handovers of their
 * store's members); the writes the poller and the transfer_fail handler make act for the corp.
 */
import type { Types } from 'mongoose';
import { NotFoundError } from '../errors.ts';
import { toObjectId } from '../shared/object-id.ts';
import { storeFilter, type Scope } from '../shared/scope.ts';
import type { HandoverDoc, HandoverFailure, HandoverItemDoc } from './handover.schema.ts';
import type { HandoverModels } from './handover.models.ts';

export type HandoverRow = HandoverDoc & { _id: Types.ObjectId; createdAt: Date };
export type HandoverItemRow = HandoverItemDoc & { _id: Types.ObjectId };
export type HandoverGroup = { chatId: string; name: string; toUserId: string; status: 'moved' | 'failed'; errcode: number | null; reason: string | null };
export type NewHandoverItem = Omit<HandoverItemDoc, 'moved' | 'settledAt' | 'takeoverAt' | 'createdAt' | 'updatedAt'> & { takeoverAt?: Date | null; settledAt?: Date | null };

export class HandoverRepository {
  constructor(private readonly models: HandoverModels) {}

  async create(job: Omit<HandoverDoc, 'createdAt' | 'updatedAt' | 'groups' | 'finishedAt' | 'status' | 'nextPollAt'>): Promise<string> {
    const doc = await this.models.Handover.create(job);
    return String(doc._id);
  }

  async get(scope: Scope, id: string): Promise<HandoverRow> {
    const _id = toObjectId(id);
    const row = _id ? await this.models.Handover.findOne({ _id, corpId: scope.corpId, ...storeFilter(scope) }).lean<HandoverRow>() : null;
    if (!row) throw new NotFoundError('handover', id);
    return row;
  }

  async list(scope: Scope, limit = 50): Promise<HandoverRow[]> {
    return this.models.Handover.find({ corpId: scope.corpId, ...storeFilter(scope) }).sort({ _id: -1 }).limit(limit).lean<HandoverRow[]>();
  }

  async update(corpId: string, id: string, set: Partial<Omit<HandoverDoc, 'groups'>> & { groups?: HandoverGroup[] }): Promise<void> {
    await this.models.Handover.updateOne({ _id: toObjectId(id), corpId }, { $set: set });
  }

  async due(corpId: string, now: Date): Promise<HandoverRow[]> {
    return this.models.Handover.find({ corpId, status: 'running', nextPollAt: { $lte: now } }).lean<HandoverRow[]>();
  }

  async insertItems(items: NewHandoverItem[]): Promise<void> {
    if (items.length) await this.models.HandoverItem.insertMany(items);
  }

  async items(corpId: string, handoverId: string, statuses?: HandoverItemDoc['status'][]): Promise<HandoverItemRow[]> {
    return this.models.HandoverItem.find({ corpId, handoverId, ...(statuses ? { status: { $in: statuses } } : {}) }).sort({ _id: 1 }).lean<HandoverItemRow[]>();
  }

  async openCount(corpId: string, handoverId: string): Promise<number> {
    return this.models.HandoverItem.countDocuments({ corpId, handoverId, status: { $in: ['waiting', 'moving'] } });
  }

  /** Per contact, the transfers still counting against WeCom's "twice in 90 days" (在职继承); one query. */
  async recentOnJobTransfers(corpId: string, contactIds: string[], since: Date): Promise<Map<string, number>> {
    const rows = await this.models.HandoverItem.find({ corpId, contactId: { $in: contactIds }, kind: 'on_job', status: { $in: ['waiting', 'moving', 'moved'] }, requestedAt: { $gt: since } }).select('contactId').lean();
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.contactId, (counts.get(r.contactId) ?? 0) + 1);
    return counts;
  }

  /** Settles a customer WeCom refused at request time (errcode kept). */
  async failRequest(corpId: string, handoverId: string, contactId: string, set: { reason: HandoverFailure; errcode: number | null; at: Date }): Promise<void> {
    await this.models.HandoverItem.updateOne({ corpId, handoverId, contactId, status: 'waiting' }, { $set: { status: 'failed', reason: set.reason, errcode: set.errcode, settledAt: set.at } });
  }

  async setTakeover(corpId: string, handoverId: string, contactIds: string[], takeoverAt: Date): Promise<void> {
    await this.models.HandoverItem.updateMany({ corpId, handoverId, contactId: { $in: contactIds }, status: 'waiting' }, { $set: { takeoverAt } });
  }

  /** Claims a waiting customer for the move (one process wins); a `moving` one left by a crash is taken again. */
  async claim(corpId: string, itemId: Types.ObjectId, takeoverAt: Date | null): Promise<boolean> {
    const res = await this.models.HandoverItem.updateOne({ _id: itemId, corpId, status: { $in: ['waiting', 'moving'] } }, { $set: { status: 'moving', takeoverAt } });
    return res.matchedCount > 0;
  }

  async markMoved(corpId: string, itemId: Types.ObjectId, moved: unknown, at: Date): Promise<void> {
    await this.models.HandoverItem.updateOne({ _id: itemId, corpId }, { $set: { status: 'moved', moved, settledAt: at } });
  }

  async markWaiting(corpId: string, itemId: Types.ObjectId, takeoverAt: Date | null): Promise<void> {
    await this.models.HandoverItem.updateOne({ _id: itemId, corpId, status: 'waiting' }, { $set: { takeoverAt } });
  }

  /** Fails a customer still waiting; false when it was already settled (a redelivered transfer_fail). */
  async fail(corpId: string, filter: { _id: Types.ObjectId } | { externalUserId: string; toUserId: string }, reason: HandoverFailure, errcode: number | null, at: Date): Promise<HandoverItemRow | null> {
    return this.models.HandoverItem.findOneAndUpdate(
      { corpId, ...filter, status: 'waiting' },
      { $set: { status: 'failed', reason, errcode, settledAt: at } },
      { returnDocument: 'after', sort: { _id: -1 } },
    ).lean<HandoverItemRow>();
  }

  /** Corps with a running handover, across tenants: the poll job's sweep. */
  async corpsWithRunning(): Promise<string[]> {
    return this.models.Handover.distinct('corpId', { status: 'running' });
  }
}
