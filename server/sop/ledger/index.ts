/**
 * The SOP ledger's face: runs (`sop_enrollments`), touches (`sop_touches`), published SOPs (`sops`,
 * `sop_versions`), schedule firings and the trigger-feed cursor. Only the repositories here touch those
 * collections; every method takes the tenant and returns plain rows. The runtime declares the slice it needs
 * (`RunnerLedger`, `DispatcherLedger`), so its unit specs run over in-memory fakes of exactly that slice.
 */
import type { Connection } from 'mongoose';
import { EnrollmentRepository } from './enrollment.repository.ts';
import { ScheduleFireRepository } from './schedule-fire.repository.ts';
import { SopRecordRepository } from './sop-record.repository.ts';
import type { SopModels } from './sop.models.ts';
import { TouchRepository } from './touch.repository.ts';
import { TriggerFeedRepository } from './trigger-feed.repository.ts';

export type { TouchRow, TouchDoc, TouchStatus } from './touch.schema.ts';
export type { RunRow, EnrollmentDoc, RunStatus } from './enrollment.schema.ts';
export type { SopRecordRow, SopRecordDoc } from './sop-record.schema.ts';
export type { TouchOutcome, TouchError, CapHistory, DayTouch, ExperimentTouch, Exposure } from './touch.repository.ts';
export type { RunPosition, PastRun, NewRun } from './enrollment.repository.ts';
export type { NewDoc } from './insert-new.ts';
export { siblingsOf, sendsTogether, TouchRepository } from './touch.repository.ts';
export { EnrollmentRepository } from './enrollment.repository.ts';
export { SopRecordRepository } from './sop-record.repository.ts';
export type { SopModels } from './sop.models.ts';

export type SopLedger = {
  touches: TouchRepository;
  runs: EnrollmentRepository;
  sops: SopRecordRepository;
  fires: ScheduleFireRepository;
  feed: TriggerFeedRepository;
};

/** What the runner reads and writes. */
export type RunnerLedger = {
  runs: Pick<EnrollmentRepository, 'claim' | 'move' | 'finish' | 'release'>;
  touches: Pick<TouchRepository, 'plan' | 'skipPlannedOfRun'>;
  sops: Pick<SopRecordRepository, 'find' | 'contentPins'>;
};

/** What the dispatcher reads and writes. */
export type DispatcherLedger = {
  touches: Pick<TouchRepository, 'claimBatch' | 'renewLeases' | 'extendLeases' | 'capHistory' | 'markSent' | 'settle' | 'defer' | 'releaseUnsent' | 'markAwaiting' | 'sendingOwners' | 'lapseLeasesOf'>;
  sops: Pick<SopRecordRepository, 'find'>;
};

/** What the read-back of sends staff publish themselves reads and writes. */
export type ReadBackLedger = {
  touches: Pick<TouchRepository, 'claimAwaiting' | 'recheckAwaiting' | 'markSent' | 'settle'>;
};


type LedgerDb = { connection: Connection; models: SopModels };

export function createSopLedger(db: LedgerDb): SopLedger {
  const m = db.models;
  // The connection's handle exists once it is open; bulk inserts ask for it when they write.
  const raw = () => db.connection.db!;
  return {
    touches: new TouchRepository(m.Touch, raw),
    runs: new EnrollmentRepository(m.Enrollment, raw),
    sops: new SopRecordRepository(m.Sop, m.SopVersion),
    fires: new ScheduleFireRepository(m.SopScheduleFire),
    feed: new TriggerFeedRepository(m.SopTriggerFeed),
  };
}
