/**
 * Published SOPs. Publishing validates the definition (schema and cross-references), writes an immutable version
 * and pins the content template versions it will send. Enable starts enrolling; pause stops new sends at once
 * (scheduled touches are held and runs stop advancing) and resume picks them up again.
 */
import { ValidationError, NotFoundError } from '../../errors.ts';
import type { Clock } from '../../shared/clock.ts';
import type { SopLedger } from '../ledger/index.ts';
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

/** What follows a publish or an enable: the SOP's A/B steps get their experiments (idempotent). */
export type PublishHook = (sop: SopRecord) => Promise<unknown>;

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
    private readonly services: { ledger: Pick<SopLedger, 'sops' | 'touches' | 'runs'>; clock: Clock },
    private readonly pin: ContentPinner = async (_corp, ids) => Object.fromEntries(ids.map((id) => [id, null])),
    private readonly onPublish: PublishHook = async () => undefined,
  ) {}

  /**
   * Validates and publishes a new version; the SOP keeps its status (a draft stays a draft). `check` runs on
   * the valid definition before anything is written (the API's template and tag checks) and may refuse it.
   */
  async publish(corpId: string, input: unknown, source: 'file' | 'api', by: string | null = null, check?: (sop: Sop) => Promise<unknown>): Promise<SopRecord> {
    const result = validateSop(input, source === 'file' ? '<file>' : 'body');
    if (!result.ok) throw new ValidationError(result.problems.map((p) => ({ path: p.path, message: p.message })), `SOP 定义无效 Invalid SOP definition:\n${result.problems.map((p) => `${p.path}: ${p.message}`).join('\n')}`);
    const sop = result.sop;
    await check?.(sop);
    const { sops } = this.services.ledger;
    const now = this.services.clock.now();
    const contentPins = await this.pin(corpId, templateIdsOf(sop));
    const current = await sops.find(corpId, sop.id);
    const version = (current?.version ?? 0) + 1;
    const triggerEvent = sop.trigger.type === 'event' ? sop.trigger.event : null;
    await sops.publish(corpId, sop.id, { name: sop.name, version, priority: sop.priority, triggerType: sop.trigger.type, triggerEvent, definition: sop, contentPins, source }, { at: now, by });
    const record = await this.get(corpId, sop.id);
    await this.onPublish(record);
    return record;
  }

  async get(corpId: string, sopId: string): Promise<SopRecord> {
    const row = await this.services.ledger.sops.find(corpId, sopId);
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
    const rows = await this.services.ledger.sops.list(corpId);
    return Promise.all(rows.map((r) => this.get(corpId, r.sopId)));
  }

  async enabledForEvent(corpId: string, event: string): Promise<SopRecord[]> {
    const rows = await this.services.ledger.sops.listenersOf(corpId, event);
    return Promise.all(rows.filter((r) => r.status === 'enabled').map((r) => this.get(corpId, r.sopId)));
  }

  async setStatus(corpId: string, sopId: string, status: 'enabled' | 'paused'): Promise<SopRecord> {
    const { sops, touches, runs } = this.services.ledger;
    if (!(await sops.setStatus(corpId, sopId, status, this.services.clock.now()))) throw new NotFoundError('SOP', sopId);
    if (status === 'paused') {
      await touches.holdForSop(corpId, sopId);
      await runs.pauseSop(corpId, sopId);
    } else {
      await touches.resumeForSop(corpId, sopId);
      await runs.resumeSop(corpId, sopId);
    }
    const record = await this.get(corpId, sopId);
    // Versions published before experiments followed publishing get theirs when enabled.
    if (status === 'enabled') await this.onPublish(record);
    return record;
  }
}
