/** The tasks domain's collection: `staff_tasks`. */
import type { Connection } from 'mongoose';
import { staffTaskSchema } from './staff-task.schema.ts';

export function registerTasksModels(conn: Connection) {
  return {
    StaffTask: conn.model('StaffTask', staffTaskSchema),
  };
}

export type TasksModels = ReturnType<typeof registerTasksModels>;
