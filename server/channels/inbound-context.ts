import type { ChannelAdapter } from '../../adapters/channel-adapter.ts';
import type { Services } from '../services.ts';
import type { ChannelAccount } from './channel-account.repository.ts';

/** What an inbound handler gets: the account the payload came through, its adapter, and the services. */
export type InboundContext = { account: ChannelAccount; adapter: ChannelAdapter; services: Services };

export type { HandledEvent } from './inbound-reactions.ts';
