/**
 * The live-codes face: the only file of server/live-codes/ that other modules import. The module (codes, the
 * add ledger, the welcome sender and its friend_added reaction) and its routes.
 */
export { createLiveCodesModule, type LiveCodesDeps, type LiveCodesModule } from './live-code-wiring.ts';
export type { LiveCodeDto, StaffRef } from './live-code.repository.ts';
export { liveCodeRoutes } from './live-code.route.ts';
export { storeCodePublicRoutes } from './store-code-public.route.ts';
export { registerLiveCodesModels, type LiveCodesModels } from './live-codes.models.ts';
