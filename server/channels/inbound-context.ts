import type { ChannelAdapter } from '../../adapters/channel-adapter.ts';
import type { Services } from '../services.ts';
import type { ChannelAccount } from './channel-account.repository.ts';

/** What an inbound handler gets: the account the payload came through, its adapter, and the services. */
export type InboundContext = { account: ChannelAccount; adapter: ChannelAdapter; services: Services };

/** The contact (and store) an event concerned, so the event-log row can point at it. */
export type HandledEvent = { contactId: string | null; storeId?: string | null };
