/**
 * Corps, stores and staff. Stores and staff are soft-deleted (stores get deletedAt, staff become resigned):
 * contacts, follows and history keep pointing at them.
 */
import type { Types } from 'mongoose';
import { ConflictError, NotFoundError, isDuplicateKeyError } from '../errors.ts';
import { canSeeStore, storeFilter, type Scope } from '../shared/scope.ts';
import { toObjectId } from '../shared/object-id.ts';
import type { OrgModels } from './org.models.ts';
import type { StaffDoc } from './staff.schema.ts';
import { STORE_POLICY_DEFAULTS, type StoreDoc } from './store.schema.ts';
import { DEFAULT_TIMEZONE, zoneOf } from './timezone.ts';

type StoreRow = StoreDoc & { _id: Types.ObjectId };
type StaffRow = StaffDoc & { _id: Types.ObjectId };

export const toStoreDto = (s: StoreRow) => ({
  id: String(s._id),
  corpId: s.corpId,
  code: s.code,
  name: s.name,
  city: s.city,
  region: s.region,
  timezone: s.timezone,
  address: s.address ?? null,
  location: s.location?.lat != null && s.location?.lng != null ? { lat: s.location.lat, lng: s.location.lng } : null,
  ...toStorePolicy(s),
});
/** Quiet hours (local `HH:MM`, `[start, end)`, may cross midnight) and touches per customer per local day. */
export const toStorePolicy = (s: Pick<StoreRow, 'quietHours' | 'dailyCap'>) => ({
  quietHours: s.quietHours?.start && s.quietHours.end ? { start: s.quietHours.start, end: s.quietHours.end } : { ...STORE_POLICY_DEFAULTS.quietHours },
  dailyCap: s.dailyCap ?? STORE_POLICY_DEFAULTS.dailyCap,
});
export type StorePolicy = ReturnType<typeof toStorePolicy>;
export const toStaffDto = (s: StaffRow) => ({
  id: String(s._id),
  corpId: s.corpId,
  userId: s.userId,
  name: s.name,
  storeId: s.storeId,
  role: s.role,
  status: s.status,
  quotas: { addFriendsPerDay: s.quotas?.addFriendsPerDay ?? 20, massSendsPerDay: s.quotas?.massSendsPerDay ?? 1 },
});
export type StoreDto = ReturnType<typeof toStoreDto>;
export type StaffDto = ReturnType<typeof toStaffDto>;

export type StoreInput = Omit<StoreDto, 'id' | 'corpId' | 'address' | 'location' | keyof StorePolicy> & { address?: string | null; location?: { lat: number; lng: number } | null } & Partial<StorePolicy>;
export type StaffInput = { userId: string; name: string; storeId: string; role: 'store_manager' | 'staff'; mobile?: string; quotas?: Partial<StaffDto['quotas']> };

export class OrgRepository {
  constructor(private readonly models: OrgModels) {}

  async listCorps() {
    const rows = await this.models.Corp.find({}).sort({ corpId: 1 }).lean();
    return rows.map((c) => ({ corpId: c.corpId, name: c.name, timezone: c.timezone }));
  }

  async corpExists(corpId: string): Promise<boolean> {
    return (await this.models.Corp.countDocuments({ corpId })) > 0;
  }

  async upsertCorp(c: { corpId: string; name: string; timezone?: string }): Promise<void> {
    await this.models.Corp.updateOne({ corpId: c.corpId }, { $set: { name: c.name, timezone: c.timezone ?? DEFAULT_TIMEZONE } }, { upsert: true });
  }

  async listStores(scope: Scope): Promise<StoreDto[]> {
    const rows = await this.models.Store.find({ corpId: scope.corpId, deletedAt: null, ...storeIdFilter(scope) }).sort({ code: 1 }).lean<StoreRow[]>();
    return rows.map(toStoreDto);
  }

  async getStore(scope: Scope, id: string): Promise<StoreDto> {
    const _id = toObjectId(id);
    const row = _id && canSeeStore(scope, id) ? await this.models.Store.findOne({ _id, corpId: scope.corpId, deletedAt: null }).lean<StoreRow>() : null;
    if (!row) throw new NotFoundError('store', id);
    return toStoreDto(row);
  }

  async createStore(scope: Scope, input: StoreInput): Promise<StoreDto> {
    try {
      const doc = await this.models.Store.create({ corpId: scope.corpId, ...input, location: input.location ?? undefined, address: input.address ?? undefined });
      return toStoreDto(doc.toObject() as StoreRow);
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new ConflictError(`门店编码 ${input.code} 已存在 Store code ${input.code} already exists`);
      throw err;
    }
  }

