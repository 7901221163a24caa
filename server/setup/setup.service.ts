/**
 * First run on an empty database: the corp, its first stores, the first HQ token and the channel accounts the
 * environment names (WECOM_*, OA_*, WECHATY_*). Idempotent: what exists is left as it is (stores are matched by
 * code; edit them through the API), so a second run changes nothing and reports so. A token's secret exists only
 * when issued (tokens are stored hashed): a run issues an HQ token when the corp has none, or when asked.
 */
import type { ChannelKind } from '../../adapters/channel-adapter.ts';
import type { AuthModule } from '../auth/index.ts';
import type { Config } from '../config.ts';
import { BadRequestError, ConflictError } from '../errors.ts';
import type { OrgModule } from '../org/index.ts';
import type { SetupSpec } from './setup.schema.ts';

export type SetupDeps = {
  org: Pick<OrgModule, 'listCorps' | 'closedStoreCodes' | 'upsertCorp' | 'listStores' | 'createStore'>;
  tokens: Pick<AuthModule['tokens'], 'hasLive' | 'issue'>;
  /** The environment's channel settings (WECOM_*, OA_*, WECHATY_*). */
  config: { channels: Config['channels'] };
  /** The accounts of a kind, to tell created from updated from unchanged. */
  channelAccounts: { listByKind(kind: ChannelKind): Promise<Array<{ id: string; corpId: string; name: string; isDefault: boolean; config: unknown }>> };
  /** Writes the environment's accounts as the default ones, as boot does (channels' upsertDefaultAccounts). */
  writeDefaultAccounts(): Promise<void>;
};

export type SetupResult = {
  /** False when the run found everything in place and wrote nothing. */
  changed: boolean;
  corp: { corpId: string; name: string; timezone: string; status: 'created' | 'exists' };
  stores: Array<{ id: string; code: string; name: string; status: 'created' | 'exists' }>;
  /** `token` is present only when issued by this run: it is shown once. */
  hqToken: { status: 'issued'; id: string; token: string } | { status: 'exists' };
  accounts: Array<{ kind: ChannelKind; id: string; name: string; status: 'created' | 'updated' | 'unchanged' }>;
  /** Why the environment's channel accounts were not applied to this corp, when they were not. */
  accountsSkipped?: string;
};

const ENV_KINDS = [
  ['wecom', 'wecom'],
  ['officialAccount', 'official_account'],
  ['wechaty', 'wechaty'],
] as const;

export async function runSetup(deps: SetupDeps, spec: SetupSpec): Promise<SetupResult> {
  const { corpId } = spec.corp;
  const existing = (await deps.org.listCorps()).find((c) => c.corpId === corpId);
  if (!existing && !spec.corp.name) {
    throw new BadRequestError(`新建企业 ${corpId} 需要名称 Creating corp ${corpId} needs a name`, [{ path: 'corp.name', message: 'required to create the corp' }]);
  }
  // Checked before anything is written, so a refused run leaves nothing half done.
  const codes = (spec.stores ?? []).map((s) => s.code);
  const closed = await deps.org.closedStoreCodes(corpId, codes);
  if (closed.length) {
    const list = closed.join(', ');
    throw new ConflictError(`门店代码 ${list} 属于已关闭的门店，请换用新代码 Store codes ${list} belong to closed stores; use new codes`);
  }

  let corpStatus: 'created' | 'exists' = 'exists';
  if (!existing) {
    await deps.org.upsertCorp({ corpId, name: spec.corp.name!, ...(spec.corp.timezone ? { timezone: spec.corp.timezone } : {}) });
    corpStatus = 'created';
  }
  const corp = (await deps.org.listCorps()).find((c) => c.corpId === corpId)!;

  const scope = { corpId, storeIds: null };
  const open = new Map((await deps.org.listStores(scope)).map((s) => [s.code, s]));
  const stores: SetupResult['stores'] = [];
  for (const s of spec.stores ?? []) {
    const found = open.get(s.code);
    if (found) {
      stores.push({ id: found.id, code: found.code, name: found.name, status: 'exists' });
      continue;
    }
    const created = await deps.org.createStore(scope, { code: s.code, name: s.name, city: s.city, region: s.region, timezone: s.timezone ?? corp.timezone, ...(s.address ? { address: s.address } : {}) });
    stores.push({ id: created.id, code: created.code, name: created.name, status: 'created' });
  }

  let hqToken: SetupResult['hqToken'] = { status: 'exists' };
  if (spec.newToken || !(await deps.tokens.hasLive(corpId, 'hq_admin'))) {
    const issued = await deps.tokens.issue({ corpId, role: 'hq_admin', name: spec.tokenName ?? 'setup' });
    hqToken = { status: 'issued', id: issued.id, token: issued.token };
  }

  const { accounts, skipped } = await applyEnvironmentAccounts(deps, corpId);
  const changed = corpStatus === 'created' || stores.some((s) => s.status === 'created') || hqToken.status === 'issued' || accounts.some((a) => a.status !== 'unchanged');
  return {
    changed,
    corp: { corpId, name: corp.name, timezone: corp.timezone, status: corpStatus },
    stores,
    hqToken,
    accounts,
    ...(skipped ? { accountsSkipped: skipped } : {}),
  };
}

/**
 * The environment's accounts belong to the corp WECOM_CORP_ID names (without WeCom settings: the only corp), as
 * at boot. Setting up another corp leaves them alone: that corp's accounts come through /api/channel-accounts.
 */
async function applyEnvironmentAccounts(deps: SetupDeps, corpId: string): Promise<{ accounts: SetupResult['accounts']; skipped?: string }> {
  const env = deps.config.channels;
  const kinds = ENV_KINDS.filter(([key]) => env[key]).map(([, kind]) => kind);
  if (!kinds.length) return { accounts: [] };
  const corps = await deps.org.listCorps();
  const owner = env.wecom?.corpId ?? (corps.length === 1 ? corps[0]!.corpId : undefined);
  if (owner !== corpId) {
    return { accounts: [], skipped: `环境变量中的渠道账号属于企业 ${owner ?? '（未定）'} The environment's channel accounts belong to corp ${owner ?? '(undetermined)'}` };
  }
  const snapshot = async () => {
    const byKind = new Map<ChannelKind, { id: string; name: string; state: string }>();
    for (const kind of kinds) {
      const account = (await deps.channelAccounts.listByKind(kind)).find((a) => a.isDefault);
      if (account) byKind.set(kind, { id: account.id, name: account.name, state: JSON.stringify([account.corpId, account.name, account.config]) });
    }
    return byKind;
  };
  const before = await snapshot();
  await deps.writeDefaultAccounts();
  const after = await snapshot();
  return {
    accounts: kinds.map((kind) => {
      const was = before.get(kind);
      const now = after.get(kind)!;
      return { kind, id: now.id, name: now.name, status: !was ? 'created' : was.state === now.state ? 'unchanged' : 'updated' };
    }),
  };
}
