/**
 * Development default accounts from the environment (WECOM_*, OA_*): validated by the adapter's schema and
 * stored as the kind's default account, which the unnamed callback routes use. Incomplete settings are
 * reported and skipped rather than stored half-valid.
 */
import type { Logger } from 'pino';
import { accountConfigIssues } from '../../adapters/registry.ts';
import { ConfigError, type Config } from '../config.ts';
import type { OrgModule } from '../org/index.ts';
import type { ChannelAccountRepository } from './channel-account.repository.ts';

export type DefaultAccountsDeps = {
  config: { channels: Pick<Config['channels'], 'wecom' | 'officialAccount' | 'wechaty'> };
  channelAccounts: Pick<ChannelAccountRepository, 'upsertDefault'>;
  org: Pick<OrgModule, 'listCorps'>;
};

export async function upsertDefaultAccounts(deps: DefaultAccountsDeps, logger: Logger): Promise<void> {
  const { wecom, officialAccount, wechaty } = deps.config.channels;
  if (wecom) {
    const { corpId, secret, token, encodingAESKey, agentId, apiBase } = wecom;
    const config = { corpId, secret, token, encodingAESKey, ...(agentId ? { agentId } : {}), ...(apiBase ? { apiBase } : {}) };
    const issues = accountConfigIssues('wecom', config);
    if (issues.length) throw new ConfigError(`WECOM_* 配置不完整 WECOM_* settings are incomplete: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    await deps.channelAccounts.upsertDefault({ corpId: corpId!, kind: 'wecom', name: '企业微信（默认）', config });
    logger.info({ corpId }, 'default WeCom account configured from the environment');
  }
  if (officialAccount) {
    const { appId, appSecret, token, encodingAESKey, apiBase } = officialAccount;
    const config = { appId, appSecret, token, ...(encodingAESKey ? { encodingAESKey } : {}), ...(apiBase ? { apiBase } : {}) };
    const issues = accountConfigIssues('official_account', config);
    if (issues.length) throw new ConfigError(`OA_* 配置不完整 OA_* settings are incomplete: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    // An official account belongs to the corp its WeCom account serves (or the only corp).
    const corpId = wecom?.corpId ?? (await deps.org.listCorps())[0]?.corpId;
    if (!corpId) throw new ConfigError('已设置 OA_*，但还没有企业可以挂接公众号 OA_* is set but no corp exists to attach the official account to');
    await deps.channelAccounts.upsertDefault({ corpId, kind: 'official_account', name: '公众号（默认）', config });
    logger.info({ appId }, 'default official account configured from the environment');
  }
  if (wechaty) {
    const issues = accountConfigIssues('wechaty', wechaty);
    if (issues.length) throw new ConfigError(`WECHATY_* 配置无效 WECHATY_* settings are invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    const corpId = wecom?.corpId ?? (await deps.org.listCorps())[0]?.corpId;
    if (!corpId) throw new ConfigError('已设置 WECHATY_PUPPET，但还没有企业可以挂接机器人 WECHATY_PUPPET is set but no corp exists to attach the bot to');
    await deps.channelAccounts.upsertDefault({ corpId, kind: 'wechaty', name: `wechaty ${wechaty.botId}`, config: wechaty });
    logger.info({ botId: wechaty.botId, puppet: wechaty.puppet }, 'default wechaty bot configured from the environment');
  }
}
