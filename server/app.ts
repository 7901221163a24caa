/**
 * Builds the koa app without listening. Order: request context (id, log, latency) wraps the error handler,
 * so the logged status is the one the error handler chose; then the URL guard (400 for bytes no route can use),
 * the request timeout (503), and the routes, one router per first path segment.
 */
import Koa from 'koa';
import { staffLoginRoutes, tokenRoutes } from './auth/index.ts';
import { channelAccountRoutes, channelCallbackRoutes } from './channels/index.ts';
import { executionRoutes, sopRoutes } from './sop/index.ts';
import { contactProfileRoutes, contactRoutes } from './contacts/index.ts';
import { contentRoutes } from './content/index.ts';
import { errorHandler } from './http/error-handler.ts';
import { conversionRoutes, experimentRoutes, shortLinkRoutes } from './experiments/index.ts';
import { requestContext } from './http/request-context.ts';
import { requestTimeout } from './http/request-timeout.ts';
import { urlGuard } from './http/url-guard.ts';
import { mountRoutes, type HttpDeps, type RouteDef } from './http/route.ts';
import { authenticate } from './http/auth.middleware.ts';
import { resolveScope } from './http/corp-scope.ts';
import { segmentRouter } from './http/segment-router.ts';
import { orgRoutes } from './org/index.ts';
import { setupDepsOf, type Modules } from './modules.ts';
import { systemRoutes } from './system/system.route.ts';
import { tagMergeRoutes, tagRoutes } from './tags/index.ts';
import { groupRoutes } from './groups/index.ts';
import { corpWecom } from './sidebar/index.ts';
import { campaignRoutes, leadRoutes } from './campaigns/index.ts';
import { liveCodeRoutes, storeCodePublicRoutes } from './live-codes/index.ts';
import { staffTaskRoutes } from './tasks/index.ts';
import { handoverRoutes } from './handover/index.ts';
import { sidebarRoutes } from './sidebar/index.ts';
import { setupRoutes } from './setup/index.ts';
import { webRoutes } from './web/web.route.ts';
import { kfDeskRoutes, kfRoutes } from './kf/index.ts';

export const VERSION = '0.1.0';

/**
 * Every route, from the modules. A route file is a factory over what its handlers need (`xRoutes(deps)`);
 * factories only close over their dependencies, so the list can be built for OpenAPI without a database.
 */
export function allRoutes(modules: Modules): RouteDef[] {
  const routes: RouteDef[] = [];
  routes.push(...systemRoutes({ dbUp: modules.dbUp, metrics: modules.metrics, routes: () => routes, version: VERSION }), ...orgRoutes({ org: modules.org, staffAccess: modules.auth }), ...tagRoutes({ tags: modules.tags, clock: modules.clock, wecom: async (corpId) => (await corpWecom(modules, corpId))?.adapter ?? null }), ...contactRoutes(modules), ...contentRoutes({ content: modules.content }), ...tokenRoutes({ auth: modules.auth, org: modules.org, clock: modules.clock }), ...channelAccountRoutes({ channels: modules.channels }), ...sopRoutes(modules), ...executionRoutes({ org: modules.org, tasks: modules.tasks, ledger: modules.ledger, daily: modules.daily, inboxBacklog: (corpId) => modules.channels.inbox.backlog(corpId), clock: modules.clock }), ...channelCallbackRoutes({ channels: modules.channels, logger: modules.logger }), ...staffTaskRoutes({ tasks: modules.tasks, org: modules.org, clock: modules.clock }), ...staffLoginRoutes({ auth: modules.auth }), ...webRoutes());
  routes.push(
    ...experimentRoutes({ experiments: modules.experiments, sops: modules.sops }),
    ...conversionRoutes({ contacts: modules.contacts, contactChannels: modules.contactChannels, events: modules.events, clock: modules.clock }),
    ...shortLinkRoutes({ experiments: modules.experiments, ledger: modules.ledger, contacts: modules.contacts, events: modules.events, clock: modules.clock }),
  );
  routes.push(
    ...campaignRoutes({ campaigns: modules.campaigns, org: modules.org, experiments: modules.experiments, clock: modules.clock }),
    ...leadRoutes({ campaigns: modules.campaigns, org: modules.org, phones: modules.phones, clock: modules.clock }),
  );
  routes.push(...liveCodeRoutes({ liveCodes: modules.liveCodes }), ...storeCodePublicRoutes({ liveCodes: modules.liveCodes, org: modules.org, clock: modules.clock }));
  routes.push(...sidebarRoutes({ sidebar: modules.sidebar, signInWithOAuthCode: (code) => modules.auth.staffLogin.signInWithOAuthCode(code) }), ...handoverRoutes({ handover: modules.handover }));
  routes.push(...setupRoutes(setupDepsOf(modules)));
  routes.push(...kfRoutes({ kf: modules.kf }));
  // The console's customer detail, tag page and group pages (issue 15).
  routes.push(
    ...contactProfileRoutes({ ...modules, runs: modules.ledger.runs, touches: modules.ledger.touches, touchFeed: modules.ledger.touches, sopNames: modules.ledger.sops, notes: modules.sidebar, leads: modules.campaigns.leads }),
    ...tagMergeRoutes({ ...modules, wecom: async (corpId) => (await corpWecom(modules, corpId))?.adapter ?? null }),
    ...groupRoutes({ ...modules, runs: modules.ledger.runs, sopNames: modules.ledger.sops }),
  );
  routes.push(...kfDeskRoutes({ kf: modules.kf, contacts: modules.contacts, sidebar: modules.sidebar, org: modules.org }));
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
  };
  app.use(segmentRouter(allRoutes(services), (router, routes) => mountRoutes(router, routes, http, services.config.http.bodyLimitBytes)));
  return app;
}
