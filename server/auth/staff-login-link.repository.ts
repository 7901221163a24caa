/**
 * The `staff_login_links` collection: one-time sign-in links, found by the secret's hash (the service hashes).
 * Using a link is one conditional update, so two clicks cannot both sign in.
 */
import type { AuthModels } from './auth.models.ts';

export class StaffLoginLinkRepository {
  constructor(private readonly models: Pick<AuthModels, 'StaffLoginLink'>) {}

  async insert(link: { corpId: string; staffId: string; secretHash: string; expiresAt: Date; issuedBy: string }): Promise<void> {
    await this.models.StaffLoginLink.create(link);
  }

  /** Marks the link used if it is still unused, unrevoked and unexpired at `now`; returns it, or null when it was not. */
  async consume(secretHash: string, now: Date): Promise<{ corpId: string; staffId: string } | null> {
    return this.models.StaffLoginLink.findOneAndUpdate(
      { secretHash, usedAt: null, revokedAt: null, expiresAt: { $gt: now } },
      { $set: { usedAt: now } },
      { returnDocument: 'after' },
    ).lean();
  }

  /** Revokes a staff member's links still usable at `now`: returns how many. */
  async revokeUnusedOf(corpId: string, staffId: string, now: Date): Promise<number> {
    const res = await this.models.StaffLoginLink.updateMany({ corpId, staffId, usedAt: null, revokedAt: null, expiresAt: { $gt: now } }, { $set: { revokedAt: now } });
    return res.modifiedCount;
  }
}
