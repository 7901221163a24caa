/** The WeCom account and add_external_contact payloads the inbox claim specs record and claim. */
import { externalContactEvent } from '../../adapters/wecom/simulator/callback-events.ts';
import type { ChannelAccount } from '../../server/channels/channel-account.repository.ts';

export const inboxTestAccount: ChannelAccount = {
  id: 'acc-1',
  corpId: 'wwcorp',
  kind: 'wecom',
  name: 'w',
  isDefault: true,
  config: { corpId: 'wwcorp', secret: 's', token: 't', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' },
};

/** A staff member's add of customer `ext`, with a welcome code when given (what the inbox claims first). */
export const inboxAdd = (ext: string, welcomeCode?: string) =>
  externalContactEvent({ corpId: 'wwcorp', changeType: 'add_external_contact', userId: 'a1', externalUserId: ext, createTime: 1_795_000_000, ...(welcomeCode ? { welcomeCode } : {}) });