  async updateStore(scope: Scope, id: string, patch: Partial<StoreInput>): Promise<StoreDto> {
    await this.getStore(scope, id);
    try {
      const row = await this.models.Store.findOneAndUpdate({ _id: toObjectId(id), corpId: scope.corpId }, { $set: patch }, { returnDocument: 'after' }).lean<StoreRow>();
      if (!row) throw new NotFoundError('store', id);
      return toStoreDto(row);
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new ConflictError(`门店编码 ${patch.code} 已存在 Store code ${patch.code} already exists`);
      throw err;
    }
  }

  /** Refused while active staff belong to the store: move them first, so no customer is orphaned. */
  async deleteStore(scope: Scope, id: string, at: Date): Promise<void> {
    await this.getStore(scope, id);
    const active = await this.models.Staff.countDocuments({ corpId: scope.corpId, storeId: id, status: 'active' });
    if (active) throw new ConflictError(`门店 ${id} 还有 ${active} 名在职店员，请先调走或办理离职 Store ${id} still has ${active} active staff; move or resign them first`);
    await this.models.Store.updateOne({ _id: toObjectId(id), corpId: scope.corpId }, { $set: { deletedAt: at } });
  }

  async listStaff(scope: Scope, filter: { storeId?: string; status?: 'active' | 'resigned' } = {}): Promise<StaffDto[]> {
    const q: Record<string, unknown> = { corpId: scope.corpId, ...storeFilter(scope) };
    if (filter.storeId) q.storeId = scope.storeIds === null || scope.storeIds.includes(filter.storeId) ? filter.storeId : '__none__';
    if (filter.status) q.status = filter.status;
    const rows = await this.models.Staff.find(q).sort({ userId: 1 }).lean<StaffRow[]>();
    return rows.map(toStaffDto);
  }

  async getStaff(scope: Scope, id: string): Promise<StaffDto> {
    const _id = toObjectId(id);
    const row = _id ? await this.models.Staff.findOne({ _id, corpId: scope.corpId, ...storeFilter(scope) }).lean<StaffRow>() : null;
    if (!row) throw new NotFoundError('staff', id);
    return toStaffDto(row);
  }

  async findStaffByUserId(corpId: string, userId: string): Promise<StaffDto | null> {
    const row = await this.models.Staff.findOne({ corpId, userId }).lean<StaffRow>();
    return row ? toStaffDto(row) : null;
  }

  /** Staff of the corp by WeCom userid, resigned ones included; unknown userids are left out. */
  async staffByUserIds(corpId: string, userIds: readonly string[]): Promise<StaffDto[]> {
    if (!userIds.length) return [];
    const rows = await this.models.Staff.find({ corpId, userId: { $in: [...new Set(userIds)] } }).lean<StaffRow[]>();
    return rows.map(toStaffDto);
  }

  /** A staff member of the corp by id, resigned ones included (history keeps naming them); null when unknown. */
  async findStaff(corpId: string, id: string): Promise<StaffDto | null> {
    const _id = toObjectId(id);
    const row = _id ? await this.models.Staff.findOne({ _id, corpId }).lean<StaffRow>() : null;
    return row ? toStaffDto(row) : null;
  }

  /** Staff of the corp by ids, resigned ones included; unknown ids are left out. */
  async staffByIds(corpId: string, ids: readonly string[]): Promise<StaffDto[]> {
    const _ids = ids.map(toObjectId).filter(Boolean);
    if (!_ids.length) return [];
    const rows = await this.models.Staff.find({ corpId, _id: { $in: _ids } }).lean<StaffRow[]>();
    return rows.map(toStaffDto);
  }

  /** The active staff of these stores, oldest first (assignment plans break ties in this order). */
  async activeStaffOfStores(corpId: string, storeIds: readonly string[]): Promise<StaffDto[]> {
    const rows = await this.models.Staff.find({ corpId, storeId: { $in: [...storeIds] }, status: 'active' }).sort({ _id: 1 }).lean<StaffRow[]>();
    return rows.map(toStaffDto);
  }

  /** A store of the corp by id, closed ones included (contacts and history keep pointing at them); null when unknown. */
  async findStore(corpId: string, id: string): Promise<StoreDto | null> {
    const _id = toObjectId(id);
    const row = _id ? await this.models.Store.findOne({ _id, corpId }).lean<StoreRow>() : null;
    return row ? toStoreDto(row) : null;
  }

