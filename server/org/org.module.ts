/**
 * The org domain wired from its declared dependencies: corps, stores and staff, read and written through the
 * repository, and the one zone fallback. Other domains get this face (server/org/index.ts), never the models.
 */
import type { Clock } from '../shared/clock.ts';
import type { Scope } from '../shared/scope.ts';
import type { OrgModels } from './org.models.ts';
import { OrgRepository, type StaffDto, type StaffInput, type StoreDto, type StoreInput, type StorePolicy } from './org.repository.ts';

export type OrgDeps = {
  models: OrgModels;
  clock: Clock;
};

export type CorpDto = { corpId: string; name: string; timezone: string };
export type StaffStatus = 'active' | 'resigned';
export type StaffPatch = Partial<Omit<StaffInput, 'userId'>> & { status?: StaffStatus };

/** Either a corp id or a scope: zone lookups are corp-wide whatever the caller's stores. */
type Tenant = string | Pick<Scope, 'corpId'>;

export type OrgModule = {
  listCorps(): Promise<CorpDto[]>;
  corpExists(corpId: string): Promise<boolean>;
  upsertCorp(corp: { corpId: string; name: string; timezone?: string }): Promise<void>;

  /** Open stores the scope can see, by code. */
  listStores(scope: Scope): Promise<StoreDto[]>;
  /** An open store the scope can see; NotFoundError otherwise. */
  getStore(scope: Scope, id: string): Promise<StoreDto>;
  /** A store of the corp by id, closed ones included; null when unknown. */
  findStore(corpId: string, id: string): Promise<StoreDto | null>;
  /** Every store's name by id, closed ones included. */
  storeNames(corpId: string): Promise<Map<string, string>>;
  /** Which of these codes belong to closed stores. */
  closedStoreCodes(corpId: string, codes: readonly string[]): Promise<string[]>;
  createStore(scope: Scope, input: StoreInput): Promise<StoreDto>;
  updateStore(scope: Scope, id: string, patch: Partial<StoreInput>): Promise<StoreDto>;
  /** Soft delete, refused while active staff belong to the store; `at` defaults to the clock. */
  deleteStore(scope: Scope, id: string, at?: Date): Promise<void>;

  listStaff(scope: Scope, filter?: { storeId?: string; status?: StaffStatus }): Promise<StaffDto[]>;
  /** A staff member the scope can see (resigned included); NotFoundError otherwise. */
  getStaff(scope: Scope, id: string): Promise<StaffDto>;
  /** A staff member of the corp by id, resigned included; null when unknown. */
  findStaff(corpId: string, id: string): Promise<StaffDto | null>;
  findStaffByUserId(corpId: string, userId: string): Promise<StaffDto | null>;
  /** Staff of the corp by WeCom userid, resigned included; unknown userids are left out. */
  staffByUserIds(corpId: string, userIds: readonly string[]): Promise<StaffDto[]>;
  /** Staff of the corp by ids, resigned included; unknown ids are left out. */
  staffByIds(corpId: string, ids: readonly string[]): Promise<StaffDto[]>;
  /** Active staff of these stores, oldest first. */
  activeStaffOfStores(corpId: string, storeIds: readonly string[]): Promise<StaffDto[]>;
  createStaff(scope: Scope, input: StaffInput): Promise<StaffDto>;
  updateStaff(scope: Scope, id: string, patch: StaffPatch): Promise<StaffDto>;

  /** The zone of a store (else its corp's, else the default): the one fallback, see timezone.ts. */
  timezoneOf(tenant: Tenant, storeId?: string | null): Promise<string>;
  /** Every store of every corp with its zone, for sweeps across tenants (the daily-work scheduler). */
  storeZonesAcrossCorps(): Promise<Array<{ corpId: string; storeId: string; timezone: string }>>;
  /** How many corps and stores exist at all (the demo seeds an empty organisation only). */
  census(): Promise<{ corps: number; stores: number }>;
  /** Ids of the corp's stores with these codes, closed ones included (SOP audiences name stores by code). */
  storeIdsByCodes(corpId: string, codes: readonly string[]): Promise<string[]>;
  /** Quiet hours and daily cap of these stores, closed ones included, by id (the SOP dispatcher's gate). */
  storePolicies(corpId: string, storeIds: readonly string[]): Promise<Map<string, StorePolicy>>;
};

export function createOrgModule(deps: OrgDeps): OrgModule {
  const repo = new OrgRepository(deps.models);
  const corpOf = (t: Tenant) => (typeof t === 'string' ? t : t.corpId);
  return {
    listCorps: () => repo.listCorps(),
    corpExists: (corpId) => repo.corpExists(corpId),
    upsertCorp: (corp) => repo.upsertCorp(corp),
    listStores: (scope) => repo.listStores(scope),
    getStore: (scope, id) => repo.getStore(scope, id),
    findStore: (corpId, id) => repo.findStore(corpId, id),
    storeNames: (corpId) => repo.storeNames(corpId),
    closedStoreCodes: (corpId, codes) => repo.closedStoreCodes(corpId, codes),
    createStore: (scope, input) => repo.createStore(scope, input),
    updateStore: (scope, id, patch) => repo.updateStore(scope, id, patch),
    deleteStore: (scope, id, at) => repo.deleteStore(scope, id, at ?? deps.clock.now()),
    listStaff: (scope, filter) => repo.listStaff(scope, filter),
    getStaff: (scope, id) => repo.getStaff(scope, id),
    findStaff: (corpId, id) => repo.findStaff(corpId, id),
    findStaffByUserId: (corpId, userId) => repo.findStaffByUserId(corpId, userId),
    staffByUserIds: (corpId, userIds) => repo.staffByUserIds(corpId, userIds),
    staffByIds: (corpId, ids) => repo.staffByIds(corpId, ids),
    activeStaffOfStores: (corpId, storeIds) => repo.activeStaffOfStores(corpId, storeIds),
    createStaff: (scope, input) => repo.createStaff(scope, input),
    updateStaff: (scope, id, patch) => repo.updateStaff(scope, id, patch),
    timezoneOf: (tenant, storeId) => repo.timezoneOf(corpOf(tenant), storeId),
    storeZonesAcrossCorps: () => repo.storeZonesAcrossCorps(),
    census: () => repo.census(),
    storeIdsByCodes: (corpId, codes) => repo.storeIdsByCodes(corpId, codes),
    storePolicies: (corpId, storeIds) => repo.storePolicies(corpId, storeIds),
  };
}
