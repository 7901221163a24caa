/**
 * First middleware in the chain: renders every error as { error: { code, message, details } }. AppErrors show
 * their message; anything else is logged with the request id and shown as a bare 500.
 */
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { AppError, ErrorCode } from '../errors.ts';

export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { error: { code: ErrorCode.NotFound, message: `没有这个接口 No route for ${ctx.method} ${ctx.path}`, details: null } };
      }
    } catch (err) {
      if (err instanceof AppError) {
        ctx.status = err.status;
        ctx.body = { error: { code: err.code, message: err.message, details: err.details ?? null } };
        return;
      }
      const status = (err as { status?: number; expose?: boolean }).status;
      if (status && status >= 400 && status < 500 && (err as { expose?: boolean }).expose) {
        ctx.status = status;
        ctx.body = { error: { code: status === 405 ? ErrorCode.MethodNotAllowed : ErrorCode.BadRequest, message: (err as Error).message, details: null } };
        const allow = (err as { headers?: Record<string, string> }).headers?.Allow;
        if (allow) ctx.set('Allow', allow);
        return;
      }
      (ctx.state.log ?? logger).error({ err }, 'unhandled error');
      ctx.status = 500;
      ctx.body = { error: { code: ErrorCode.Internal, message: '服务器内部错误 Internal error', details: { requestId: ctx.state.requestId ?? null } } };
    }
  };
}
