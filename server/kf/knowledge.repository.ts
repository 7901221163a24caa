/**
 * Knowledge entries and their versions. An edit that changes what an entry says writes version N+1 and keeps
 * version N as it was, so a past answer (entry id + version) can always be shown as sent.
 */
import { isValidObjectId, type Types } from 'mongoose';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { Clock } from '../shared/clock.ts';
import type { ATTACHMENT_TYPES, KfModels } from './kf.models.ts';
import type { MatchableEntry } from './matcher/knowledge-matcher.ts';

export type KnowledgeAttachment = { type: (typeof ATTACHMENT_TYPES)[number]; mediaId?: string; url?: string; title?: string; appid?: string; pagepath?: string };
export type KnowledgeAnswer = { text: string; attachments: KnowledgeAttachment[] };
/** An A/B variant of the answer's text (the attachments stay the entry's). */
export type KnowledgeVariant = { key: string; answer: string };
/** What a caller writes; the optional fields keep their defaults (or, on an edit, their current value). */
export type KnowledgeInput = {
  question: string;
  similar?: string[];
  answer: { text: string; attachments?: KnowledgeAttachment[] };
  category?: string;
  storeIds?: string[];
  tagIds?: string[];
  enabled?: boolean;
  /** Two or more to A/B test the answer; an empty list ends the test. */
  variants?: KnowledgeVariant[];
};
export type KnowledgePatch = Partial<KnowledgeInput>;

export type KnowledgeDto = {
  id: string;
  question: string;
  similar: string[];
  answer: KnowledgeAnswer;
  category: string;
  storeIds: string[];
  tagIds: string[];
  variants: KnowledgeVariant[];
  enabled: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
};
export type KnowledgeVersionDto = Omit<KnowledgeDto, 'enabled' | 'updatedAt'> & { createdBy: string };
export type KnowledgeFilter = { category?: string; enabled?: boolean; search?: string; page: number; pageSize: number };
export type KnowledgePage = { items: KnowledgeDto[]; total: number; page: number; pageSize: number };

type Content = Pick<KnowledgeDto, 'question' | 'similar' | 'answer' | 'category' | 'storeIds' | 'tagIds' | 'variants'>;
type EntryRow = Content & { _id: Types.ObjectId; enabled: boolean; version: number; createdAt: Date; updatedAt: Date };

export class KnowledgeRepository {
  constructor(
    private readonly models: Pick<KfModels, 'KnowledgeEntry' | 'KnowledgeVersion' | 'KfEntryAsk'>,
    private readonly clock: Clock,
  ) {}

  async create(corpId: string, input: KnowledgeInput, actor: string): Promise<KnowledgeDto> {
    const content = contentOf(input);
    await this.refuseDuplicate(corpId, content.question);
    const now = this.clock.now();
    const doc = await this.models.KnowledgeEntry.create({ corpId, ...content, enabled: input.enabled ?? true, version: 1, createdAt: now, updatedAt: now });
    await this.models.KnowledgeVersion.create({ corpId, entryId: String(doc._id), version: 1, ...content, createdAt: now, createdBy: actor });
    return dto(doc.toObject() as EntryRow);
  }

  async get(corpId: string, id: string): Promise<KnowledgeDto> {
    const row = isValidObjectId(id) ? await this.models.KnowledgeEntry.findOne({ corpId, _id: id, deletedAt: null }).lean<EntryRow>() : null;
    if (!row) throw new NotFoundError('knowledge entry', id);
    return dto(row);
  }

  /** A live entry with this standard question, if any (the import updates it instead of adding a twin). */
  async findByQuestion(corpId: string, question: string): Promise<KnowledgeDto | null> {
    const row = await this.models.KnowledgeEntry.findOne({ corpId, question: question.trim(), deletedAt: null }).lean<EntryRow>();
    return row ? dto(row) : null;
  }

