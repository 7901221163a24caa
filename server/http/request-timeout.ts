/**
 * Answers 503 when the routes have not answered within the budget, so a hung database (or vendor) costs the
 * caller seconds, not the minute or more a socket takes to give up. Multipart uploads (the lead CSV import) get
 * their own, longer budget: their handler reads the file from the network. The budget covers the handler only;
 * a streamed body (none today: CSV exports are built before they are sent) is not cut off.
 *
 * JavaScript cannot cancel the handler: it runs on, and whatever it writes may still happen, which is why the
 * message says the outcome is unknown. Its late failure is logged, never left unhandled.
 */
import type { Middleware } from 'koa';
import { AppError, ErrorCode } from '../errors.ts';

export function requestTimeout(budget: { defaultMs: number; uploadMs: number }): Middleware {
  return async (ctx, next) => {
    const ms = ctx.is('multipart') ? budget.uploadMs : budget.defaultMs;
    const work = next();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), ms);
    });
    try {
      if ((await Promise.race([work, expired])) !== 'expired') return;
    } finally {
      clearTimeout(timer);
    }
    work.catch((err: unknown) => ctx.state.log?.warn({ err, route: ctx.state.route }, 'request failed after its timeout answer'));
    ctx.state.log?.warn({ method: ctx.method, path: ctx.path, route: ctx.state.route, ms }, 'request timed out');
    const seconds = ms % 1000 ? (ms / 1000).toFixed(1) : String(ms / 1000);
    throw new AppError(
      503,
      ErrorCode.Unavailable,
      `请求超时：${seconds} 秒内未完成，结果未知，请稍后重试 Request timed out after ${seconds} s; its outcome is unknown, retry later`,
      { timeoutMs: ms },
    );
  };
}
