/**
 * A real callback path for tests: the WeCom (and official-account) simulators, the app listening on a port,
 * a channel account pointing at the simulator, and an inbound processor the test drains by hand.
 */
import type { Server } from 'node:http';
import { once } from 'node:events';
import pino from 'pino';
import { startOfficialAccountSimulator, type OfficialAccountSimulator } from '../../adapters/official-account/simulator/official-account-simulator.ts';
import { startWecomSimulator, SIM_CORP_ID, SIM_SECRET, type WecomSimulator } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { createApp } from '../../server/app.ts';
import type { ChannelAccount } from '../../server/channels/channel-account.repository.ts';
import type { InboundProcessor } from '../../server/channels/index.ts';
import type { Database } from '../../server/db/database.ts';
import { seedTestOrg, testServices, type TestOrg } from './test-app.ts';
import { type Models } from '../../server/modules.ts';

export const CALLBACK_TOKEN = 'QDG6eK';
export const CALLBACK_AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
export const OA_APP_ID = 'wxsimoa000000001';

export type ChannelHarness = {
  sim: WecomSimulator;
  oaSim: OfficialAccountSimulator;
  services: ReturnType<typeof testServices>;
  org: TestOrg;
  wecom: ChannelAccount;
  oa: ChannelAccount;
  baseUrl: string;
  processor: InboundProcessor;
  stop(): Promise<void>;
};

export async function startChannelHarness(db: Database<Models>, opts: { callbackBodyLimitBytes?: number } = {}): Promise<ChannelHarness> {
  const sim = await startWecomSimulator();
  const oaSim = await startOfficialAccountSimulator({ appId: OA_APP_ID });
  const services = testServices(db, { callbackBodyLimitBytes: opts.callbackBodyLimitBytes, realClock: true });
  const org = await seedTestOrg(services, SIM_CORP_ID);
  for (const userid of ['a1', 'a2', 'b1']) sim.control.addStaff(userid);
  const wecom = await services.channelAccounts.upsertDefault({
    corpId: SIM_CORP_ID,
    kind: 'wecom',
    name: '测试企业微信',
    config: { corpId: SIM_CORP_ID, secret: SIM_SECRET, token: CALLBACK_TOKEN, encodingAESKey: CALLBACK_AES_KEY, apiBase: sim.baseUrl },
  });
  const oa = await services.channelAccounts.upsertDefault({
    corpId: SIM_CORP_ID,
    kind: 'official_account',
    name: '测试公众号',
    config: { appId: OA_APP_ID, appSecret: oaSim.secret, token: CALLBACK_TOKEN, encodingAESKey: CALLBACK_AES_KEY, apiBase: oaSim.baseUrl },
  });
  const server: Server = createApp(services).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const processor = services.channels.processor(pino({ level: 'silent' }));
  return {
    sim,
    oaSim,
    services,
    org,
    wecom,
    oa,
    baseUrl,
    processor,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sim.stop();
      await oaSim.stop();
    },
  };
}
