/**
 * The only file that imports every adapter. The core asks for an adapter by account; the account's stored
 * `config` is validated here by the adapter's own schema, so a bad credential record fails with the fields
 * that are wrong instead of at the first vendor call. A channel kind is one `registerChannel` call: its config
 * schema, its adapter and the SOP step channels it carries (docs/ARCHITECTURE.md, "Adding a channel").
 */
import type { z } from 'zod';
import type { ChannelAdapter, ChannelKind, TouchChannelSpec } from './channel-adapter.ts';
import { wechatyAccountConfigSchema } from './wechaty/wechaty-account.schema.ts';
import { WechatyAdapter } from './wechaty/wechaty.adapter.ts';
import { officialAccountConfigSchema } from './official-account/official-account-account.schema.ts';
import { OfficialAccountAdapter } from './official-account/official-account.adapter.ts';
import { officialAccountTouchChannels } from './official-account/official-account-touches.ts';
import { wecomAccountConfigSchema } from './wecom/wecom-account.schema.ts';
import type { WecomHttpOptions } from './wecom/client/wecom-http.ts';
import { WecomAdapter } from './wecom/wecom.adapter.ts';
import { wecomTouchChannels } from './wecom/wecom-touches.ts';

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

/**
 * One channel kind: the schema of its accounts' config, how an adapter is built for an account, and the SOP step
 * channels it carries (each served by exactly one kind).
 */
type ChannelFactory<C = never> = {
  schema: z.ZodType;
  build(config: C, account: AdapterAccount, deps: AdapterDeps): ChannelAdapter;
  touchChannels?: Readonly<Record<string, TouchChannelSpec>>;
  /** Where the vendor posts its callbacks (`/callbacks/<kind>`, `/:accountId` for a non-default account); none for push channels. */
  callbackPath?: string;
  /** The adapter receives by `listen` (one connection per account, run under a lease) instead of callbacks. */
  push?: boolean;
};

const factories = new Map<ChannelKind, ChannelFactory>();

/**
 * Adds a channel kind (the extension point: the built-in kinds below register the same way). Refuses a kind
 * already registered or a step channel another kind serves. Returns the undo, for tests.
 */
export function registerChannel<S extends z.ZodType>(kind: ChannelKind, factory: ChannelFactory<z.infer<S>> & { schema: S }): () => void {
  if (factories.has(kind)) throw new Error(`channel kind ${kind} is already registered`);
  for (const channel of Object.keys(factory.touchChannels ?? {})) {
    const owner = touchChannelOf(channel);
    if (owner) throw new Error(`step channel ${channel} is already served by ${owner.kind}`);
  }
  factories.set(kind, factory as ChannelFactory);
  return () => void factories.delete(kind);
}

registerChannel('wecom', { schema: wecomAccountConfigSchema, touchChannels: wecomTouchChannels, callbackPath: '/callbacks/wecom', build: (config, _account, deps) => new WecomAdapter(config, deps) });
registerChannel('official_account', {
  schema: officialAccountConfigSchema,
  touchChannels: officialAccountTouchChannels,
  callbackPath: '/callbacks/official-account',
  build: (config, account, deps) => new OfficialAccountAdapter(config, account.corpId, deps),
});
registerChannel('wechaty', { schema: wechatyAccountConfigSchema, push: true, build: (config, account) => new WechatyAdapter({ corpId: account.corpId, config }) });

/** Whether an adapter is registered for the kind (account records of other kinds are refused). */
export function isChannelKind(kind: string): kind is ChannelKind {
  return factories.has(kind as ChannelKind);
}

/** The registered kinds in registration order; `push` keeps those that receive by `listen` (or by callbacks). */
export function channelKinds(filter: { push?: boolean } = {}): ChannelKind[] {
  return [...factories].filter(([, f]) => filter.push === undefined || !!f.push === filter.push).map(([kind]) => kind);
}

/** The callback URL base of a kind; null for push channels. */
export function callbackPathOf(kind: ChannelKind): string | null {
  return factories.get(kind)?.callbackPath ?? null;
}

/** The kind that carries an SOP step channel, and how; null when no registered kind serves it. */
export function touchChannelOf(channel: string): (TouchChannelSpec & { kind: ChannelKind }) | null {
  for (const [kind, factory] of factories) {
    const spec = factory.touchChannels?.[channel];
    if (spec) return { ...spec, kind };
  }
  return null;
}

/** Checks an account config against its adapter's schema; returns the issues (empty when valid). */
export function accountConfigIssues(kind: ChannelKind, config: unknown): Array<{ path: string; message: string }> {
  const factory = factories.get(kind);
  if (!factory) return [{ path: 'kind', message: `no adapter for ${kind}` }];
  const parsed = factory.schema.safeParse(config);
  return parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(config)', message: i.message }));
}

export function createAdapter(account: AdapterAccount, deps: AdapterDeps = {}): ChannelAdapter {
  const factory = factories.get(account.kind);
  if (!factory) throw new AccountConfigError(account.kind, [{ path: 'kind', message: `no adapter for ${account.kind}` }]);
  const parsed = factory.schema.safeParse(account.config);
  if (!parsed.success) throw new AccountConfigError(account.kind, parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(config)', message: i.message })));
  return factory.build(parsed.data as never, account, deps);
}

/** Demo mode: the WeCom simulator and its activity driver (the composition root starts them when asked). */
export { startDemoChannels, type DemoChannels, type DemoWorld } from './demo/demo-channels.ts';
export { describeVendorError, VENDOR_ERRCODES } from './wecom/wecom-errcodes.ts';
