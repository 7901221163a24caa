/**
 * The handover module, wired from its declared dependencies: handover jobs (create, poll, report), the
 * participants other domains register so their per-member records follow a customer, and the transfer_fail
 * reaction, which handover owns. It owns `handovers` and `handover_items`.
 */
import type { InboundReactions } from '../channels/index.ts';
import type { Scope } from '../shared/scope.ts';
import { HandoverParticipants } from './handover-participants.ts';
import { settleTransferFailed } from './handover-settle.ts';
import type { HandoverModels } from './handover.models.ts';
import { HandoverRepository, type HandoverRow } from './handover.repository.ts';
import { HandoverService, type HandoverDeps, type HandoverInput } from './handover.service.ts';

export type HandoverModuleDeps = Omit<HandoverDeps, 'repo' | 'participants'> & { models: HandoverModels; reactions: InboundReactions };

export function createHandoverModule(deps: HandoverModuleDeps) {
  const repo = new HandoverRepository(deps.models);
  const participants = new HandoverParticipants();
  const service = new HandoverService({ ...deps, repo, participants });
  deps.reactions.own('friend_transfer_failed', { name: 'handover', handle: ({ event }) => settleTransferFailed(repo, deps.clock, event) });
  return {
    /** Records other domains keep per (customer, member) that follow a handed-over customer (campaign leads …). */
    participants,
    create: (scope: Scope, input: HandoverInput, createdBy: string) => service.create(scope, input, createdBy),
    /** Handovers the scope can see, newest first. */
    list: (scope: Scope): Promise<HandoverRow[]> => repo.list(scope),
    report: (scope: Scope, id: string) => service.report(scope, id),
    /** Asks WeCom for a running handover's results now, then reports it. */
    async pollNow(scope: Scope, id: string) {
      const job = await repo.get(scope, id);
      if (job.status === 'running') await service.poll(job, deps.clock.now());
      return service.report(scope, id);
    },
    /** Polls every running job of the corp whose time has come (the hourly job). */
    pollDue: (corpId: string, now: Date) => service.pollDue(corpId, now),
    /** Corps with a running handover, across tenants: the hourly job's sweep. */
    corpsWithRunningHandovers: () => repo.corpsWithRunning(),
  };
}

export type HandoverModule = ReturnType<typeof createHandoverModule>;
