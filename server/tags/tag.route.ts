import { z } from 'zod';
import { ROLES } from '../auth/index.ts';
import { corpIdQuery, resolveScope } from '../http/corp-scope.ts';
import { defineRoute } from '../http/route.ts';

const corpOnly = z.strictObject({ ...corpIdQuery });
const name = z.string().min(1).max(30);
const tagInput = z.strictObject({ name, order: z.number().int().min(0).optional() });
const WRITERS = ['hq_admin', 'marketer'] as const;
const nonEmpty = (b: object) => Object.keys(b).length > 0;

export const tagRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/tags',
    tag: 'tags',
    summary: '标签库 Tag groups with their tags',
    roles: ROLES,
    query: corpOnly,
    async handler({ query }, { principal, services }) {
      const scope = await resolveScope(principal, query.corpId, services);
      return { items: await services.tags.list(scope.corpId) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/tag-groups',
    tag: 'tags',
    summary: '新建标签组 Create a tag group with tags',
    roles: WRITERS,
    query: corpOnly,
    body: z.strictObject({ name, order: z.number().int().min(0).optional(), tags: z.array(tagInput).max(100).default([]) }),
    status: 201,
    async handler({ query, body }, { principal, services }) {
      const scope = await resolveScope(principal, query.corpId, services);
      return services.tags.createGroup(scope.corpId, body);
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/api/tag-groups/:groupId',
    tag: 'tags',
    summary: '修改标签组 Rename or reorder a tag group',
    roles: WRITERS,
    params: z.strictObject({ groupId: z.string().min(1).max(64) }),
    query: corpOnly,
    body: tagInput.partial().refine(nonEmpty, 'nothing to update'),
    async handler({ params, query, body }, { principal, services }) {
      const scope = await resolveScope(principal, query.corpId, services);
      return services.tags.renameGroup(scope.corpId, params.groupId, body);
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/api/tag-groups/:groupId',
    tag: 'tags',
    summary: '删除标签组 Delete a tag group and its tags (soft)',
    roles: WRITERS,
    params: z.strictObject({ groupId: z.string().min(1).max(64) }),
    query: corpOnly,
    async handler({ params, query }, { principal, services }) {
      const scope = await resolveScope(principal, query.corpId, services);
      await services.tags.deleteGroup(scope.corpId, params.groupId, services.clock.now());
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/tag-groups/:groupId/tags',
    tag: 'tags',
    summary: '新建标签 Add a tag to a group',
    roles: WRITERS,
    params: z.strictObject({ groupId: z.string().min(1).max(64) }),
    query: corpOnly,
    body: tagInput,
    status: 201,
    async handler({ params, query, body }, { principal, services }) {
      const scope = await resolveScope(principal, query.corpId, services);
      return services.tags.addTag(scope.corpId, params.groupId, body);
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/api/tags/:tagId',
    tag: 'tags',
    summary: '修改标签 Rename or reorder a tag',
    roles: WRITERS,
    params: z.strictObject({ tagId: z.string().min(1).max(64) }),
    query: corpOnly,
    body: tagInput.partial().refine(nonEmpty, 'nothing to update'),
    async handler({ params, query, body }, { principal, services }) {
      const scope = await resolveScope(principal, query.corpId, services);
      return services.tags.updateTag(scope.corpId, params.tagId, body);
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/api/tags/:tagId',
    tag: 'tags',
    summary: '删除标签 Delete a tag (soft)',
    roles: WRITERS,
    params: z.strictObject({ tagId: z.string().min(1).max(64) }),
    query: corpOnly,
    async handler({ params, query }, { principal, services }) {
      const scope = await resolveScope(principal, query.corpId, services);
      await services.tags.deleteTag(scope.corpId, params.tagId, services.clock.now());
    },
  }),
];
