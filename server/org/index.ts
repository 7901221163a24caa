/**
 * The org face: corps, stores and staff, and the one zone fallback. The only file of server/org/ that other
 * domains import.
 */
export { createOrgModule, type CorpDto, type OrgDeps, type OrgModule, type StaffPatch, type StaffStatus } from './org.module.ts';
export type { StaffDto, StaffInput, StoreDto, StoreInput, StorePolicy } from './org.repository.ts';
export { registerOrgModels, type OrgModels } from './org.models.ts';
export { orgRoutes, type StaffAccess } from './org.route.ts';
export { DEFAULT_TIMEZONE, timezoneSchema, zoneOf } from './timezone.ts';
