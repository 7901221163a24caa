/**
 * The corp's default WeCom account pointed at a running WeCom simulator, as the SOP, experiment and daily-work
 * specs need it: the simulator's corp and secret, a fixed callback token and AES key.
 */
import { SIM_CORP_ID, SIM_SECRET, type WecomSimulator } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import type { Modules } from '../../server/modules.ts';

export const SIM_CALLBACK = { token: 'tok', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };

export async function useSimulatorAccount(services: Pick<Modules, 'channelAccounts'>, corpId: string, sim: WecomSimulator, extra: { agentId?: string } = {}): Promise<void> {
  await services.channelAccounts.upsertDefault({ corpId, kind: 'wecom', name: 'sim', config: { corpId: SIM_CORP_ID, secret: SIM_SECRET, ...SIM_CALLBACK, ...extra, apiBase: sim.baseUrl } });
}
