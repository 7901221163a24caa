/**
 * The groups face: customer group chats and their member history (`customer_groups`), written by channel sync
 * and callbacks, read for contact detail and dashboards. The only file of server/groups/ other domains import.
 */
import { CustomerGroupRepository } from './customer-group.repository.ts';
import type { GroupsModels } from './groups.models.ts';

export { registerGroupsModels, type GroupsModels } from './groups.models.ts';
export type { GroupMemberInput } from './customer-group.repository.ts';

export type GroupsModule = CustomerGroupRepository;

export type GroupsDeps = { models: GroupsModels };

export function createGroupsModule(deps: GroupsDeps): GroupsModule {
  return new CustomerGroupRepository(deps.models);
}
export type { GroupFilter, GroupRow } from './customer-group.repository.ts';
export { groupRoutes, type GroupRouteDeps } from './group.route.ts';
