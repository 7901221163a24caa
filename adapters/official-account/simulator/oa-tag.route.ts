/**
 * User tags: create (≤100 per account → 45056; name ≤30 chars → 45158; duplicate → 45157), get, batch tagging
 * (1–50 openids → 40032; unknown tag → 45159; unknown openid → 40003; >20 tags on a user → 45059), getidlist.
 * https://developers.weixin.qq.com/doc/service/api/usermanage/tag/api_batchtagging
 */
import { chars, optionalNumber, optionalObject, optionalStrings, requireText } from '../../wecom/simulator/sim-input.ts';
import { fail } from '../../wecom/simulator/sim-kernel.ts';
import type { ApiRoute } from '../../wecom/simulator/sim-kernel.ts';
import { OK } from './oa-state.ts';
import type { OaFollower, OaSim } from './oa-state.ts';

function members(sim: OaSim, body: Record<string, unknown>): { tagid: number; followers: OaFollower[] } {
  const openids = optionalStrings(body, 'openid_list', 40032) ?? [];
  if (openids.length === 0 || openids.length > sim.limits.openidsPerBatch) fail(40032, 'invalid openid list size');
  const tagid = optionalNumber(body, 'tagid', 45159);
  if (tagid === undefined || !sim.state.tags.has(tagid)) fail(45159, 'invalid tag id');
  const followers = openids.map((openid) => sim.state.followers.get(openid) ?? fail(40003, `invalid openid ${openid}`));
  return { tagid, followers };
}

export function oaTagRoutes(sim: OaSim): ApiRoute[] {
  const { state, limits } = sim;
  const countOf = (id: number) => [...state.followers.values()].filter((f) => f.tagids.includes(id)).length;
  return [
    {
      method: 'POST',
      api: 'tags/create',
      auth: true,
      handler: ({ body }) => {
        const name = optionalObject(body, 'tag') ? String((body.tag as { name?: unknown }).name ?? '') : '';
        if (name === '' || chars(name) > limits.tagNameChars) fail(45158, 'tag name too long or empty');
        if ([...state.tags.values()].some((t) => t.name === name)) fail(45157, 'tag name already exists');
        if (state.tags.size >= limits.tags) fail(45056, 'too many tags');
        const tag = { id: state.nextTagId++, name };
        state.tags.set(tag.id, tag);
        return { tag };
      },
    },
    {
      method: 'GET',
      api: 'tags/get',
      auth: true,
      handler: () => ({ tags: [...state.tags.values()].map((t) => ({ ...t, count: countOf(t.id) })) }),
    },
    {
      method: 'POST',
      api: 'tags/members/batchtagging',
      auth: true,
      handler: ({ body }) => {
        const { tagid, followers } = members(sim, body);
        const over = followers.find((f) => !f.tagids.includes(tagid) && f.tagids.length >= limits.tagsPerUser);
        if (over) fail(45059, `${over.openid} already has ${limits.tagsPerUser} tags`);
        for (const f of followers) if (!f.tagids.includes(tagid)) f.tagids.push(tagid);
        return OK;
      },
    },
    {
      method: 'POST',
      api: 'tags/members/batchuntagging',
      auth: true,
      handler: ({ body }) => {
        const { tagid, followers } = members(sim, body);
        for (const f of followers) f.tagids = f.tagids.filter((id) => id !== tagid);
        return OK;
      },
    },
    {
      method: 'POST',
      api: 'tags/getidlist',
      auth: true,
      handler: ({ body }) => {
        const follower = state.followers.get(requireText(body, 'openid', 40003));
        if (!follower) fail(40003, 'invalid openid');
        return { tagid_list: follower.tagids };
      },
    },
  ];
}
