/** The WeCom account (and its adapter) a corp's sidebar and handovers go through: the default one, else the first. */
import type { ChannelAdapter } from '../../adapters/channel-adapter.ts';
import type { ChannelAccount, ChannelAccountRepository } from '../channels/index.ts';

export type CorpWecomDeps = { channelAccounts: Pick<ChannelAccountRepository, 'listForCorp'>; adapterFor: (account: ChannelAccount) => ChannelAdapter };

export async function corpWecom(deps: CorpWecomDeps, corpId: string): Promise<{ account: ChannelAccount; adapter: ChannelAdapter } | null> {
  const accounts = (await deps.channelAccounts.listForCorp(corpId)).filter((a) => a.kind === 'wecom');
  const account = accounts.find((a) => a.isDefault) ?? accounts[0];
  return account ? { account, adapter: deps.adapterFor(account) } : null;
}
