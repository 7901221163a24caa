/** The groups face (so far the part the channels domain uses; the groups slice owns and completes it). */
import type { CustomerGroupRepository } from './customer-group.repository.ts';

export type { GroupMemberInput } from './customer-group.repository.ts';
export type GroupsModule = CustomerGroupRepository;
