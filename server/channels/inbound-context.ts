import type { ChannelAdapter } from '../../adapters/channel-adapter.ts';
import type { Modules } from '../modules.ts';
import type { ChannelAccount } from './channel-account.repository.ts';

/** What an inbound handler gets: the account the payload came through, its adapter, and the services. */
export type InboundContext = { account: ChannelAccount; adapter: ChannelAdapter; services: Modules };

export type { HandledEvent } from './inbound-reactions.ts';