  async list(corpId: string, f: KnowledgeFilter): Promise<KnowledgePage> {
    const q: Record<string, unknown> = { corpId, deletedAt: null };
    if (f.category !== undefined) q.category = f.category;
    if (f.enabled !== undefined) q.enabled = f.enabled;
    if (f.search) {
      const re = new RegExp(f.search.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
      q.$or = [{ question: re }, { similar: re }, { 'answer.text': re }];
    }
    const [rows, total] = await Promise.all([
      this.models.KnowledgeEntry.find(q).sort({ _id: -1 }).skip((f.page - 1) * f.pageSize).limit(f.pageSize).lean<EntryRow[]>(),
      this.models.KnowledgeEntry.countDocuments(q),
    ]);
    return { items: rows.map(dto), total, page: f.page, pageSize: f.pageSize };
  }

  /**
   * Applies the patch; when what the entry says changes, that is version N+1 (the update is conditional on N,
   * so of two concurrent edits one gets a ConflictError). Only `enabled` changing writes no version.
   */
  async update(corpId: string, id: string, patch: KnowledgePatch, actor: string): Promise<KnowledgeDto> {
    const current = await this.get(corpId, id);
    const next = contentOf({ ...current, ...patch, answer: patch.answer ?? current.answer });
    if (next.question !== current.question) await this.refuseDuplicate(corpId, next.question, id);
    const changed = JSON.stringify(next) !== JSON.stringify(contentOf(current));
    const enabled = patch.enabled ?? current.enabled;
    if (!changed && enabled === current.enabled) return current;
    const now = this.clock.now();
    const version = changed ? current.version + 1 : current.version;
    const res = await this.models.KnowledgeEntry.updateOne({ corpId, _id: id, deletedAt: null, version: current.version }, { $set: { ...next, enabled, version, updatedAt: now } });
    if (!res.matchedCount) throw new ConflictError('知识条目已被他人修改，请刷新后重试 The entry was changed meanwhile: reload and retry');
    if (changed) await this.models.KnowledgeVersion.create({ corpId, entryId: id, version, ...next, createdAt: now, createdBy: actor });
    return this.get(corpId, id);
  }

  /** Enables or disables many entries at once (no new versions: what they say is unchanged). */
  async setEnabled(corpId: string, ids: readonly string[], enabled: boolean): Promise<{ matched: number; modified: number }> {
    const valid = ids.filter((id) => isValidObjectId(id));
    const res = await this.models.KnowledgeEntry.updateMany({ corpId, _id: { $in: valid }, deletedAt: null }, { $set: { enabled, updatedAt: this.clock.now() } });
    return { matched: res.matchedCount, modified: res.modifiedCount };
  }

  /** Soft delete: its versions stay, so past answers still resolve. */
  async remove(corpId: string, id: string): Promise<void> {
    const res = isValidObjectId(id) ? await this.models.KnowledgeEntry.updateOne({ corpId, _id: id, deletedAt: null }, { $set: { deletedAt: this.clock.now() } }) : null;
    if (!res?.matchedCount) throw new NotFoundError('knowledge entry', id);
  }

  /** What the entry said at `version` (deleted entries included). */
  async version(corpId: string, id: string, version: number): Promise<KnowledgeVersionDto> {
    const row = await this.models.KnowledgeVersion.findOne({ corpId, entryId: id, version }).lean();
    if (!row) throw new NotFoundError('knowledge version', `${id}@${version}`);
    const answer = row.answer as KnowledgeAnswer;
    return { id, version: row.version, question: row.question, similar: [...row.similar], answer: { text: answer.text, attachments: [...(answer.attachments ?? [])] }, category: row.category ?? '', storeIds: [...row.storeIds], tagIds: [...row.tagIds], variants: variantsOf(row.variants), createdAt: row.createdAt, createdBy: row.createdBy };
  }

  /** Every live entry, oldest first (export). */
  async all(corpId: string): Promise<KnowledgeDto[]> {
    return (await this.models.KnowledgeEntry.find({ corpId, deletedAt: null }).sort({ _id: 1 }).lean<EntryRow[]>()).map(dto);
  }

  /** Live, enabled entries as the matcher indexes them. */
  async matchables(corpId: string): Promise<MatchableEntry[]> {
    const rows = await this.models.KnowledgeEntry.find({ corpId, deletedAt: null, enabled: true }, { question: 1, similar: 1, answer: 1, storeIds: 1, tagIds: 1, version: 1 }).lean<EntryRow[]>();
    return rows.map((r) => ({ id: String(r._id), version: r.version, question: r.question, similar: r.similar, answer: r.answer.text, storeIds: r.storeIds, tagIds: r.tagIds }));
  }

  /** Counts one answer of the entry (matched or clicked) on the day of `at`. */
  async countAsked(corpId: string, entryId: string, at: Date): Promise<void> {
    await this.models.KfEntryAsk.updateOne({ corpId, day: utcDay(at), entryId }, { $inc: { count: 1 } }, { upsert: true });
  }

  /**
   * The greeting menu: live, enabled entries most answered on the UTC days since `since`, the most asked first
   * (ties: newest entry first), filled up with the newest entries when fewer were asked.
   */
  async mostAsked(corpId: string, since: Date, limit: number): Promise<KnowledgeDto[]> {
    const asked = await this.models.KfEntryAsk.aggregate<{ _id: string; n: number }>([{ $match: { corpId, day: { $gte: utcDay(since) } } }, { $group: { _id: '$entryId', n: { $sum: '$count' } } }]);
    const counts = new Map(asked.map((a) => [a._id, a.n]));
    const ids = [...counts.keys()].filter((id) => isValidObjectId(id));
    const rows = ids.length ? await this.models.KnowledgeEntry.find({ corpId, _id: { $in: ids }, deletedAt: null, enabled: true }).lean<EntryRow[]>() : [];
    const top = rows.map(dto).sort((a, b) => counts.get(b.id)! - counts.get(a.id)! || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).slice(0, limit);
    if (top.length >= limit) return top;
    const newest = await this.list(corpId, { enabled: true, page: 1, pageSize: limit + top.length });
    const seen = new Set(top.map((e) => e.id));
    return [...top, ...newest.items.filter((e) => !seen.has(e.id))].slice(0, limit);
  }

  private async refuseDuplicate(corpId: string, question: string, exceptId?: string): Promise<void> {
    const twin = await this.findByQuestion(corpId, question);
    if (twin && twin.id !== exceptId) throw new ConflictError(`标准问题已存在 A live entry already asks this question`, { id: twin.id });
  }

  /**
   * The category each version of these entries had (`entryId@version` → category), deleted entries included:
   * what a past answer was about stays what it was when it was sent.
   */
  async versionCategories(corpId: string, entryIds: readonly string[]): Promise<Map<string, string>> {
    const rows = entryIds.length ? await this.models.KnowledgeVersion.find({ corpId, entryId: { $in: [...entryIds] } }, { entryId: 1, version: 1, category: 1 }).lean() : [];
    return new Map(rows.map((r) => [`${r.entryId}@${r.version}`, r.category ?? '']));
  }
}

/** Trimmed, paraphrases de-duplicated (and never the standard question itself). */
function contentOf(input: KnowledgeInput | Content): Content {
  const question = input.question.trim();
  const similar = [...new Set((input.similar ?? []).map((s) => s.trim()).filter((s) => s && s !== question))];
  return {
    question,
    similar,
    answer: { text: input.answer.text.trim(), attachments: (input.answer.attachments ?? []).map((a) => ({ ...a })) },
    category: (input.category ?? '').trim(),
    storeIds: [...(input.storeIds ?? [])],
    tagIds: [...(input.tagIds ?? [])],
    variants: (input.variants ?? []).map((v) => ({ key: v.key.trim(), answer: v.answer.trim() })),
  };
}

function variantsOf(rows: ReadonlyArray<{ key: string; answer: string }> | undefined): KnowledgeVariant[] {
  return (rows ?? []).map((v) => ({ key: v.key, answer: v.answer }));
}

const utcDay = (at: Date) => at.toISOString().slice(0, 10);

function dto(r: EntryRow): KnowledgeDto {
  return {
    id: String(r._id),
    question: r.question,
    similar: [...r.similar],
    answer: { text: r.answer.text, attachments: (r.answer.attachments ?? []).map((a) => ({ ...a })) },
    category: r.category ?? '',
    storeIds: [...r.storeIds],
    tagIds: [...r.tagIds],
    variants: variantsOf(r.variants),
    enabled: r.enabled,
    version: r.version,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}
