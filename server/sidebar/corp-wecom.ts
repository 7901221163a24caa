/** The WeCom account (and its adapter) a corp's sidebar and handovers go through: the default one, else the first. */
import type { ChannelAdapter } from '../../adapters/channel-adapter.ts';
import type { ChannelAccount } from '../channels/channel-account.repository.ts';
import type { Modules } from '../modules.ts';

export async function corpWecom(services: Modules, corpId: string): Promise<{ account: ChannelAccount; adapter: ChannelAdapter } | null> {
  const accounts = (await services.channelAccounts.listForCorp(corpId)).filter((a) => a.kind === 'wecom');
  const account = accounts.find((a) => a.isDefault) ?? accounts[0];
  return account ? { account, adapter: services.adapterFor(account) } : null;
}
