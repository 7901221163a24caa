/**
 * Builds the koa app without listening. Order: request context (id, log, latency) wraps the error handler,
 * so the logged status is the one the error handler chose; then the URL guard (400 for bytes no route can use),
 * the request timeout (503), and the routes, one router per first path segment.
 */
import Koa from 'koa';
import { staffLoginRoutes } from './auth/staff-login.route.ts';
import { tokenRoutes } from './auth/token.route.ts';
import { channelCallbackRoutes } from './channels/callback.route.ts';
import { channelAccountRoutes } from './channels/channel-account.route.ts';
// The SOP route factories are imported here, not through the face: http/route.ts still types handler contexts
// with the whole module graph, so a face re-exporting routes would close an import cycle with modules.ts.
import { sopRoutes } from './sop/sop.route.ts';
import { executionRoutes } from './sop/execution.route.ts';
import { contactRoutes } from './contacts/contact.route.ts';
import { contentRoutes } from './content/content.route.ts';
import { errorHandler } from './http/error-handler.ts';
import { conversionRoutes } from './experiments/conversion.route.ts';
import { experimentRoutes } from './experiments/experiment.route.ts';
import { shortLinkRoutes } from './experiments/short-link.route.ts';
import { requestContext } from './http/request-context.ts';
import { requestTimeout } from './http/request-timeout.ts';
import { urlGuard } from './http/url-guard.ts';
import { mountRoutes, type HttpDeps, type RouteDef } from './http/route.ts';
import { authenticate } from './http/auth.middleware.ts';
import { resolveScope } from './http/corp-scope.ts';
import { segmentRouter } from './http/segment-router.ts';
import { orgRoutes } from './org/org.route.ts';
import type { Modules } from './modules.ts';
import { systemRoutes } from './system/system.route.ts';
import { tagRoutes } from './tags/tag.route.ts';
import { campaignRoutes } from './campaigns/campaign.route.ts';
import { leadRoutes } from './campaigns/lead.route.ts';
import { liveCodeRoutes } from './live-codes/live-code.route.ts';
import { storeCodePublicRoutes } from './live-codes/store-code-public.route.ts';
import { staffTaskRoutes } from './tasks/staff-task.route.ts';
import { handoverRoutes } from './handover/handover.route.ts';
import { sidebarRoutes } from './sidebar/sidebar.route.ts';
import { setupRoutes } from './setup/setup.route.ts';
import { webRoutes } from './web/web.route.ts';

export const VERSION = '0.1.0';

/**
 * Every route, from the modules. A route file is a factory over what its handlers need (`xRoutes(deps)`);
 * factories only close over their dependencies, so the list can be built for OpenAPI without a database.
 */
export function allRoutes(modules: Modules): RouteDef[] {
  void modules;
  const routes: RouteDef[] = [];
  routes.push(...systemRoutes(() => routes, VERSION), ...orgRoutes, ...tagRoutes, ...contactRoutes, ...contentRoutes, ...tokenRoutes, ...channelAccountRoutes, ...sopRoutes(modules), ...executionRoutes({ org: modules.org, tasks: modules.tasks, ledger: modules.ledger, daily: modules.daily, clock: modules.clock }), ...experimentRoutes, ...conversionRoutes, ...shortLinkRoutes, ...channelCallbackRoutes, ...staffTaskRoutes, ...staffLoginRoutes, ...webRoutes);
  routes.push(...campaignRoutes, ...leadRoutes);
  routes.push(...liveCodeRoutes, ...storeCodePublicRoutes);
  routes.push(...sidebarRoutes, ...handoverRoutes);
  routes.push(...setupRoutes);
  return routes;
}

export function createApp(services: Modules): Koa {
  const app = new Koa({ proxy: true });
  app.silent = true;
  app.use(requestContext(services.logger, services.metrics));
  app.use(errorHandler(services.logger));
  app.use(urlGuard());
  app.use(requestTimeout(services.config.requestTimeout));
  const http: HttpDeps = {
    authenticate: (ctx) => authenticate(ctx, services.tokens),
    resolveScope: (principal, corpId) => resolveScope(principal, corpId, services),
    services,
  };
  app.use(segmentRouter(allRoutes(services), (router, routes) => mountRoutes(router, routes, http, services.config.http.bodyLimitBytes)));
  return app;
}
