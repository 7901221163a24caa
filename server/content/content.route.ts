import { z } from 'zod';
import { ROLES, type Principal, type Role } from '../auth/index.ts';
import { corpIdQuery } from '../http/corp-scope.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import { objectIdString } from '../shared/object-id.ts';
import { pageQuery } from '../shared/pagination.ts';
import { CHANNELS, KEBAB } from '../shared/send-channels.ts';
import { attachmentsSchema, contentTextSchema } from './content-body.ts';
import { normalizeDomain } from './content-checks.ts';
import type { ContentService, ContentViewer } from './content.service.ts';

/** Write content; everyone else reads published content only. */
const WRITERS = ['hq_admin', 'marketer'] as const satisfies readonly Role[];

function viewerOf(p: Principal | null): ContentViewer {
  return { canEdit: !!p && (WRITERS as readonly Role[]).includes(p.role), staffId: p?.staffId ?? null, actor: p?.staffId ?? p?.tokenId ?? 'unknown' };
}

const corpOnly = z.strictObject({ ...corpIdQuery });
const templateId = z.string().max(64).regex(KEBAB, 'must be kebab-case, e.g. tpl-onboarding-day0');
const idParams = z.strictObject({ templateId });
const channels = z
  .array(z.enum(CHANNELS))
  .min(1, 'name at least one channel')
  .refine((c) => new Set(c).size === c.length, 'list each channel once');
const meta = {
  name: z.string().trim().min(1).max(100),
  scene: z.string().trim().min(1).max(30),
  tags: z.array(z.string().trim().min(1).max(30)).max(20),
  channels,
};

const createBody = z.strictObject({
  templateId,
  ...meta,
  scene: meta.scene.default('通用'),
  tags: meta.tags.default([]),
  text: contentTextSchema.default(''),
  attachments: attachmentsSchema.default([]),
});
const patchBody = z
  .strictObject({ ...meta, text: contentTextSchema, attachments: attachmentsSchema })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'nothing to update');

const listQuery = z.strictObject({
  ...corpIdQuery,
  ...pageQuery,
  scene: z.string().min(1).max(30).optional(),
  tag: z.string().min(1).max(30).optional(),
  q: z.string().min(1).max(100).optional(),
  status: z.enum(['published', 'unpublished']).optional(),
});

const previewBody = z
  .strictObject({
    version: z.number().int().min(1).optional(),
    contactId: objectIdString.optional(),
    channel: z.enum(CHANNELS).optional(),
  })
  .default({});

const settingsBody = z.strictObject({
  sensitiveWords: z.array(z.string().trim().min(1).max(50)).max(500),
  allowedLinkDomains: z.array(z.string().max(253).refine((d) => normalizeDomain(d) !== null, 'a host name such as example.com')).max(200),
});

export function contentRoutes(deps: { content: ContentService }): RouteDef[] {
  const { content } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/api/content/templates',
      tag: 'content',
      summary: '内容库 List and search templates (scene, tag, text); store-level roles see published ones only',
      roles: ROLES,
      query: listQuery,
      scoped: true,
      async handler({ query }, { principal, scope }) {
        const published = query.status === undefined ? undefined : query.status === 'published';
        return content.list(scope, { scene: query.scene, tag: query.tag, text: query.q, published }, { limit: query.limit, cursor: query.cursor }, viewerOf(principal));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/content/templates',
      tag: 'content',
      summary: '新建内容模板 Create a template (a draft)',
      roles: WRITERS,
      query: corpOnly,
      body: createBody,
      status: 201,
      scoped: true,
      async handler({ body }, { principal, scope }) {
        return content.create(scope, body, viewerOf(principal));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/content/templates/:templateId',
      tag: 'content',
      summary: '模板详情 A template with its version history (drafts for writers only)',
      roles: ROLES,
      params: idParams,
      query: corpOnly,
      scoped: true,
      async handler({ params }, { principal, scope }) {
        return content.get(scope, params.templateId, viewerOf(principal));
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/content/templates/:templateId',
      tag: 'content',
      summary: '编辑草稿 Update the draft and the name, scene, tags or channels',
      roles: WRITERS,
      params: idParams,
      query: corpOnly,
      body: patchBody,
      scoped: true,
      async handler({ params, body }, { principal, scope }) {
        return content.update(scope, params.templateId, body, viewerOf(principal));
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/content/templates/:templateId',
      tag: 'content',
      summary: '归档模板 Archive a template (published versions stay readable for running SOPs)',
      roles: WRITERS,
      params: idParams,
      query: corpOnly,
      scoped: true,
      async handler({ params }, { principal, scope }) {
        await content.archive(scope, params.templateId, viewerOf(principal));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/content/templates/:templateId/publish',
      tag: 'content',
      summary: '发布 Check the draft for every channel and publish it as the next version (422 lists every problem)',
      roles: WRITERS,
      params: idParams,
      query: corpOnly,
      status: 201,
      scoped: true,
      async handler({ params }, { principal, scope }) {
        return content.publish(scope, params.templateId, viewerOf(principal));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/content/templates/:templateId/versions/:version',
      tag: 'content',
      summary: '已发布版本 One published version, unchanged forever (what a running SOP sends)',
      roles: ROLES,
      params: z.strictObject({ templateId, version: z.coerce.number().int().min(1) }),
      query: corpOnly,
      scoped: true,
      async handler({ params }, { scope }) {
        return content.getVersion(scope, params.templateId, params.version);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/content/templates/:templateId/preview',
      tag: 'content',
      summary: '预览 Render the draft or a version for a contact (or the sample 张三) with the check results',
      roles: ROLES,
      params: idParams,
      query: corpOnly,
      body: previewBody,
      scoped: true,
      async handler({ params, body }, { principal, scope }) {
        return content.preview(scope, params.templateId, body, viewerOf(principal));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/content/settings',
      tag: 'content',
      summary: '内容设置 Sensitive words and allowed link domains (defaults until HQ saves its own)',
      roles: WRITERS,
      query: corpOnly,
      scoped: true,
      async handler(_input, { scope }) {
        return content.getSettings(scope);
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/content/settings',
      tag: 'content',
      summary: '修改内容设置 Replace the sensitive words and allowed link domains (HQ admins only)',
      roles: ['hq_admin'],
      query: corpOnly,
      body: settingsBody,
      scoped: true,
      async handler({ body }, { principal, scope }) {
        return content.saveSettings(scope, body, viewerOf(principal));
      },
    }),
  ];
}
