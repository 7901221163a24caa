/**
 * The sidebar face: the only file of server/sidebar/ that other modules import. The chat sidebar's routes, and
 * the WeCom account a corp's sidebar and handovers go through.
 */
export { corpWecom } from './corp-wecom.ts';
export { sidebarRoutes } from './sidebar.route.ts';
export { registerSidebarModels, type SidebarModels } from './sidebar.models.ts';
