import { z } from 'zod';
import { ROLES } from '../auth/index.ts';
import { corpIdQuery } from '../http/corp-scope.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import type { Clock } from '../shared/clock.ts';
import { BadRequestError } from '../errors.ts';
import type { TagRepository } from './tag.repository.ts';
import { atWecom, isLocal, type CorpTagAdapter } from './tag-wecom.ts';

const corpOnly = z.strictObject({ ...corpIdQuery });
const name = z.string().min(1).max(30);
const tagInput = z.strictObject({ name, order: z.number().int().min(0).optional() });
const WRITERS = ['hq_admin', 'marketer'] as const;
const nonEmpty = (b: object) => Object.keys(b).length > 0;

/**
 * The tag library's routes; every one acts on the caller's corp. Groups and tags with WeCom's ids are changed at
 * WeCom first (see tag-wecom.ts); a refusal answers 502 and nothing changes here. Without a WeCom account they
 * change here only, as a merge does.
 */
export function tagRoutes(deps: { tags: TagRepository; clock: Clock; wecom?: CorpTagAdapter }): RouteDef[] {
  const adapter = async (corpId: string) => (deps.wecom ? await deps.wecom(corpId) : null);
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
      summary: '新建标签组 Create a tag group with tags; `mirror: true` creates it in WeCom first, with WeCom’s ids',
      scoped: true,
      roles: WRITERS,
      query: corpOnly,
      body: z.strictObject({ name, order: z.number().int().min(0).optional(), tags: z.array(tagInput).max(100).default([]), mirror: z.boolean().optional() }),
      status: 201,
      async handler({ body }, { scope }) {
        const { mirror, ...group } = body;
        if (!mirror) return deps.tags.createGroup(scope.corpId, group);
        if (!group.tags.length) throw new BadRequestError('企业微信的标签组至少要有一个标签 A WeCom tag group needs at least one tag', [{ path: 'body.tags', message: 'empty' }]);
        const wecom = await adapter(scope.corpId);
        if (!wecom?.createCorpTags) throw new BadRequestError('本企业没有可用的企业微信账号，无法同步到企业微信 No WeCom account to mirror the group with');
        const created = await atWecom('新建标签组', () => wecom.createCorpTags!({ groupName: group.name, tags: group.tags }));
        return deps.tags.createGroup(scope.corpId, { name: created.name, order: group.order ?? created.order, groupId: created.groupId, tags: created.tags.map((t, i) => ({ tagId: t.tagId, name: t.name, order: group.tags[i]?.order ?? i })) });
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
        await deps.tags.getGroup(scope.corpId, params.groupId);
        const wecom = isLocal(params.groupId) ? null : await adapter(scope.corpId);
        if (wecom?.editCorpTag) await atWecom('修改标签组', () => wecom.editCorpTag!(params.groupId, body));
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
        await deps.tags.getGroup(scope.corpId, params.groupId);
        const wecom = isLocal(params.groupId) ? null : await adapter(scope.corpId);
        if (wecom?.deleteCorpTagGroups) await atWecom('删除标签组', () => wecom.deleteCorpTagGroups!([params.groupId]));
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
        await deps.tags.getGroup(scope.corpId, params.groupId);
        const wecom = isLocal(params.groupId) ? null : await adapter(scope.corpId);
        if (!wecom?.createCorpTags) return deps.tags.addTag(scope.corpId, params.groupId, body);
        const created = await atWecom('新建标签', () => wecom.createCorpTags!({ groupId: params.groupId, tags: [body] }));
        return deps.tags.addTag(scope.corpId, params.groupId, { ...body, tagId: created.tags[0]!.tagId });
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
        await deps.tags.assertLive(scope.corpId, params.tagId);
        const wecom = isLocal(params.tagId) ? null : await adapter(scope.corpId);
        if (wecom?.editCorpTag) await atWecom('修改标签', () => wecom.editCorpTag!(params.tagId, body));
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
        await deps.tags.assertLive(scope.corpId, params.tagId);
        const wecom = isLocal(params.tagId) ? null : await adapter(scope.corpId);
        if (wecom?.deleteCorpTags) await atWecom('删除标签', () => wecom.deleteCorpTags!([params.tagId]));
        await deps.tags.deleteTag(scope.corpId, params.tagId, deps.clock.now());
      },
    }),
  ];
}
