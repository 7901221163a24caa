/**
 * Campaigns: CRUD and status changes, corp-scoped. Campaigns are HQ objects; a store-level scope sees only the
 * campaigns that target its store (or every store), like every other store-scoped read.
 */
import { randomBytes } from 'node:crypto';
import { ConflictError, isDuplicateKeyError, NotFoundError } from '../errors.ts';
import { toObjectId } from '../shared/object-id.ts';
import type { Scope } from '../shared/scope.ts';
import type { CampaignDoc, CampaignStatus, Strategy } from './campaign.schema.ts';
import type { CampaignsModels } from './campaigns.models.ts';

type Row = CampaignDoc & { _id: unknown; createdAt?: Date; updatedAt?: Date };

export function toCampaignDto(c: Row) {
  return {
    id: String(c._id),
    corpId: c.corpId,
    code: c.code,
    name: c.name,
    status: c.status as CampaignStatus,
    storeIds: [...c.storeIds],
    greetings: c.greetings.map((g) => ({ id: g.id, text: g.text ?? '', templateId: g.templateId ?? null, weight: g.weight })),
    experimentId: c.experimentId ?? null,
    dailyQuota: c.dailyQuota,
    workingHours: { start: c.workingHours?.start ?? '09:00', end: c.workingHours?.end ?? '21:00' },
    strategy: c.strategy as Strategy,
    recycle: { afterDays: c.recycle?.afterDays ?? 3, maxAttempts: c.recycle?.maxAttempts ?? 2 },
    costs: { fixed: c.costs?.fixed ?? 0, perLead: c.costs?.perLead ?? 0, perRequest: c.costs?.perRequest ?? 0 },
    rpaAccountIds: [...(c.rpaAccountIds ?? [])],
    startedAt: c.startedAt ?? null,
    endedAt: c.endedAt ?? null,
    createdAt: c.createdAt ?? null,
    updatedAt: c.updatedAt ?? null,
  };
}
export type CampaignDto = ReturnType<typeof toCampaignDto>;

export type CampaignInput = {
  name: string;
  storeIds?: string[];
  greetings?: Array<{ id: string; text?: string; templateId?: string | null; weight?: number }>;
  dailyQuota?: number;
  workingHours?: { start: string; end: string };
  strategy?: Strategy;
  recycle?: { afterDays: number; maxAttempts: number };
  costs?: { fixed?: number; perLead?: number; perRequest?: number };
  rpaAccountIds?: string[];
};

/** Which status a transition needs and gives. */
const TRANSITIONS: Record<'start' | 'pause' | 'end', { from: CampaignStatus[]; to: CampaignStatus }> = {
  start: { from: ['draft', 'paused'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  end: { from: ['draft', 'running', 'paused'], to: 'ended' },
};

export class CampaignRepository {
  constructor(private readonly models: Pick<CampaignsModels, 'Campaign'>) {}

  async create(scope: Scope, input: CampaignInput): Promise<CampaignDto> {
    for (let attempt = 0; ; attempt++) {
      try {
        // 6 base32 characters: `c:<code>:<n>` leaves room for thousands of staff within 30 characters.
        const code = randomBytes(4).readUInt32BE(0).toString(32).padStart(7, '0').slice(-6);
        const doc = await this.models.Campaign.create({ corpId: scope.corpId, code, ...normalize(input) });
        return toCampaignDto(doc.toObject() as Row);
      } catch (err) {
        if (!isDuplicateKeyError(err) || attempt >= 5) throw err;
      }
    }
  }

  async get(scope: Scope, id: string): Promise<CampaignDto> {
    const _id = toObjectId(id);
    const row = _id ? await this.models.Campaign.findOne({ _id, corpId: scope.corpId, ...targetsScope(scope) }).lean<Row>() : null;
    if (!row) throw new NotFoundError('campaign', id);
    return toCampaignDto(row);
  }

  /** The corp of a campaign, whatever the corp (the CLI names a campaign by id only); null when unknown. */
  async corpOf(id: string): Promise<string | null> {
    const _id = toObjectId(id);
    const row = _id ? await this.models.Campaign.findById(_id).select('corpId').lean() : null;
    return row?.corpId ?? null;
  }

  /** Corps with at least one running campaign (the scheduler's tick, across tenants). */
  async corpsWithRunning(): Promise<string[]> {
    return this.models.Campaign.distinct('corpId', { status: 'running' });
  }

  async findByCode(corpId: string, code: string): Promise<CampaignDto | null> {
    const row = await this.models.Campaign.findOne({ corpId, code }).lean<Row>();
    return row ? toCampaignDto(row) : null;
  }

  async list(scope: Scope, filter: { status?: CampaignStatus } = {}): Promise<CampaignDto[]> {
    const rows = await this.models.Campaign.find({ corpId: scope.corpId, ...targetsScope(scope), ...(filter.status ? { status: filter.status } : {}) }).sort({ _id: -1 }).lean<Row[]>();
    return rows.map(toCampaignDto);
  }

  async update(scope: Scope, id: string, patch: Partial<CampaignInput> & { experimentId?: string | null }): Promise<CampaignDto> {
    const current = await this.get(scope, id);
    if (current.status === 'ended') throw new ConflictError(`活动 ${id} 已结束 Campaign ${id} has ended`);
    // Costs are three independent amounts: a PATCH of one keeps the others.
    const merged = patch.costs ? { ...patch, costs: { ...current.costs, ...patch.costs } } : patch;
    await this.models.Campaign.updateOne({ _id: toObjectId(id), corpId: scope.corpId }, { $set: normalize(merged) });
    return this.get(scope, id);
  }

  async transition(scope: Scope, id: string, action: keyof typeof TRANSITIONS, at: Date): Promise<CampaignDto> {
    const { from, to } = TRANSITIONS[action];
    const set: Record<string, unknown> = { status: to };
    if (action === 'end') set.endedAt = at;
    const res = await this.models.Campaign.updateOne({ _id: toObjectId(id), corpId: scope.corpId, status: { $in: from } }, { $set: set });
    const campaign = await this.get(scope, id);
    if (!res.modifiedCount) throw new ConflictError(`活动 ${id} 当前为 ${campaign.status}，不能执行 ${action} Campaign ${id} is ${campaign.status}; cannot ${action}`);
    if (action === 'start' && !campaign.startedAt) {
      await this.models.Campaign.updateOne({ _id: toObjectId(id), corpId: scope.corpId, startedAt: null }, { $set: { startedAt: at } });
      return this.get(scope, id);
    }
    return campaign;
  }
}

/** A store-level scope sees campaigns that name one of its stores, or name none (every store). */
function targetsScope(scope: Scope): Record<string, unknown> {
  if (scope.storeIds === null) return {};
  return { $or: [{ storeIds: { $in: [...scope.storeIds] } }, { storeIds: { $size: 0 } }] };
}

function normalize<T extends Partial<CampaignInput>>(input: T): Record<string, unknown> {
  const out: Record<string, unknown> = { ...input };
  if (input.greetings) out.greetings = input.greetings.map((g) => ({ id: g.id, text: g.text ?? '', templateId: g.templateId ?? null, weight: g.weight ?? 1 }));
  if (input.costs) out.costs = { fixed: input.costs.fixed ?? 0, perLead: input.costs.perLead ?? 0, perRequest: input.costs.perRequest ?? 0 };
  return out;
}
