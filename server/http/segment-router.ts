/**
 * One @koa/router per first path segment (`api`, `callbacks`, `hq`, …), picked by a map lookup. A single router
 * tests every route's regular expression in turn, so a vendor callback paid for ~150 failed matches before its
 * own, more than verifying its signature costs. Matching stays @koa/router's, including 405 / 501 answers.
 */
import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { RouteDef } from './route.ts';

/** Lower-cased like @koa/router's default (case-insensitive) matching; '' for `/`. */
function firstSegment(path: string): string {
  const end = path.indexOf('/', 1);
  return (end < 0 ? path.slice(1) : path.slice(1, end)).toLowerCase();
}

export function segmentRouter(routes: readonly RouteDef[], mount: (router: Router, routes: RouteDef[]) => void): Middleware {
  const groups = new Map<string, RouteDef[]>();
  for (const route of routes) {
    const segment = firstSegment(route.path);
    // A parameter or pattern up front would match requests of every segment: it has no single router to live in.
    if (!/^[\w.-]*$/.test(segment)) throw new Error(`route ${route.method.toUpperCase()} ${route.path}: the first path segment must be literal`);
    groups.set(segment, [...(groups.get(segment) ?? []), route]);
  }
  const bySegment = new Map<string, Middleware>();
  for (const [segment, group] of groups) {
    const router = new Router();
    mount(router, group);
    const match = router.routes() as unknown as Middleware;
    const allowed = router.allowedMethods({ throw: true }) as unknown as Middleware;
    bySegment.set(segment, (ctx, next) => match(ctx, () => allowed(ctx, next)));
  }
  return (ctx, next) => {
    const handle = bySegment.get(firstSegment(ctx.path));
    return handle ? handle(ctx, next) : next();
  };
}
