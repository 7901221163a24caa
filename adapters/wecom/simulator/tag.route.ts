/**
 * Corp tags: get_corp_tag_list and add_corp_tag (3000 tags per corp → 40126).
 * https://developer.work.weixin.qq.com/document/path/92117
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
        if (groupIds.length > 0) return { tag_group: state.tagGroups.filter((g) => groupIds.includes(g.group_id)) };
        if (tagIds.length === 0) return { tag_group: state.tagGroups };
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
          group = state.tagGroups.find((g) => g.group_id === groupId);
          if (!group) fail(40068, 'invalid group_id');
        } else {
          if (!groupName) fail(40058, 'group_id or group_name is required');
          group = state.tagGroups.find((g) => g.group_name === groupName);
        }
        if (state.tagCount() + tags.length > limits.corpTags) fail(40126, `corp tag limit ${limits.corpTags} reached`);
        const createTime = nowSeconds(sim);
        if (!group) {
          group = { group_id: state.nextId('etGROUP'), group_name: groupName!, create_time: createTime, order: optionalNumber(body, 'order') ?? 0, tag: [] };
          state.tagGroups.push(group);
        }
        const created: SimTag[] = tags.map((t) => ({ id: state.nextId('etTAG'), name: t.name, create_time: createTime, order: t.order }));
        group.tag.push(...created);
        return { tag_group: { ...group, tag: created } };
      },
    },
  ];
}
