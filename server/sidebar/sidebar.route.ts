/**
 * The API of the WeCom chat sidebar (聊天工具栏, /sidebar): JS-SDK signatures for the page, the customer of the
 * open chat in one answer, tags, notes and quick replies. Staff and store managers see customers of their store;
 * HQ sees every customer.
 */
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { ROLES } from '../auth/index.ts';
import { corpIdQuery } from '../http/corp-scope.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import { sidebarPageHeaders } from '../web/web.route.ts';
import type { SidebarModule } from './sidebar.module.ts';

const externalUserId = z.string().min(1).max(128);
const tagIds = z.array(z.string().min(1).max(64)).max(100).default([]);

export type SidebarRouteDeps = {
  sidebar: SidebarModule;
  /** Staff sign-in with a WeCom OAuth code (the auth module's staff login). */
  signInWithOAuthCode(code: string): Promise<{ token: string }>;
};

export function sidebarRoutes(deps: SidebarRouteDeps): RouteDef[] {
  const { sidebar } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/api/sidebar/signature',
      tag: 'sidebar',
      summary: '聊天工具栏 JS-SDK 签名 config and agentConfig signatures for a page URL (ww.register)',
      roles: ROLES,
      scoped: true,
      query: z.strictObject({ ...corpIdQuery, url: z.url({ protocol: /^https?$/ }).max(2000) }),
      async handler({ query }, { scope }) {
        return sidebar.signJsSdk(scope, query.url);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/sidebar/contact',
      tag: 'sidebar',
      summary: '聊天工具栏客户画像 The customer of the open chat: profile, channels, tags, lifecycle, store, touches, SOPs, experiment arms, notes, quick replies',
      roles: ROLES,
      scoped: true,
      query: z.strictObject({ ...corpIdQuery, externalUserId }),
      async handler({ query }, { principal, scope }) {
        return sidebar.profile(scope, principal, query.externalUserId);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/sidebar/quick-replies',
      tag: 'sidebar',
      summary: '话术搜索 Quick replies by scene, searchable, variables filled for the customer',
      roles: ROLES,
      scoped: true,
      query: z.strictObject({ ...corpIdQuery, externalUserId, q: z.string().min(1).max(50).optional(), scene: z.string().min(1).max(50).optional() }),
      async handler({ query }, { principal, scope }) {
        return sidebar.quickReplies(scope, principal, query.externalUserId, { q: query.q, scene: query.scene });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/sidebar/contact/tags',
      tag: 'sidebar',
      summary: '聊天工具栏打标签 Add and remove tags (stored, mirrored to WeCom with mark_tag)',
      roles: ROLES,
      scoped: true,
      query: z.strictObject({ ...corpIdQuery }),
      body: z.strictObject({ externalUserId, add: tagIds, remove: tagIds }).refine((b) => b.add.length + b.remove.length > 0, { message: '请至少添加或移除一个标签 Add or remove at least one tag' }),
      async handler({ body }, { principal, scope }) {
        return sidebar.changeTags(scope, principal, body.externalUserId, body.add, body.remove);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/sidebar/contact/notes',
      tag: 'sidebar',
      summary: '聊天工具栏写备注 A note about the customer (visible to the author’s store and HQ)',
      roles: ROLES,
      scoped: true,
      query: z.strictObject({ ...corpIdQuery }),
      body: z.strictObject({ externalUserId, text: z.string().trim().min(1).max(1000) }),
      status: 201,
      async handler({ body }, { principal, scope }) {
        return sidebar.addNote(scope, principal, body.externalUserId, body.text);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/sidebar/oauth',
      tag: 'sidebar',
      summary: '聊天工具栏企业微信授权登录 Staff sign-in with a WeCom OAuth code (redirects to /sidebar)',
      roles: 'public',
      query: z.object({ code: z.string().max(512).optional() }),
      async handler({ query }, { koa }) {
        // The sign-in runs inside the toolbar frame too: its redirect must not forbid framing.
        sidebarPageHeaders(koa);
        koa.set('Cache-Control', 'no-store');
        try {
          const session = await deps.signInWithOAuthCode(query.code ?? '');
          koa.redirect(`/sidebar#token=${encodeURIComponent(session.token)}`);
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          koa.redirect(`/sidebar#error=${err.status === 401 ? 'signin' : 'unavailable'}`);
        }
        return undefined;
      },
    }),
  ];
}
