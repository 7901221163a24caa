/**
 * The setup face: the first run on an empty database (corp, first stores, first HQ token, the environment's
 * channel accounts), for `npx siyu setup` and POST /api/setup. The only file of server/setup/ others import.
 */
export { parseStoreFlag, setupSchema, type SetupSpec } from './setup.schema.ts';
export { runSetup, type SetupDeps, type SetupResult } from './setup.service.ts';
export { setupRoutes } from './setup.route.ts';
