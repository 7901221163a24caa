/**
 * Corp tags: get_corp_tag_list and add_corp_tag (3000 tags per corp → 40126). Every group and tag carries
 * `deleted`; deleted ones are listed only when asked for by id: a group by tag_id, a tag by tag_id or group_id
 * ("只在指定tag_id/group_id进行查询时返回"). https://developer.work.weixin.qq.com/document/path/92117
 */
import { optionalList, optionalNumber, optionalStrings, optionalText } from './sim-input.ts';
import { fail } from './sim-kernel.ts';
import type { ApiRoute } from './sim-kernel.ts';
import { nowSeconds } from './wecom-sim-context.ts';
import type { WecomSim } from './wecom-sim-context.ts';
import type { SimTag, SimTagGroup } from './wecom-state.ts';

function newTags(body: Record<string, unknown>): { name: string; order: number }[] {
  const tags = optionalList(body, 'tag') ?? [];
  if (tags.length === 0) fail(40058, 'tag list is empty');
  return tags.map((raw) => {
    const tag = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const name = optionalText(tag, 'name');
    if (!name) fail(40058, 'tag name is empty');
    return { name, order: optionalNumber(tag, 'order') ?? 0 };
  });
}

export function tagRoutes(sim: WecomSim): ApiRoute[] {
  const { state, limits } = sim;
  return [
    {
      method: 'POST',
      api: 'externalcontact/get_corp_tag_list',
      auth: true,
      handler: ({ body }) => {
        const tagIds = optionalStrings(body, 'tag_id') ?? [];
        const groupIds = optionalStrings(body, 'group_id') ?? [];
        // group_id wins when both filters are given.
        if (groupIds.length > 0) {
          const groups = state.tagGroups.filter((g) => !g.deleted && groupIds.includes(g.group_id));
          return { tag_group: groups };
        }
        if (tagIds.length === 0) {
          const live = state.tagGroups.filter((g) => !g.deleted).map((g) => ({ ...g, tag: g.tag.filter((t) => !t.deleted) }));
          return { tag_group: live };
        }
        const groups = state.tagGroups
          .map((g) => ({ ...g, tag: g.tag.filter((t) => tagIds.includes(t.id)) }))
          .filter((g) => g.tag.length > 0);
        return { tag_group: groups };
      },
    },
    {
      method: 'POST',
      api: 'externalcontact/add_corp_tag',
      auth: true,
      handler: ({ body }) => {
        const tags = newTags(body);
        const groupId = optionalText(body, 'group_id');
        const groupName = optionalText(body, 'group_name');
        let group: SimTagGroup | undefined;
        if (groupId) {
          group = state.tagGroups.find((g) => g.group_id === groupId && !g.deleted);
          if (!group) fail(40068, 'invalid group_id');
        } else {
          if (!groupName) fail(40058, 'group_id or group_name is required');
          group = state.tagGroups.find((g) => g.group_name === groupName && !g.deleted);
        }
        if (state.tagCount() + tags.length > limits.corpTags) fail(40126, `corp tag limit ${limits.corpTags} reached`);
        const createTime = nowSeconds(sim);
        if (!group) {
          group = { group_id: state.nextId('etGROUP'), group_name: groupName!, create_time: createTime, order: optionalNumber(body, 'order') ?? 0, deleted: false, tag: [] };
          state.tagGroups.push(group);
        }
        const created: SimTag[] = tags.map((t) => ({ id: state.nextId('etTAG'), name: t.name, create_time: createTime, order: t.order, deleted: false }));
        group.tag.push(...created);
        return { tag_group: { ...group, tag: created } };
      },
    },
    {
      method: 'POST',
      api: 'externalcontact/del_corp_tag',
      auth: true,
      handler: ({ body }) => {
        const tagIds = optionalStrings(body, 'tag_id') ?? [];
        const groupIds = optionalStrings(body, 'group_id') ?? [];
        if (tagIds.length === 0 && groupIds.length === 0) fail(40058, 'tag_id and group_id are both empty');
        for (const id of tagIds) if (!state.findTag(id)) fail(40068, `invalid tag id ${id}`);
        for (const id of groupIds) if (!state.tagGroups.some((g) => g.group_id === id && !g.deleted)) fail(40068, `invalid group id ${id}`);
        deleteCorpTags(sim, tagIds, groupIds);
      },
    },
  ];
}

/** Marks tags and groups deleted; a group whose last live tag goes is deleted with it (path/92117). */
export function deleteCorpTags(sim: WecomSim, tagIds: readonly string[], groupIds: readonly string[]): void {
  for (const group of sim.state.tagGroups) {
    if (groupIds.includes(group.group_id)) group.deleted = true;
    for (const tag of group.tag) if (group.deleted || tagIds.includes(tag.id)) tag.deleted = true;
    if (group.tag.length > 0 && group.tag.every((t) => t.deleted)) group.deleted = true;
  }
}