  /** Names of every store of the corp, closed ones included, by id: reports name the stores their rows point at. */
  async storeNames(corpId: string): Promise<Map<string, string>> {
    const rows = await this.models.Store.find({ corpId }).select('name').lean();
    return new Map(rows.map((s) => [String(s._id), s.name]));
  }

  /** Which of these codes belong to closed stores of the corp (a closed store's code is not reused). */
  async closedStoreCodes(corpId: string, codes: readonly string[]): Promise<string[]> {
    if (!codes.length) return [];
    const rows = await this.models.Store.find({ corpId, code: { $in: [...codes] }, deletedAt: { $ne: null } }, { code: 1 }).lean();
    return rows.map((s) => s.code);
  }

  /** The zone "today" means for a store of the corp, or for the corp itself: see timezone.ts. */
  async timezoneOf(corpId: string, storeId?: string | null): Promise<string> {
    const store = storeId ? await this.findStore(corpId, storeId) : null;
    if (store?.timezone) return store.timezone;
    const corp = await this.models.Corp.findOne({ corpId }).select('timezone').lean();
    return zoneOf(store, corp);
  }

  /**
   * Every store of every corp, closed ones included, with its zone: for sweeps that run per store across
   * tenants (the daily-work scheduler). Not for requests, which always carry their corp.
   */
  async storeZonesAcrossCorps(): Promise<Array<{ corpId: string; storeId: string; timezone: string }>> {
    const rows = await this.models.Store.find({}).select('corpId timezone').lean();
    return rows.map((s) => ({ corpId: s.corpId, storeId: String(s._id), timezone: zoneOf(s) }));
  }

  /** Whether the database holds any corp, or any store: the demo seed runs on an empty organisation only. */
  async census(): Promise<{ corps: number; stores: number }> {
    const [corps, stores] = await Promise.all([this.models.Corp.countDocuments({}), this.models.Store.countDocuments({})]);
    return { corps, stores };
  }

  async createStaff(scope: Scope, input: StaffInput): Promise<StaffDto> {
    await this.getStore(scope, input.storeId);
    try {
      const doc = await this.models.Staff.create({ corpId: scope.corpId, ...input, quotas: { addFriendsPerDay: 20, massSendsPerDay: 1, ...input.quotas } });
      return toStaffDto(doc.toObject() as StaffRow);
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new ConflictError(`店员账号 ${input.userId} 已存在 Staff userid ${input.userId} already exists`);
      throw err;
    }
  }

  async updateStaff(scope: Scope, id: string, patch: Partial<Omit<StaffInput, 'userId'>> & { status?: 'active' | 'resigned' }): Promise<StaffDto> {
    const current = await this.getStaff(scope, id);
    if (patch.storeId) await this.getStore(scope, patch.storeId);
    const set: Record<string, unknown> = { ...patch };
    delete set.quotas;
    if (patch.quotas) set.quotas = { ...current.quotas, ...patch.quotas };
    const row = await this.models.Staff.findOneAndUpdate({ _id: toObjectId(id), corpId: scope.corpId }, { $set: set }, { returnDocument: 'after' }).lean<StaffRow>();
    if (!row) throw new NotFoundError('staff', id);
    return toStaffDto(row);
  }

  /** Ids of the corp's stores with these codes, closed ones included: SOP audiences name stores by code. */
  async storeIdsByCodes(corpId: string, codes: readonly string[]): Promise<string[]> {
    return (await this.models.Store.find({ corpId, code: { $in: codes } }).select('_id').lean()).map((s) => String(s._id));
  }

  /**
   * The delivery policy of these stores of the corp (closed ones included: their touches still drain), by id;
   * unknown ids are left out. One query for a dispatch batch, however many touches it holds.
   */
  async storePolicies(corpId: string, storeIds: readonly string[]): Promise<Map<string, StorePolicy>> {
    const _ids = storeIds.map(toObjectId).filter((id) => id !== null);
    if (!_ids.length) return new Map();
    const rows = await this.models.Store.find({ corpId, _id: { $in: _ids } }).select('quietHours dailyCap').lean<StoreRow[]>();
    return new Map(rows.map((s) => [String(s._id), toStorePolicy(s)]));
  }
}

function storeIdFilter(scope: Scope): Record<string, unknown> {
  if (scope.storeIds === null) return {};
  return { _id: { $in: scope.storeIds.map(toObjectId).filter(Boolean) } };
}
