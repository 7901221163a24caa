import { z } from 'zod';
import { ROLES } from '../auth/index.ts';
import { corpIdQuery } from '../http/corp-scope.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import type { Clock } from '../shared/clock.ts';
import type { TagRepository } from './tag.repository.ts';

const corpOnly = z.strictObject({ ...corpIdQuery });
const name = z.string().min(1).max(30);
const tagInput = z.strictObject({ name, order: z.number().int().min(0).optional() });
const WRITERS = ['hq_admin', 'marketer'] as const;
const nonEmpty = (b: object) => Object.keys(b).length > 0;

/** The tag library's routes; every one acts on the caller's corp. */
export function tagRoutes(deps: { tags: TagRepository; clock: Clock }): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/tags',
      tag: 'tags',
      summary: '标签库 Tag groups with their tags',
      scoped: true,
      roles: ROLES,
      query: corpOnly,
      async handler(_input, { scope }) {
        return { items: await deps.tags.list(scope.corpId) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/tag-groups',
      tag: 'tags',
      summary: '新建标签组 Create a tag group with tags',
      scoped: true,
      roles: WRITERS,
      query: corpOnly,
      body: z.strictObject({ name, order: z.number().int().min(0).optional(), tags: z.array(tagInput).max(100).default([]) }),
      status: 201,
      async handler({ body }, { scope }) {
        return deps.tags.createGroup(scope.corpId, body);
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/tag-groups/:groupId',
      tag: 'tags',
      summary: '修改标签组 Rename or reorder a tag group',
      scoped: true,
      roles: WRITERS,
      params: z.strictObject({ groupId: z.string().min(1).max(64) }),
      query: corpOnly,
      body: tagInput.partial().refine(nonEmpty, 'nothing to update'),
      async handler({ params, body }, { scope }) {
        return deps.tags.renameGroup(scope.corpId, params.groupId, body);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/tag-groups/:groupId',
      tag: 'tags',
      summary: '删除标签组 Delete a tag group and its tags (soft)',
      scoped: true,
      roles: WRITERS,
      params: z.strictObject({ groupId: z.string().min(1).max(64) }),
      query: corpOnly,
      async handler({ params }, { scope }) {
        await deps.tags.deleteGroup(scope.corpId, params.groupId, deps.clock.now());
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/tag-groups/:groupId/tags',
      tag: 'tags',
      summary: '新建标签 Add a tag to a group',
      scoped: true,
      roles: WRITERS,
      params: z.strictObject({ groupId: z.string().min(1).max(64) }),
      query: corpOnly,
      body: tagInput,
      status: 201,
      async handler({ params, body }, { scope }) {
        return deps.tags.addTag(scope.corpId, params.groupId, body);
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/tags/:tagId',
      tag: 'tags',
      summary: '修改标签 Rename or reorder a tag',
      scoped: true,
      roles: WRITERS,
      params: z.strictObject({ tagId: z.string().min(1).max(64) }),
      query: corpOnly,
      body: tagInput.partial().refine(nonEmpty, 'nothing to update'),
      async handler({ params, body }, { scope }) {
        return deps.tags.updateTag(scope.corpId, params.tagId, body);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/tags/:tagId',
      tag: 'tags',
      summary: '删除标签 Delete a tag (soft)',
      scoped: true,
      roles: WRITERS,
      params: z.strictObject({ tagId: z.string().min(1).max(64) }),
      query: corpOnly,
      async handler({ params }, { scope }) {
        await deps.tags.deleteTag(scope.corpId, params.tagId, deps.clock.now());
      },
    }),
  ];
}
