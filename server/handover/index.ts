/**
 * The handover face: the only file of server/handover/ that other modules import. The module (handover jobs,
 * the transfer_fail reaction), the participants other domains register so their per-member records follow a
 * customer handed over, and the routes.
 */
export { createHandoverModule, type HandoverModule, type HandoverModuleDeps } from './handover.module.ts';
export type { CustomerMove, HandoverParticipant, HandoverParticipants } from './handover-participants.ts';
export type { HandoverInput } from './handover.service.ts';
export { handoverRoutes } from './handover.route.ts';
export { registerHandoverModels, type HandoverModels } from './handover.models.ts';
