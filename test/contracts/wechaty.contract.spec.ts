import { readFileSync } from 'node:fs';
import { WechatyBuilder } from 'wechaty';
import { mock } from 'wechaty-puppet-mock';
import type { VendorRequest } from './channel-adapter.contract.ts';
import { PuppetMockWithFriendship } from '../../adapters/wechaty/test-support/puppet-mock-with-friendship.ts';
import { WechatyAdapter } from '../../adapters/wechaty/wechaty.adapter.ts';
import { channelAdapterContract } from './channel-adapter.contract.ts';
import type { ContractFixture } from './channel-adapter.contract.ts';

const CORP_ID = 'wwsim00000000000001';
/** The bot the recorded fixtures belong to. */
const CONFIG = { botId: 'bot-sh-01', puppet: 'wechaty-puppet-service', puppetToken: 'puppet_workpro_contract' };
/** A room message as the adapter recorded it (adapters/wechaty/fixtures). */
const SAMPLE = readFileSync(new URL('../../adapters/wechaty/fixtures/message.room.json', import.meta.url), 'utf8').trim();

async function until(check: () => boolean, what: string, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function wechatyFixture(): Promise<ContractFixture> {
  const mocker = new mock.Mocker();
  const bot = WechatyBuilder.build({ puppet: new PuppetMockWithFriendship({ mocker }) });
  const adapter = new WechatyAdapter({ corpId: CORP_ID, config: CONFIG, bot });
  await adapter.listen(async () => {});
  const self = mocker.createContact({ name: 'Siyu Bot' });
  mocker.login(self);
  await until(() => bot.isLoggedIn, 'login');
  const alice = mocker.createContact({ name: 'Alice' });

  // The mocker keeps every message payload; what the bot said since the last clear() is what the "vendor" got.
  let seen = new Set<string>();
  const sends = (): VendorRequest[] =>
    [...mocker.cacheMessagePayload.values()]
      .filter((p) => !seen.has(p.id) && p.talkerId === self.id)
      .map((p) => ({ body: { to: p.roomId || p.listenerId, text: p.text }, errcode: 0 }));
  const text = '周末会员日，到店有礼';
  return {
    adapter,
    corpId: CORP_ID,
    webhook: { delivery: 'push' },
    inbound: { sample: SAMPLE, garbage: [SAMPLE.replace('"botId":"bot-sh-01"', '"botId":"another-bot"'), SAMPLE.replace(/"talkerId":"[^"]*",/, '')] },
    outbound: {
      message: { clientId: 'touch-contract-1', to: [{ type: 'contact', id: alice.id }], text },
      expectedBody: { to: alice.id, text },
      // A contact the puppet cannot find: refused before anything is said.
      refused: { message: { clientId: 'touch-contract-2', to: [{ type: 'contact', id: 'wxid_nobody' }], text }, errcode: null, kind: 'recipient', vendorAttempts: 0 },
      invalidRecipients: [],
    },
    vendor: {
      sends,
      lastRequestBody: () => sends().at(-1)?.body,
      clear: () => {
        seen = new Set(mocker.cacheMessagePayload.keys());
      },
    },
    teardown: () => adapter.stop(),
  };
}

channelAdapterContract('wechaty', wechatyFixture);
