/**
 * The handover face: what other modules may import from server/handover/. Its inbound reactions, and the
 * participants other domains register so their per-member records follow a customer handed over.
 */
export { wireHandoverReactions, type HandoverReactionDeps } from './handover-wiring.ts';
export { HandoverParticipants, type CustomerMove, type HandoverParticipant } from './handover-participants.ts';
export { registerHandoverModels, type HandoverModels } from './handover.models.ts';
