/**
 * Published SOPs and their versions (`sops`, `sop_versions`): the registry publishes and changes status through
 * here; the runner and dispatcher read a record's status, definition and pins.
 */
import type { SopModels } from './sop.models.ts';
import type { SopRecordDoc, SopRecordRow } from './sop-record.schema.ts';

export type PublishedFields = Pick<SopRecordDoc, 'name' | 'version' | 'priority' | 'triggerType' | 'triggerEvent' | 'definition' | 'contentPins' | 'source'>;


export class SopRecordRepository {
  constructor(
    private readonly Sop: SopModels['Sop'],
    private readonly SopVersion: SopModels['SopVersion'],
  ) {}

  async find(corpId: string, sopId: string): Promise<SopRecordRow | null> {
    return this.Sop.findOne({ corpId, sopId }).lean<SopRecordRow>();
  }

  async list(corpId: string): Promise<SopRecordRow[]> {
    return this.Sop.find({ corpId }).sort({ sopId: 1 }).lean<SopRecordRow[]>();
  }

  async listenersOf(corpId: string, event: string): Promise<SopRecordRow[]> {
    return this.Sop.find({ corpId, triggerEvent: event }).lean<SopRecordRow[]>();
  }

  /** The content versions an SOP was published with. */
  async contentPins(corpId: string, sopId: string): Promise<Record<string, number | null>> {
    return ((await this.Sop.findOne({ corpId, sopId }).select('contentPins').lean())?.contentPins ?? {}) as Record<string, number | null>;
  }

  async enabledAt(corpId: string, sopId: string): Promise<Date | null> {
    return (await this.Sop.findOne({ corpId, sopId }).select('enabledAt').lean())?.enabledAt ?? null;
  }

  /** SOP names by id (sidebar). */
  async names(corpId: string, sopIds: readonly string[]): Promise<Map<string, string>> {
    if (!sopIds.length) return new Map();
    const rows = await this.Sop.find({ corpId, sopId: { $in: sopIds } }).select('sopId name').lean();
    return new Map(rows.map((s) => [s.sopId, s.name]));
  }

  /** Writes an immutable version and makes it the record's current one (a new record starts as a draft). */
  async publish(corpId: string, sopId: string, fields: PublishedFields, by: { at: Date; by: string | null }): Promise<void> {
    await this.SopVersion.create({ corpId, sopId, version: fields.version, definition: fields.definition, contentPins: fields.contentPins, publishedAt: by.at, publishedBy: by.by });
    await this.Sop.updateOne({ corpId, sopId }, { $set: fields, $setOnInsert: { status: 'draft' } }, { upsert: true });
  }

  /** False when the SOP does not exist. */
  async setStatus(corpId: string, sopId: string, status: 'enabled' | 'paused', at: Date): Promise<boolean> {
    const res = await this.Sop.updateOne({ corpId, sopId }, { $set: status === 'enabled' ? { status, enabledAt: at, pausedAt: null } : { status, pausedAt: at } });
    return res.matchedCount > 0;
  }
}
