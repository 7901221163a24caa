import { Schema, type InferSchemaType } from 'mongoose';
import type { ChannelKind } from '../../adapters/channel-adapter.ts';
import { isChannelKind } from '../../adapters/registry.ts';

/**
 * A connected channel account (a WeCom self-built app, an official account, a wechaty bot). `config` holds the
 * credentials and is validated by the adapter's own schema (adapters/registry.ts), never by the core.
 */
export const channelAccountSchema = new Schema(
  {
    corpId: { type: String, required: true },
    // The kinds adapters/registry.ts has an adapter for: a new channel registers there, not here.
    kind: { type: String, validate: { validator: isChannelKind, message: 'no adapter for channel kind {VALUE}' }, required: true },
    name: { type: String, required: true },
    isDefault: { type: Boolean, required: true, default: false },
    config: { type: Schema.Types.Mixed, required: true },
    disabledAt: { type: Date, default: null },
    /** Push channels (wechaty) must run one connection per account: the process holding this lease runs it. */
    listenerLease: { owner: { type: String, default: null }, until: { type: Date, default: null } },
  },
  { collection: 'channel_accounts', timestamps: true, strict: 'throw', minimize: false },
);
// Resolving the default account of a kind for the unnamed callback routes.
channelAccountSchema.index({ kind: 1, isDefault: 1 });
// An account's corp listing.
channelAccountSchema.index({ corpId: 1, kind: 1 });

export type ChannelAccountDoc = Omit<InferSchemaType<typeof channelAccountSchema>, 'kind'> & { kind: ChannelKind };
