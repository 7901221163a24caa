/** Live codes: every read takes a Scope; store-level roles see the codes that involve their store. */
import { randomBytes } from 'node:crypto';
import type { Types } from 'mongoose';
import { NotFoundError } from '../errors.ts';
import { toObjectId } from '../shared/object-id.ts';
import type { Scope } from '../shared/scope.ts';
import type { LiveCodeDoc } from './live-code.schema.ts';
import type { LiveCodesModels } from './live-codes.models.ts';

type Row = LiveCodeDoc & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };
export type StaffRef = { staffId: string; userId: string; storeId: string };

/** Our prefix in WeCom's `state`; add-friend campaigns use `c:`. */
export const STATE_PREFIX = 'lc:';
const STATE_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** `lc:` + 10 characters (13 of WeCom's 30): short enough to survive any reasonable rewrite, 50 bits of randomness. */
export function newState(): string {
  return STATE_PREFIX + [...randomBytes(10)].map((b) => STATE_ALPHABET[b % STATE_ALPHABET.length]).join('');
}

const refs = (list: ReadonlyArray<{ staffId: string; userId: string; storeId: string }> | null | undefined): StaffRef[] =>
  (list ?? []).map((s) => ({ staffId: s.staffId, userId: s.userId, storeId: s.storeId }));

export function toLiveCodeDto(r: Row) {
  return {
    id: String(r._id),
    corpId: r.corpId,
    accountId: r.accountId,
    name: r.name,
    channel: r.channel,
    mode: r.mode,
    storeId: r.storeId ?? null,
    storeIds: r.storeIds ?? [],
    staff: refs(r.staff),
    fallback: refs(r.fallback),
    dailyAddLimit: r.dailyAddLimit ?? null,
    dutyHours: r.dutyHours?.from && r.dutyHours.to ? { from: r.dutyHours.from, to: r.dutyHours.to } : null,
    tagIds: r.tagIds ?? [],
    welcome: r.welcome?.templateId
      ? {
          templateId: r.welcome.templateId,
          version: r.welcome.version ?? null,
          experimentId: r.welcome.experimentId ?? null,
          variants: (r.welcome.variants ?? []).map((v) => ({ id: v.id ?? '', templateId: v.templateId ?? '', version: v.version ?? 0, weight: v.weight ?? 0 })),
        }
      : null,
    staffDefault: r.staffDefault ?? false,
    skipVerify: r.skipVerify ?? true,
    expiresAt: r.expiresAt ?? null,
    status: r.status,
    state: r.state,
    configId: r.configId,
    qrCode: r.qrCode,
    activeUserIds: r.activeUserIds ?? [],
    rotation: r.rotation ?? 0,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    disabledAt: r.disabledAt ?? null,
  };
}
export type LiveCodeDto = ReturnType<typeof toLiveCodeDto>;

export type NewLiveCode = Omit<LiveCodeDto, 'id' | 'createdAt' | 'updatedAt' | 'disabledAt' | 'rotation' | 'status'>;
export type LiveCodePatch = Partial<Pick<LiveCodeDto, 'name' | 'staff' | 'fallback' | 'storeIds' | 'dailyAddLimit' | 'dutyHours' | 'tagIds' | 'welcome' | 'staffDefault' | 'skipVerify' | 'expiresAt' | 'activeUserIds'>>;
export type LiveCodeFilter = { channel?: string; status?: string; storeId?: string };

function scopeFilter(scope: Scope): Record<string, unknown> {
  return scope.storeIds === null ? { corpId: scope.corpId } : { corpId: scope.corpId, storeIds: { $in: scope.storeIds } };
}

export class LiveCodeRepository {
  constructor(private readonly models: Pick<LiveCodesModels, 'LiveCode'>) {}

  async create(code: NewLiveCode): Promise<LiveCodeDto> {
    const doc = await this.models.LiveCode.create({ ...code, status: 'active', rotation: 0 });
    return toLiveCodeDto(doc.toObject() as Row);
  }

  async get(scope: Scope, id: string): Promise<LiveCodeDto> {
    const _id = toObjectId(id);
    const row = _id ? await this.models.LiveCode.findOne({ _id, ...scopeFilter(scope) }).lean<Row>() : null;
    if (!row) throw new NotFoundError('live code', id);
    return toLiveCodeDto(row);
  }

  async list(scope: Scope, f: LiveCodeFilter = {}): Promise<LiveCodeDto[]> {
    const where: Record<string, unknown> = { ...scopeFilter(scope) };
    if (f.channel) where.channel = f.channel;
    if (f.status) where.status = f.status;
    if (f.storeId) where.storeIds = scope.storeIds === null ? f.storeId : { $in: scope.storeIds.filter((s) => s === f.storeId) };
    const rows = await this.models.LiveCode.find(where).sort({ _id: -1 }).limit(1000).lean<Row[]>();
    return rows.map(toLiveCodeDto);
  }

  async update(scope: Scope, id: string, patch: LiveCodePatch): Promise<LiveCodeDto> {
    const _id = toObjectId(id);
    const row = _id ? await this.models.LiveCode.findOneAndUpdate({ _id, ...scopeFilter(scope) }, { $set: patch }, { returnDocument: 'after' }).lean<Row>() : null;
    if (!row) throw new NotFoundError('live code', id);
    return toLiveCodeDto(row);
  }

  async setStatus(corpId: string, id: string, status: 'disabled' | 'expired', at: Date): Promise<LiveCodeDto | null> {
    const row = await this.models.LiveCode.findOneAndUpdate({ _id: toObjectId(id), corpId, status: 'active' }, { $set: { status, disabledAt: at } }, { returnDocument: 'after' }).lean<Row>();
    return row ? toLiveCodeDto(row) : null;
  }

  async setActiveUsers(corpId: string, id: string, userIds: string[]): Promise<void> {
    await this.models.LiveCode.updateOne({ _id: toObjectId(id), corpId }, { $set: { activeUserIds: userIds } });
  }

  /** Counts one more add on a rotating code and returns the new count (atomic, so concurrent adds each move it). */
  async bumpRotation(corpId: string, id: string): Promise<number> {
    const row = await this.models.LiveCode.findOneAndUpdate({ _id: toObjectId(id), corpId }, { $inc: { rotation: 1 } }, { returnDocument: 'after' }).lean<Row>();
    return row?.rotation ?? 0;
  }

  // ─── The add path (corp-wide: callbacks act for the corp) ───

  async findByState(corpId: string, state: string): Promise<LiveCodeDto | null> {
    const row = await this.models.LiveCode.findOne({ corpId, state }).lean<Row>();
    return row ? toLiveCodeDto(row) : null;
  }

  async findByConfigId(corpId: string, configId: string): Promise<LiveCodeDto | null> {
    const row = await this.models.LiveCode.findOne({ corpId, configId }).lean<Row>();
    return row ? toLiveCodeDto(row) : null;
  }

  /** The staff member's own code (`staffDefault`), oldest first when HQ made several. */
  async findStaffDefault(corpId: string, userId: string): Promise<LiveCodeDto | null> {
    const row = await this.models.LiveCode.findOne({ corpId, staffDefault: true, status: 'active', 'staff.userId': userId }).sort({ _id: 1 }).lean<Row>();
    return row ? toLiveCodeDto(row) : null;
  }

  async findStoreCode(corpId: string, storeId: string): Promise<LiveCodeDto | null> {
    const row = await this.models.LiveCode.findOne({ corpId, channel: 'store', storeId, status: 'active' }).lean<Row>();
    return row ? toLiveCodeDto(row) : null;
  }

  async listActiveStoreCodes(corpId: string): Promise<LiveCodeDto[]> {
    const rows = await this.models.LiveCode.find({ corpId, channel: 'store', status: 'active' }).lean<Row[]>();
    return rows.map(toLiveCodeDto);
  }

  /** Active codes past their expiry, for the sweep. */
  async listExpired(corpId: string, now: Date): Promise<LiveCodeDto[]> {
    const rows = await this.models.LiveCode.find({ corpId, status: 'active', expiresAt: { $ne: null, $lte: now } }).lean<Row[]>();
    return rows.map(toLiveCodeDto);
  }

  /** Corps with an active code, across tenants: the refresh job's sweep. */
  async corpsWithActiveCodes(): Promise<string[]> {
    return this.models.LiveCode.distinct('corpId', { status: 'active' });
  }
}
