/**
 * The SOP face: definitions (schemas, loader), the schedule math other domains plan with, the ledger and the
 * module (createSopModule) with its route factories. The only file of server/sop/ that other domains import.
 * Date math, variant hashing and the inbound event types that count as a reply are domain-neutral and live in
 * server/shared/ (local-time.ts, variant.ts, reply-types.ts; import them from there, this face does not
 * repeat them); the send channels and the kebab id shape too (send-channels.ts), so content does not depend on SOP.
 */
export type { Sop, SopInput, Subject, ExitCondition, Reentry, Step, StepType, Channel, Condition, Variant, WaitStep, SendStep, Trigger, EventTrigger, AudienceFilter, QuietHours, FrequencyCap, StorePolicy, DurationParts } from './definition/sop.schema.ts';
export { quietHoursSchema } from './definition/common.schema.ts';
export { loadSopFile, formatProblem, type SopLoadResult, type SopProblem } from './definition/sop-loader.ts';
export { planSteps, type PlannedStep, type DeliveryPolicy } from './schedule/plan.ts';

export type { SopLedger, RunnerLedger, DispatcherLedger } from './ledger/index.ts';
export type { TouchRow, TouchDoc, TouchStatus, RunRow, RunStatus, SopRecordRow, DayTouch, ExperimentTouch, Exposure } from './ledger/index.ts';
export type { SopRegistry, SopRecord } from './runtime/sop-registry.ts';
export type { ContactRouter, ContactRouting } from './runtime/routing.ts';
export type { RunFacts } from './runtime/run-facts.ts';
export type { SopEngine } from './runtime/sop-engine.ts';
export { createSopModule, type SopDeps, type SopModule } from './sop.module.ts';
export type { EnrollOutcome } from './runtime/enroll.ts';
export type { TouchRenderer } from './runtime/touch-renderer.ts';
export type { SopModels } from './ledger/index.ts';
export { registerSopModels } from './ledger/sop.models.ts';
export { createSopLedger } from './ledger/index.ts';
export { sopRoutes } from './sop.route.ts';
export { publishProblems, type PublishCheck, type PublishCheckDeps } from './runtime/publish-checks.ts';
export { executionRoutes } from './execution.route.ts';
