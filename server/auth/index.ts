/**
 * The auth face: who is calling (principals, roles), API tokens, staff sign-in and what ends when a member
 * leaves, and the auth routes. The only file of server/auth/ that other domains import.
 */
export { createAuthModule, type AuthDeps, type AuthModule } from './auth.module.ts';
export { registerAuthModels, type AuthModels } from './auth.models.ts';
export { ROLES, type Principal, type Role } from '../shared/principal.ts';
export type { IssuedToken, IssueTokenInput, TokenDto } from './token.service.ts';
export type { StaffOAuth, StaffSession } from './staff-login.ts';
export { tokenRoutes } from './token.route.ts';
export { staffLoginRoutes } from './staff-login.route.ts';
