/**
 * The daily domain wired from its declared dependencies: claims of store-local daily work, the nightly SOP
 * rollup and the 09:00 task digest, over its own collections (daily.repository.ts).
 */
import type { Scope } from '../shared/scope.ts';
import { DailyRepository, type RollupRow } from './daily.repository.ts';
import type { DailyModels } from './daily.models.ts';
import { rollupStoreDay, type RollupDeps } from './sop-rollup.ts';
import { claimDailyWork, type ClaimDeps, type DailyWorkItem } from './store-daily-work.ts';
import { sendTaskDigests, type DigestDeps, type DigestOutcome } from './task-digest.ts';

type StoreDay = { corpId: string; storeId: string; localDate: string };

export type DailyDeps<A> = Omit<RollupDeps, 'daily' | 'tasks'> &
  Omit<ClaimDeps, 'daily' | 'org'> &
  Omit<DigestDeps<A>, 'daily' | 'org' | 'tasks'> & {
    models: DailyModels;
    org: ClaimDeps['org'] & DigestDeps<A>['org'];
    tasks: RollupDeps['tasks'] & DigestDeps<A>['tasks'];
  };

export type DailyModule = {
  /** Claims the daily work due now that no process has claimed yet; returns what this caller won. */
  claimDue(owner: string): Promise<DailyWorkItem[]>;
  /** Recomputes one store day's rollup rows; returns how many rows it wrote. */
  rollupStoreDay(day: StoreDay): Promise<number>;
  /** Rollup rows of a date range (inclusive), within the caller's stores. */
  readRollups(scope: Scope, range: { from: string; to: string; storeId?: string }): Promise<RollupRow[]>;
  /** Sends the store's "今日任务" cards for the day (once per staff member). */
  sendTaskDigests(day: StoreDay, pageUrl: string): Promise<DigestOutcome>;
};

export function createDailyModule<A extends { kind: string; isDefault?: boolean }>(deps: DailyDeps<A>): DailyModule {
  const daily = new DailyRepository(deps.models);
  const wired = { ...deps, daily };
  return {
    claimDue: (owner) => claimDailyWork(wired, owner),
    rollupStoreDay: (day) => rollupStoreDay(wired, day),
    readRollups: (scope, range) => daily.rollups(scope, range),
    sendTaskDigests: (day, pageUrl) => sendTaskDigests(wired, day, pageUrl),
  };
}
