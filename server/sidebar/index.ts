/**
 * The sidebar face: the only file of server/sidebar/ that other modules import. The chat sidebar's routes, and
 * the WeCom account a corp's sidebar and handovers go through.
 */
export { corpWecom, type CorpWecomDeps } from './corp-wecom.ts';
export { createSidebarModule, type SidebarModule, type SidebarModuleDeps } from './sidebar.module.ts';
export { sidebarRoutes, type SidebarRouteDeps } from './sidebar.route.ts';
export { registerSidebarModels, type SidebarModels } from './sidebar.models.ts';
