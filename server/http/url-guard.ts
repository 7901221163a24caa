/**
 * Refuses, in one place, request URLs whose bytes no route can use: malformed percent-encoding, percent-encoded
 * bytes that are not UTF-8, and NUL. Left through, a NUL reached MongoDB inside a query string (`?q=%00` became a
 * BSONError and a 500) and invalid UTF-8 silently turned into U+FFFD.
 */
import type { Middleware } from 'koa';
import { BadRequestError } from '../errors.ts';

export function urlGuard(): Middleware {
  return (ctx, next) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(ctx.url);
    } catch {
      throw new BadRequestError('请求地址的编码无效（百分号编码须为 UTF-8） Invalid URL encoding: percent-encoded bytes must be UTF-8', [{ path: 'url', message: 'invalid percent-encoding' }]);
    }
    if (decoded.includes('\0')) {
      throw new BadRequestError('请求地址含有空字符 (%00) The URL contains a NUL byte (%00)', [{ path: 'url', message: 'NUL bytes are not allowed' }]);
    }
    return next();
  };
}
