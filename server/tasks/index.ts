/**
 * The tasks module's face: it owns `staff_tasks`, and every write to it goes through here — the staff's own
 * actions (complete, skip), SOP task steps (planOnce), mass-send confirmations (addToMassSend) and handover.
 * Other domains import this file only; the runtime declares the slice it writes (`TaskWriter`).
 */
import type { Clock } from '../shared/clock.ts';
import { StaffTaskRepository, type ContactNames } from './staff-task.repository.ts';
import type { TasksModels } from './tasks.models.ts';

export type { StaffTaskDto, StaffTaskInput, TaskMedia, TaskActor, TaskCountRow, TaskStatus, ContactSummary, ContactNames } from './staff-task.repository.ts';
export { registerTasksModels, type TasksModels } from './tasks.models.ts';
export type { TaskKind } from './staff-task.schema.ts';
export { staffTaskRoutes } from './staff-task.route.ts';

export type TasksModule = StaffTaskRepository;

/** What the SOP runtime writes: task steps and mass-send confirmations. */
export type TaskWriter = Pick<TasksModule, 'planOnce' | 'addToMassSend'>;

/** What the read-back of published sends writes: the task closes once WeCom says what became of the send. */
export type TaskCloser = Pick<TasksModule, 'closeFromVendor'>;

export function createTasksModule(deps: { models: TasksModels; clock: Clock; contacts: ContactNames }): TasksModule {
  return new StaffTaskRepository(deps.models, deps.clock, deps.contacts);
}
