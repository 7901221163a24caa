/**
 * The contacts face (so far the part the channels domain uses; the contacts slice owns and completes it).
 */
export type { UpsertResult } from './contact-identity.service.ts';
export type { FollowInput } from './follow.repository.ts';
export type { Identity } from './identity.ts';
export type { ContactChannelState } from './contact.repository.ts';
export type { ContactIdentityService } from './contact-identity.service.ts';
export type { FollowRepository } from './follow.repository.ts';
export { isOptOutReply, optOutOnStopReply, type OptOutDeps } from './opt-out-reply.ts';
