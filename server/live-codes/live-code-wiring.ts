/**
 * The live-codes module, wired from its declared dependencies: codes, the add and welcome ledgers, the service
 * that keeps WeCom's contact ways in step, the welcome sender, the analytics report, and the friend_added
 * reaction it registers. Built by buildModules before any other reaction is added: welcome codes live 20 s, so
 * live codes go first.
 */
import type { Logger } from 'pino';
import type { ChannelAdapter } from '../../adapters/channel-adapter.ts';
import type { ChannelAccount, ChannelAccountRepository, InboundReactions } from '../channels/index.ts';
import type { ContactRepository } from '../contacts/index.ts';
import type { ContentModule as ContentService } from '../content/index.ts';
import type { ExperimentService } from '../experiments/index.ts';
import type { OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Scope } from '../shared/scope.ts';
import type { TagRepository } from '../tags/index.ts';
import { LiveCodeLedger } from './live-code-ledger.repository.ts';
import { liveCodeListener, type LiveCodeListenerDeps } from './live-code-listener.ts';
import { liveCodeReport, type LiveCodeReportDeps, type ReportQuery } from './live-code-report.ts';
import { LiveCodeRepository } from './live-code.repository.ts';
import { LiveCodeService } from './live-code.service.ts';
import type { LiveCodesModels } from './live-codes.models.ts';
import { WelcomeSender } from './welcome-sender.ts';

export type LiveCodesDeps = {
  models: LiveCodesModels;
  clock: Clock;
  logger: Logger;
  org: OrgModule;
  content: Pick<ContentService, 'pinnedVersions' | 'getVersion'>;
  experiments: Pick<ExperimentService, 'get' | 'ensureForCampaign' | 'configure' | 'step' | 'recordUnit'>;
  tags: Pick<TagRepository, 'assertExist'>;
  contacts: Pick<ContactRepository, 'changeTags' | 'findRow'>;
  follows: LiveCodeListenerDeps['follows'];
  events: LiveCodeReportDeps['events'];
  channelAccounts: Pick<ChannelAccountRepository, 'get' | 'listForCorp'>;
  adapterFor: (account: ChannelAccount) => ChannelAdapter;
  reactions: InboundReactions;
};

export function createLiveCodesModule(deps: LiveCodesDeps) {
  const codes = new LiveCodeRepository(deps.models);
  const ledger = new LiveCodeLedger(deps.models);
  const logger = deps.logger.child({ module: 'live-codes' });
  const service = new LiveCodeService({ ...deps, codes, ledger, logger });
  const welcome = new WelcomeSender({ ...deps, ledger, logger });
  deps.reactions.on('friend_added', liveCodeListener({ codes, ledger, liveCodes: service, welcome, contacts: deps.contacts, follows: deps.follows, clock: deps.clock, logger }));
  return {
    codes,
    ledger,
    service,
    welcome,
    /** Adds, re-adds, losses and net growth for the caller's scope and period (live-code-report.ts). */
    report: (scope: Scope, q: ReportQuery) => liveCodeReport({ ...deps, codes, ledger }, scope, q),
    /** Corps with at least one active code: the ones the 5-minute refresh visits. */
    corpsWithActiveCodes: () => codes.corpsWithActiveCodes(),
  };
}

export type LiveCodesModule = ReturnType<typeof createLiveCodesModule>;
