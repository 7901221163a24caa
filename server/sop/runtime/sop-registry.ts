/**
 * Published SOPs. Publishing validates the definition (schema and cross-references), writes an immutable version
 * and pins the content template versions it will send. Enable starts enrolling; pause stops new sends at once
 * (scheduled touches are held and runs stop advancing) and resume picks them up again.
 */
import { ValidationError, NotFoundError } from '../../errors.ts';
import type { Database } from '../../db/database.ts';
import type { Clock } from '../../shared/clock.ts';
import { validateSop } from '../definition/sop-loader.ts';
import type { Sop } from '../definition/sop.schema.ts';

export type SopRecord = {
  corpId: string;
  sopId: string;
  name: string;
  status: 'draft' | 'enabled' | 'paused';
  version: number;
  priority: number;
  definition: Sop;
  contentPins: Record<string, number | null>;
};

/** Resolves the published version of each template id; null when the content library does not know it. */
export type ContentPinner = (corpId: string, templateIds: string[]) => Promise<Record<string, number | null>>;

export function templateIdsOf(sop: Sop): string[] {
  const ids = new Set<string>();
  for (const s of sop.steps) {
    if (s.type !== 'send') continue;
    if (s.template) ids.add(s.template);
    for (const v of s.variants ?? []) ids.add(v.template);
  }
  return [...ids];
}

export class SopRegistry {
  constructor(
    private readonly services: { db: Database; clock: Clock },
    private readonly pin: ContentPinner = async (_corp, ids) => Object.fromEntries(ids.map((id) => [id, null])),
  ) {}

  /** Validates and publishes a new version; the SOP keeps its status (a draft stays a draft). */
  async publish(corpId: string, input: unknown, source: 'file' | 'api', by: string | null = null): Promise<SopRecord> {
    const result = validateSop(input, source === 'file' ? '<file>' : 'body');
    if (!result.ok) throw new ValidationError(result.problems.map((p) => ({ path: p.path, message: p.message })), 'invalid SOP definition');
    const sop = result.sop;
    const m = this.services.db.models;
    const now = this.services.clock.now();
    const contentPins = await this.pin(corpId, templateIdsOf(sop));
    const current = await m.Sop.findOne({ corpId, sopId: sop.id }).lean();
    const version = (current?.version ?? 0) + 1;
    await m.SopVersion.create({ corpId, sopId: sop.id, version, definition: sop, contentPins, publishedAt: now, publishedBy: by });
    const triggerEvent = sop.trigger.type === 'event' ? sop.trigger.event : null;
    await m.Sop.updateOne(
      { corpId, sopId: sop.id },
      { $set: { name: sop.name, version, priority: sop.priority, triggerType: sop.trigger.type, triggerEvent, definition: sop, contentPins, source }, $setOnInsert: { status: 'draft' } },
      { upsert: true },
    );
    return this.get(corpId, sop.id);
  }

  async get(corpId: string, sopId: string): Promise<SopRecord> {
    const row = await this.services.db.models.Sop.findOne({ corpId, sopId }).lean();
    if (!row) throw new NotFoundError('SOP', sopId);
    return {
      corpId,
      sopId,
      name: row.name,
      status: row.status,
      version: row.version,
      priority: row.priority,
      definition: row.definition as Sop,
      contentPins: (row.contentPins ?? {}) as Record<string, number | null>,
    };
  }

  async list(corpId: string): Promise<SopRecord[]> {
    const rows = await this.services.db.models.Sop.find({ corpId }).sort({ sopId: 1 }).lean();
    return Promise.all(rows.map((r) => this.get(corpId, r.sopId)));
  }

  async enabledForEvent(corpId: string, event: string): Promise<SopRecord[]> {
    const rows = await this.services.db.models.Sop.find({ corpId, triggerEvent: event }).lean();
    return Promise.all(rows.filter((r) => r.status === 'enabled').map((r) => this.get(corpId, r.sopId)));
  }

  async setStatus(corpId: string, sopId: string, status: 'enabled' | 'paused'): Promise<SopRecord> {
    const m = this.services.db.models;
    const now = this.services.clock.now();
    const res = await m.Sop.updateOne({ corpId, sopId }, { $set: status === 'enabled' ? { status, enabledAt: now, pausedAt: null } : { status, pausedAt: now } });
    if (!res.matchedCount) throw new NotFoundError('SOP', sopId);
    if (status === 'paused') {
      await m.Touch.updateMany({ corpId, sopId, status: 'scheduled' }, { $set: { status: 'held', reason: 'sop_paused' } });
      await m.Enrollment.updateMany({ corpId, sopId, status: 'active' }, { $set: { status: 'paused' } });
    } else {
      await m.Touch.updateMany({ corpId, sopId, status: 'held' }, { $set: { status: 'scheduled', reason: null } });
      await m.Enrollment.updateMany({ corpId, sopId, status: 'paused' }, { $set: { status: 'active' } });
    }
    return this.get(corpId, sopId);
  }
}
