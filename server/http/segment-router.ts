/**
 * One @koa/router per first path segment (`api`, `callbacks`, `hq`, …), picked by a map lookup. A single router
 * tests every route's regular expression in turn, so a vendor callback paid for ~150 failed matches before its
 * own, more than verifying its signature costs. Matching stays @koa/router's; a method a path does not serve
 * (TRACE, CONNECT, PUT on a GET route, …) answers 405 with the path's `Allow` list.
 */
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { AppError, ErrorCode } from '../errors.ts';
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
    const allowed = router.allowedMethods() as unknown as Middleware;
    bySegment.set(segment, (ctx, next) => match(ctx, () => allowed(ctx, next).then(() => refuseMethod(ctx))));
  }
  return (ctx, next) => {
    const handle = bySegment.get(firstSegment(ctx.path));
    return handle ? handle(ctx, next) : next();
  };
}

/**
 * @koa/router answers a method it knows but the path does not serve with 405, and one it does not know at all
 * (TRACE, CONNECT, …) with 501, which left the error handler a bare status to render as 500. Both become 405
 * with the path's Allow list; on a path that exists under no method the answer stays 404.
 */
function refuseMethod(ctx: Context): void {
  if (ctx.status !== 405 && ctx.status !== 501) return;
  const allow = ctx.response.get('Allow');
  if (!allow) {
    ctx.remove('Allow');
    ctx.status = 404;
    return;
  }
  throw new AppError(405, ErrorCode.MethodNotAllowed, `不支持的请求方法 ${ctx.method}，可用 ${allow} · Method ${ctx.method} not allowed here; allowed: ${allow}`, { allow: allow.split(', ') });
}
