/**
 * Channel accounts over HTTP (HQ admins). Credentials are write-only: responses name the configured fields
 * and the public ids, never a secret, token or key.
 */
import { z } from 'zod';
import type { ChannelKind } from '../../adapters/channel-adapter.ts';
import { accountConfigIssues, callbackPathOf, channelKinds } from '../../adapters/registry.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { corpIdQuery } from '../http/corp-scope.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import { objectIdString } from '../shared/object-id.ts';
import type { ChannelAccount } from './channel-account.repository.ts';
import type { ChannelsModule } from './channels.module.ts';

/** Read when a request comes in, never when the route list is built. */
export type ChannelAccountRouteDeps = { channels: Pick<ChannelsModule, 'accounts' | 'adapterFor'> };

const PUBLIC_FIELDS = new Set(['corpId', 'agentId', 'appId', 'botId', 'name', 'puppet', 'apiBase']);

function toPublic(a: ChannelAccount) {
  const base = callbackPathOf(a.kind);
  return {
    id: a.id,
    corpId: a.corpId,
    kind: a.kind,
    name: a.name,
    isDefault: a.isDefault,
    config: Object.fromEntries(Object.entries(a.config).map(([k, v]) => [k, PUBLIC_FIELDS.has(k) ? v : '******'])),
    callbackPath: base ? (a.isDefault ? base : `${base}/${a.id}`) : null,
  };
}

const corpOnly = z.strictObject({ ...corpIdQuery });

export function channelAccountRoutes(deps: ChannelAccountRouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/channel-accounts',
      tag: 'channels',
      summary: '渠道账号 Channel accounts of the corp (credentials masked)',
      roles: ['hq_admin'],
      scoped: true,
      query: corpOnly,
      async handler(_input, { scope }) {
        return { items: (await deps.channels.accounts.listForCorp(scope.corpId)).map(toPublic) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/channel-accounts',
      tag: 'channels',
      summary: '接入渠道账号 Connect a channel account (config validated by the adapter)',
      roles: ['hq_admin'],
      scoped: true,
      query: corpOnly,
      body: z.strictObject({
        kind: z.enum(channelKinds() as [ChannelKind, ...ChannelKind[]]),
        name: z.string().min(1).max(64),
        config: z.record(z.string(), z.unknown()),
      }),
      status: 201,
      async handler({ body }, { scope }) {
        const issues = accountConfigIssues(body.kind, body.config);
        if (issues.length) throw new ValidationError(issues.map((i) => ({ path: `body.config.${i.path}`, message: i.message })), `invalid ${body.kind} account config`);
        return toPublic(await deps.channels.accounts.create({ corpId: scope.corpId, kind: body.kind, name: body.name, config: body.config }));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/channel-accounts/:id/check',
      tag: 'channels',
      summary: '检查凭证 Check the account’s credentials against the vendor',
      roles: ['hq_admin'],
      scoped: true,
      params: z.strictObject({ id: objectIdString }),
      query: corpOnly,
      async handler({ params }, { scope }) {
        const account = await deps.channels.accounts.get(params.id);
        if (account.corpId !== scope.corpId) throw new NotFoundError('channel account', params.id);
        return deps.channels.adapterFor(account).checkCredentials();
      },
    }),
  ];
}
