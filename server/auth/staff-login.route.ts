/**
 * Sign-in for the staff phone page. Both ways end in a redirect to `/m#token=…`: the token travels in the
 * fragment, which browsers never send to a server, and the page moves it to localStorage at once.
 */
import type { Context } from 'koa';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { corpIdQuery } from '../http/corp-scope.ts';
import { defineRoute, reply, type RouteDef } from '../http/route.ts';
import { objectIdString } from '../shared/object-id.ts';
import { qrSvgDataUrl } from '../shared/qr-image.ts';
import { pageHeaders } from '../web/web.route.ts';
import type { AuthModule } from './auth.module.ts';
import type { StaffSession } from './staff-login.ts';

export function staffLoginRoutes(deps: { auth: AuthModule }): RouteDef[] {
  // Read per request: route lists are also built without a graph (OpenAPI, specs over the declarations).
  const login = () => deps.auth.staffLogin;
  return [
    defineRoute({
      method: 'get',
      path: '/m/oauth',
      tag: 'auth',
      summary: '企业微信授权登录 Staff sign-in with a WeCom OAuth code (redirects to /m)',
      roles: 'public',
      query: z.object({ code: z.string().max(512).optional() }),
      async handler({ query }, { koa }) {
        return signIn(koa, () => login().signInWithOAuthCode(query.code ?? ''), query.code);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/m/login',
      tag: 'auth',
      summary: '一次性链接登录 Staff sign-in with a one-time link (redirects to /m)',
      roles: 'public',
      query: z.object({ t: z.string().max(128).optional() }),
      async handler({ query }, { koa }) {
        return signIn(koa, () => login().consumeLink(query.t ?? ''), query.t);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/staff/:id/login-links',
      tag: 'auth',
      summary: '生成一次性登录链接 A single-use sign-in link for a staff member (24 h; store manager of that store or HQ): the path, the full link on this host and its QR (SVG data URL)',
      roles: ['hq_admin', 'store_manager'],
      params: z.strictObject({ id: objectIdString }),
      query: z.strictObject({ ...corpIdQuery }),
      response: z.object({ url: z.string(), link: z.string(), qrImage: z.string(), expiresAt: z.date() }),
      status: 201,
      scoped: true,
      async handler({ params }, { koa, principal, scope }) {
        const issued = await login().issueLink(scope, params.id, principal.tokenId);
        // The console shows the link as a QR for the member's phone: the full URL on the host the console was opened on.
        const link = `${koa.protocol}://${koa.host}${issued.url}`;
        return { ...issued, link, qrImage: await qrSvgDataUrl(link) };
      },
    }),
  ];
}

async function signIn(koa: Context, open: () => Promise<StaffSession>, secret: string | undefined) {
  pageHeaders(koa);
  koa.set('Cache-Control', 'no-store');
  if (!secret) return reply(401, errorPage('缺少登录凭证', '登录链接不完整，请重新打开完整的链接。', 'The sign-in link is incomplete.'));
  try {
    const session = await open();
    koa.redirect(`/m#token=${encodeURIComponent(session.token)}`);
    return undefined;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (err.status === 401) {
      return reply(401, errorPage('登录链接无效或已过期', '每个链接只能使用一次，24 小时内有效。请向店长索取新链接，或从企业微信工作台重新打开。', 'This sign-in link or code is invalid, already used or expired. Ask your store manager for a new link, or open the app from WeCom again.'));
    }
    return reply(err.status, errorPage('暂时无法登录', '登录服务暂不可用，请稍后再试。', 'Sign-in is unavailable right now. Please try again later.'));
  }
}

/** A small page in zh-CN first, English second; the texts are fixed here, never taken from the request. */
function errorPage(title: string, zh: string, en: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>登录失败 · 私域</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/m/app.css"></head>
<body><main class="page"><section class="notice" role="alert"><h1>${title}</h1><p>${zh}</p><p lang="en" class="muted">${en}</p><p><a class="btn" href="/m">返回任务页 Back</a></p></section></main></body>
</html>`;
}
