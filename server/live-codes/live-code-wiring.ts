/**
 * Builds the live-code domain from the core services and registers its friend_added reaction. Called by
 * buildModules before any other reaction is added: welcome codes live 20 s, so live codes go first.
 */
import type { Logger } from 'pino';
import type { ChannelAdapter } from '../../adapters/channel-adapter.ts';
import type { ChannelAccount, ChannelAccountRepository } from '../channels/channel-account.repository.ts';
import type { InboundReactions } from '../channels/index.ts';
import type { ContactRepository } from '../contacts/contact.repository.ts';
import type { ContentModule as ContentService } from '../content/index.ts';
import type { Database } from '../db/database.ts';
import type { ExperimentService } from '../experiments/experiment.service.ts';
import type { OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { TagRepository } from '../tags/tag.repository.ts';
import { LiveCodeLedger } from './live-code-ledger.repository.ts';
import { liveCodeListener } from './live-code-listener.ts';
import { LiveCodeRepository } from './live-code.repository.ts';
import { LiveCodeService } from './live-code.service.ts';
import { WelcomeSender } from './welcome-sender.ts';

export type LiveCodeCore = {
  db: Database;
  clock: Clock;
  logger: Logger;
  org: OrgModule;
  content: ContentService;
  experiments: ExperimentService;
  tags: TagRepository;
  contacts: ContactRepository;
  channelAccounts: ChannelAccountRepository;
  adapterFor: (account: ChannelAccount) => ChannelAdapter;
  reactions: InboundReactions;
};

export function wireLiveCodes(core: LiveCodeCore) {
  const m = core.db.models;
  const codes = new LiveCodeRepository(m);
  const ledger = new LiveCodeLedger(m);
  const logger = core.logger.child({ module: 'live-codes' });
  const service = new LiveCodeService({ ...core, codes, ledger, logger });
  const welcome = new WelcomeSender({ ...core, models: m, ledger, logger });
  core.reactions.on('friend_added', liveCodeListener({ codes, ledger, liveCodes: service, welcome, contacts: core.contacts, models: m, clock: core.clock, logger }));
  return { codes, ledger, service, welcome };
}
