/**
 * API tokens: `siyu_<48 hex>` secrets, stored as SHA-256 hashes. Lookups compare hashes, which are
 * uniformly distributed, so an index lookup leaks nothing useful about the secret.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Models } from '../db/models.ts';
import { BadRequestError, NotFoundError, UnauthenticatedError } from '../errors.ts';
import type { OrgRepository } from '../org/org.repository.ts';
import type { Clock } from '../shared/clock.ts';
import type { Principal } from './principal.ts';
import type { Role } from './token.schema.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export type IssueTokenInput = { corpId: string; role: Role; name: string; staffId?: string; storeId?: string };

export class TokenService {
  private readonly adminHash: Buffer | null;

  constructor(
    private readonly models: Pick<Models, 'Token'>,
    private readonly org: OrgRepository,
    private readonly clock: Clock,
    adminToken: string | undefined,
  ) {
    this.adminHash = adminToken ? Buffer.from(sha256(adminToken), 'hex') : null;
  }

  async authenticate(secret: string): Promise<Principal> {
    const hash = sha256(secret);
    if (this.adminHash && timingSafeEqual(this.adminHash, Buffer.from(hash, 'hex'))) {
      return { tokenId: 'bootstrap', role: 'hq_admin', corpId: null, storeId: null, staffId: null };
    }
    const row = await this.models.Token.findOneAndUpdate({ tokenHash: hash, revokedAt: null }, { $set: { lastUsedAt: this.clock.now() } }, { timestamps: false }).lean();
    if (!row) throw new UnauthenticatedError('unknown or revoked token');
    return { tokenId: String(row._id), role: row.role, corpId: row.corpId, storeId: row.storeId ?? null, staffId: row.staffId ?? null };
  }

  /**
   * Issues a token and returns its secret once. Staff and store-manager tokens are bound to a staff member,
   * whose store they inherit, so moving the person moves what the token sees at the next issue.
   */
  async issue(input: IssueTokenInput): Promise<{ id: string; token: string; role: Role; corpId: string; storeId: string | null; staffId: string | null }> {
    let storeId: string | null = input.storeId ?? null;
    let staffId: string | null = input.staffId ?? null;
    if (input.role === 'staff' || input.role === 'store_manager') {
      if (!staffId) throw new BadRequestError(`a ${input.role} token needs staffId`, [{ path: 'staffId', message: 'required for this role' }]);
      const staff = await this.org.getStaff({ corpId: input.corpId, storeIds: null }, staffId);
      if (staff.status !== 'active') throw new BadRequestError(`staff ${staffId} has resigned`);
      storeId = staff.storeId;
      staffId = staff.id;
    }
    const token = `siyu_${randomBytes(24).toString('hex')}`;
    const doc = await this.models.Token.create({ corpId: input.corpId, tokenHash: sha256(token), role: input.role, name: input.name, storeId, staffId });
    return { id: String(doc._id), token, role: input.role, corpId: input.corpId, storeId, staffId };
  }

  async revoke(corpId: string, id: string): Promise<void> {
    const res = await this.models.Token.updateOne({ _id: id, corpId, revokedAt: null }, { $set: { revokedAt: this.clock.now() } }).catch(() => ({ matchedCount: 0 }));
    if (!res.matchedCount) throw new NotFoundError('token', id);
  }
}
