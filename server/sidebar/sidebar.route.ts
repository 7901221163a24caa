/**
 * The API of the WeCom chat sidebar (聊天工具栏, /sidebar): JS-SDK signatures for the page, the customer of the
 * open chat in one answer, tags, notes and quick replies. Staff and store managers see customers of their store;
 * HQ sees every customer.
 */
import { z } from 'zod';
import { AppError, UnavailableError } from '../errors.ts';
import { ROLES } from '../auth/index.ts';
import { corpIdQuery, resolveScope } from '../http/corp-scope.ts';
import { defineRoute } from '../http/route.ts';
import { sidebarPageHeaders } from '../web/web.route.ts';
import { ContactNoteRepository } from './contact-note.repository.ts';
import { corpWecom } from './corp-wecom.ts';
import { quickReplies } from './quick-replies.ts';
import { findSidebarContact, replyContext, sidebarProfile } from './sidebar-profile.ts';
import { changeSidebarTags } from './sidebar-tags.ts';

const externalUserId = z.string().min(1).max(128);
const tagIds = z.array(z.string().min(1).max(64)).max(100).default([]);

export const sidebarRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/sidebar/signature',
    tag: 'sidebar',
    summary: '聊天工具栏 JS-SDK 签名 config and agentConfig signatures for a page URL (ww.register)',
    roles: ROLES,
    query: z.strictObject({ ...corpIdQuery, url: z.url({ protocol: /^https?$/ }).max(2000) }),
    async handler({ query }, { principal, services }) {
      const scope = await resolveScope(principal, query.corpId, services);
      const wecom = await corpWecom(services, scope.corpId);
      if (!wecom?.adapter.signJsSdk) throw new UnavailableError('no WeCom account can sign JS-SDK pages for this corp');
      return wecom.adapter.signJsSdk(query.url);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/sidebar/contact',
    tag: 'sidebar',
    summary: '聊天工具栏客户画像 The customer of the open chat: profile, channels, tags, lifecycle, store, touches, SOPs, experiment arms, notes, quick replies',
    roles: ROLES,
    query: z.strictObject({ ...corpIdQuery, externalUserId }),
    async handler({ query }, { principal, services }) {
      const scope = await resolveScope(principal, query.corpId, services);
      return sidebarProfile(services, scope, principal!, query.externalUserId);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/sidebar/quick-replies',
    tag: 'sidebar',
    summary: '话术搜索 Quick replies by scene, searchable, variables filled for the customer',
    roles: ROLES,
    query: z.strictObject({ ...corpIdQuery, externalUserId, q: z.string().min(1).max(50).optional(), scene: z.string().min(1).max(50).optional() }),
    async handler({ query }, { principal, services }) {
      const scope = await resolveScope(principal, query.corpId, services);
      const context = await replyContext(services, scope, principal!, query.externalUserId);
      return { scenes: await quickReplies(services.db.models, scope.corpId, context, { q: query.q, scene: query.scene }) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/sidebar/contact/tags',
    tag: 'sidebar',
    summary: '聊天工具栏打标签 Add and remove tags (stored, mirrored to WeCom with mark_tag)',
    roles: ROLES,
    query: z.strictObject({ ...corpIdQuery }),
    body: z.strictObject({ externalUserId, add: tagIds, remove: tagIds }).refine((b) => b.add.length + b.remove.length > 0, { message: 'add or remove at least one tag' }),
    async handler({ query, body }, { principal, services }) {
      const scope = await resolveScope(principal, query.corpId, services);
      return changeSidebarTags(services, scope, principal!, body.externalUserId, body.add, body.remove);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/sidebar/contact/notes',
    tag: 'sidebar',
    summary: '聊天工具栏写备注 A note about the customer (visible to the author’s store and HQ)',
    roles: ROLES,
    query: z.strictObject({ ...corpIdQuery }),
    body: z.strictObject({ externalUserId, text: z.string().trim().min(1).max(1000) }),
    status: 201,
    async handler({ query, body }, { principal, services }) {
      const scope = await resolveScope(principal, query.corpId, services);
      const contact = await findSidebarContact(services, scope, body.externalUserId);
      const staff = principal!.staffId ? await services.org.getStaff(scope, principal!.staffId) : null;
      const storeId = staff?.storeId ?? contact.homeStoreId ?? contact.storeIds?.[0];
      if (!storeId) throw new UnavailableError('this customer has no store to file the note under');
      return new ContactNoteRepository(services.db.models).add(scope, { contactId: String(contact._id), storeId, staffId: staff?.id ?? null, authorTokenId: principal!.tokenId, text: body.text });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/sidebar/oauth',
    tag: 'sidebar',
    summary: '聊天工具栏企业微信授权登录 Staff sign-in with a WeCom OAuth code (redirects to /sidebar)',
    roles: 'public',
    query: z.object({ code: z.string().max(512).optional() }),
    async handler({ query }, { koa, services }) {
      // The sign-in runs inside the toolbar frame too: its redirect must not forbid framing.
      sidebarPageHeaders(koa);
      koa.set('Cache-Control', 'no-store');
      try {
        const session = await services.auth.staffLogin.signInWithOAuthCode(query.code ?? '');
        koa.redirect(`/sidebar#token=${encodeURIComponent(session.token)}`);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        koa.redirect(`/sidebar#error=${err.status === 401 ? 'signin' : 'unavailable'}`);
      }
      return undefined;
    },
  }),
];
