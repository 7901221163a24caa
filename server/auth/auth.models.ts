/** The auth domain's collections: API tokens and one-time staff sign-in links. */
import type { Connection } from 'mongoose';
import { staffLoginLinkSchema } from './staff-login-link.schema.ts';
import { tokenSchema } from './token.schema.ts';

export function registerAuthModels(conn: Connection) {
  return {
    Token: conn.model('Token', tokenSchema),
    StaffLoginLink: conn.model('StaffLoginLink', staffLoginLinkSchema),
  };
}

export type AuthModels = ReturnType<typeof registerAuthModels>;
