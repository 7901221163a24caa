/**
 * Registers every schema on one connection: each domain registers its own collections (`registerXModels` on
 * its face); this file only puts them on one connection, in one place, so index builds run once at open.
 */
import type { Connection } from 'mongoose';
import { registerAuthModels } from '../auth/index.ts';
import { registerSopModels } from '../sop/index.ts';
import { registerTasksModels } from '../tasks/index.ts';
import { registerChannelsModels } from '../channels/index.ts';
import { registerContactsModels } from '../contacts/index.ts';
import { registerContentModels } from '../content/index.ts';
import { registerEventsModels } from '../events/index.ts';
import { registerExperimentsModels } from '../experiments/index.ts';
import { registerHandoverModels } from '../handover/index.ts';
import { registerSidebarModels } from '../sidebar/index.ts';
import { registerGroupsModels } from '../groups/index.ts';
import { registerLiveCodesModels } from '../live-codes/index.ts';
import { registerOrgModels } from '../org/index.ts';
import { registerSystemModels } from '../system/heartbeat.repository.ts';
import { registerDailyModels } from '../daily/index.ts';
import { registerCampaignsModels } from '../campaigns/index.ts';
import { registerTagsModels } from '../tags/index.ts';
import { registerKfModels } from '../kf/index.ts';

export function registerModels(conn: Connection) {
  return {
    ...registerOrgModels(conn),
    ...registerTagsModels(conn),
    ...registerContactsModels(conn),
    ...registerGroupsModels(conn),
    ...registerEventsModels(conn),
    ...registerAuthModels(conn),
    ...registerSystemModels(conn),
    ...registerDailyModels(conn),
    ...registerSopModels(conn),
    ...registerTasksModels(conn),
    ...registerChannelsModels(conn),
    ...registerContentModels(conn),
    ...registerExperimentsModels(conn),
    ...registerSidebarModels(conn),
    ...registerHandoverModels(conn),
    ...registerLiveCodesModels(conn),
    ...registerCampaignsModels(conn),
    ...registerKfModels(conn),
  };
}

export type Models = ReturnType<typeof registerModels>;
