/**
 * The pages under server/web, served as they are (no build step): a fixed list of files, so no request path
 * ever reaches the file system. Every page answer carries a strict Content-Security-Policy: scripts, styles and
 * API calls from this origin only, no inline code, no framing.
 */
import { readFile } from 'node:fs/promises';
import type { Context } from 'koa';
import { defineRoute, type RouteDef } from '../http/route.ts';

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/** URL path → file below server/web. */
const FILES: ReadonlyArray<[path: string, file: string, summary: string]> = [
  ['/m', 'm/index.html', '员工手机端 The staff phone page: today’s tasks'],
  ['/m/app.js', 'm/app.js', '员工手机端脚本 Script of the staff phone page'],
  ['/m/app.css', 'm/app.css', '员工手机端样式 Styles of the staff phone page'],
];

/** Security headers for every HTML answer (pages and the sign-in error pages). */
export function pageHeaders(ctx: Context): void {
  ctx.set('Content-Security-Policy', CSP);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('X-Frame-Options', 'DENY');
}

export const webRoutes: RouteDef[] = FILES.map(([path, file, summary]) =>
  defineRoute({
    method: 'get',
    path,
    tag: 'web',
    summary,
    roles: 'public',
    async handler(_input, { koa }) {
      const ext = file.slice(file.lastIndexOf('.') + 1);
      pageHeaders(koa);
      koa.set('Cache-Control', 'no-cache');
      koa.type = TYPES[ext] ?? 'application/octet-stream';
      koa.body = await readFile(new URL(file, import.meta.url));
    },
  }),
);
