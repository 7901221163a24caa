/**
 * The only file that imports every adapter. The core asks for an adapter by account; the account's stored
 * `config` is validated here by the adapter's own schema, so a bad credential record fails with the fields
 * that are wrong instead of at the first vendor call.
 */
import type { z } from 'zod';
import type { ChannelAdapter, ChannelKind } from './channel-adapter.ts';
import { wechatyAccountConfigSchema } from './wechaty/wechaty-account.schema.ts';
import { WechatyAdapter } from './wechaty/wechaty.adapter.ts';
import { officialAccountConfigSchema } from './official-account/official-account-account.schema.ts';
import { OfficialAccountAdapter } from './official-account/official-account.adapter.ts';
import { wecomAccountConfigSchema } from './wecom/wecom-account.schema.ts';
import type { WecomHttpOptions } from './wecom/client/wecom-http.ts';
import { WecomAdapter } from './wecom/wecom.adapter.ts';

export type AdapterAccount = { id: string; corpId: string; kind: ChannelKind; config: Record<string, unknown> };

/** Passed on to the adapter: `clientOptions` tune the vendor HTTP client (tests make backoff sleeps instant). */
export type AdapterDeps = { clientOptions?: Omit<WecomHttpOptions, 'baseUrl' | 'credentials' | 'dialect'> };

export class AccountConfigError extends Error {
  override readonly name = 'AccountConfigError';
  constructor(
    readonly kind: ChannelKind,
    readonly issues: Array<{ path: string; message: string }>,
  ) {
    super(`invalid ${kind} account config: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
}

const factories: { [K in ChannelKind]?: { schema: z.ZodType; build(config: never, account: AdapterAccount, deps: AdapterDeps): ChannelAdapter } } = {
  wecom: { schema: wecomAccountConfigSchema, build: (config: z.infer<typeof wecomAccountConfigSchema>, _account: AdapterAccount, deps: AdapterDeps) => new WecomAdapter(config, deps) },
  official_account: {
    schema: officialAccountConfigSchema,
    build: (config: z.infer<typeof officialAccountConfigSchema>, account: AdapterAccount, deps: AdapterDeps) => new OfficialAccountAdapter(config, account.corpId, deps),
  },
  wechaty: {
    schema: wechatyAccountConfigSchema,
    build: (config: z.infer<typeof wechatyAccountConfigSchema>, account: AdapterAccount) => new WechatyAdapter({ corpId: account.corpId, config }),
  },
};

/** Checks an account config against its adapter's schema; returns the issues (empty when valid). */
export function accountConfigIssues(kind: ChannelKind, config: unknown): Array<{ path: string; message: string }> {
  const factory = factories[kind];
  if (!factory) return [{ path: 'kind', message: `no adapter for ${kind}` }];
  const parsed = factory.schema.safeParse(config);
  return parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(config)', message: i.message }));
}

export function createAdapter(account: AdapterAccount, deps: AdapterDeps = {}): ChannelAdapter {
  const factory = factories[account.kind];
  if (!factory) throw new AccountConfigError(account.kind, [{ path: 'kind', message: `no adapter for ${account.kind}` }]);
  const parsed = factory.schema.safeParse(account.config);
  if (!parsed.success) throw new AccountConfigError(account.kind, parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(config)', message: i.message })));
  return factory.build(parsed.data as never, account, deps);
}

/** Demo mode: the WeCom simulator and its activity driver (the composition root starts them when asked). */
export { startDemoChannels, type DemoChannels } from './demo/demo-channels.ts';
export { describeVendorError, VENDOR_ERRCODES, type VendorPlatform } from './wecom/wecom-errcodes.ts';
