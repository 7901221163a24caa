/**
 * Corp tags: get_corp_tag_list, add_corp_tag (3000 tags per corp → 40126), edit_corp_tag and del_corp_tag.
 * Names are at most 30 characters (40072) and unique among a group's live tags and among live groups (40071);
 * those two codes follow the global errcode table's "invalid tag name (already exists)" / "invalid tag name
 * length", the codes WeCom's tag APIs answer. Every group and tag carries
 * `deleted`; deleted ones are listed only when asked for by id: a group by tag_id, a tag by tag_id or group_id
 * ("只在指定tag_id/group_id进行查询时返回"). https://developer.work.weixin.qq.com/document/path/92117
 */
import { optionalList, optionalNumber, optionalStrings, optionalText } from './sim-input.ts';
import { fail } from './sim-kernel.ts';
import type { ApiRoute } from './sim-kernel.ts';
import { nowSeconds } from './wecom-sim-context.ts';
import type { WecomSim } from './wecom-sim-context.ts';
import type { SimTag, SimTagGroup } from './wecom-state.ts';

const NAME_MAX = 30;

function checkName(name: string): void {
  if ([...name].length > NAME_MAX) fail(40072, `tag name longer than ${NAME_MAX} characters`);
}

function newTags(body: Record<string, unknown>): { name: string; order: number }[] {
  const tags = optionalList(body, 'tag') ?? [];
  if (tags.length === 0) fail(40058, 'tag list is empty');
  return tags.map((raw) => {
    const tag = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const name = optionalText(tag, 'name');
    if (!name) fail(40058, 'tag name is empty');
    checkName(name);
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
        if (groupName) checkName(groupName);
        const taken = new Set((group?.tag ?? []).filter((t) => !t.deleted).map((t) => t.name));
        for (const t of tags) {
          if (taken.has(t.name)) fail(40071, `tag name ${t.name} already exists in the group`);
          taken.add(t.name);
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
      api: 'externalcontact/edit_corp_tag',
      auth: true,
      // One id, a tag's or a group's; only the given fields change (path/92117).
      handler: ({ body }) => {
        const id = optionalText(body, 'id');
        if (!id) fail(41017, 'id is required');
        const name = optionalText(body, 'name');
        const order = optionalNumber(body, 'order');
        if (name !== undefined) {
          if (!name) fail(40058, 'name is empty');
          checkName(name);
        }
        const group = state.tagGroups.find((g) => g.group_id === id && !g.deleted);
        if (group) {
          if (name !== undefined && state.tagGroups.some((g) => g !== group && !g.deleted && g.group_name === name)) fail(40071, `tag group name ${name} already exists`);
          if (name !== undefined) group.group_name = name;
          if (order !== undefined) group.order = order;
          return;
        }
        const found = state.findTag(id);
        if (!found) fail(40068, `invalid tag id ${id}`);
        if (name !== undefined && found.group.tag.some((t) => t !== found.tag && !t.deleted && t.name === name)) fail(40071, `tag name ${name} already exists in the group`);
        if (name !== undefined) found.tag.name = name;
        if (order !== undefined) found.tag.order = order;
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
