/**
 * Customers: externalcontact/get, list (84061 for a member without customers), batch/get_by_user, remark, mark_tag.
 * https://developer.work.weixin.qq.com/document/path/96315, /96316, /96317, /92118
 */
import { chars, optionalStrings, optionalText, page, pageLimit, requireText } from './sim-input.ts';
import { fail } from './sim-kernel.ts';
import type { ApiRoute } from './sim-kernel.ts';
import type { WecomSim } from './wecom-sim-context.ts';
import type { SimCustomer, SimFollowUser } from './wecom-state.ts';

/**
 * external_contact as Tencent returns it: avatar for everyone, unionid only for WeChat users (type 1),
 * position / corp_name / corp_full_name only for WeCom users (type 2) (path/96315).
 */
function contactView(customer: SimCustomer): Record<string, unknown> {
  const { follow_user: _followers, unionid, position, corp_name, corp_full_name, ...contact } = customer;
  if (customer.type === 1) return { ...contact, ...(unionid === undefined ? {} : { unionid }) };
  return { ...contact, ...(position === undefined ? {} : { position }), corp_name, corp_full_name };
}

function followView(sim: WecomSim, follower: SimFollowUser): Record<string, unknown> {
  const { tag_ids, ...rest } = follower;
  const tags = tag_ids.flatMap((id) => {
    const found = sim.state.findTag(id);
    return found ? [{ group_name: found.group.group_name, tag_name: found.tag.name, tag_id: id, type: 1 }] : [];
  });
  return { ...rest, tags };
}

/** The relationship a write needs: staff and customer exist and are connected (60111 / 40096 / 84061). */
function relationship(sim: WecomSim, body: Record<string, unknown>): SimFollowUser {
  const userid = requireText(body, 'userid', 41009);
  const externalUserid = requireText(body, 'external_userid', 41035);
  if (!sim.state.staff.has(userid)) fail(60111, 'userid not found');
  if (!sim.state.customers.has(externalUserid)) fail(40096, 'invalid external userid');
  const follower = sim.state.follower(userid, externalUserid);
  if (!follower) fail(84061, 'not external contact');
  return follower;
}

function checkLength(value: string | undefined, max: number, field: string): void {
  if (value !== undefined && chars(value) > max) fail(40058, `${field} longer than ${max} characters`);
}

export function customerRoutes(sim: WecomSim): ApiRoute[] {
  const { state, limits } = sim;
  return [
    {
      method: 'GET',
      api: 'externalcontact/get',
      auth: true,
      handler: ({ query }) => {
        const customer = state.customers.get(requireText(query, 'external_userid', 41035));
        if (!customer) fail(40096, 'invalid external userid');
        const followers = page(customer.follow_user, query.cursor, limits.followUsersPerPage);
        return {
          external_contact: contactView(customer),
          follow_user: followers.items.map((f) => followView(sim, f)),
          next_cursor: followers.next_cursor,
        };
      },
    },
    {
      method: 'GET',
      api: 'externalcontact/list',
      auth: true,
      handler: ({ query }) => {
        const userid = requireText(query, 'userid', 41009);
        if (!state.staff.has(userid)) fail(60111, 'userid not found');
        // A member without customers is refused, not answered with an empty list (WxJava maps 84061 to []).
        const ids = state.customersOf(userid).map((c) => c.external_userid);
        if (ids.length === 0) fail(84061, 'not external contact');
        return { external_userid: ids };
      },
    },
    {
      method: 'POST',
      api: 'externalcontact/batch/get_by_user',
      auth: true,
      handler: ({ body }) => {
        const userids = optionalStrings(body, 'userid_list') ?? [];
        if (userids.length === 0 || userids.length > limits.batchUserids) fail(40032, 'invalid userid list size');
        const limit = pageLimit(body, limits.batchLimit, 50);
        const pairs = userids.flatMap((userid) =>
          state.customersOf(userid).map((customer) => ({ customer, follower: state.follower(userid, customer.external_userid)! })),
        );
        const slice = page(pairs, body.cursor, limit);
        return {
          external_contact_list: slice.items.map(({ customer, follower }) => {
            const { tags: _tags, ...followInfo } = followView(sim, follower);
            return { external_contact: contactView(customer), follow_info: { ...followInfo, tag_id: follower.tag_ids } };
          }),
          next_cursor: slice.next_cursor,
        };
      },
    },
    {
      method: 'POST',
      api: 'externalcontact/remark',
      auth: true,
      handler: ({ body }) => {
        const follower = relationship(sim, body);
        const remark = optionalText(body, 'remark');
        const description = optionalText(body, 'description');
        const remarkCompany = optionalText(body, 'remark_company');
        const mobiles = optionalStrings(body, 'remark_mobiles');
        const picture = optionalText(body, 'remark_pic_mediaid');
        if ([remark, description, remarkCompany, mobiles, picture].every((v) => v === undefined)) fail(40063, 'nothing to update');
        checkLength(remark, limits.remarkChars, 'remark');
        checkLength(description, limits.descriptionChars, 'description');
        checkLength(remarkCompany, limits.remarkCompanyChars, 'remark_company');
        if (remark !== undefined) follower.remark = remark;
        if (description !== undefined) follower.description = description;
        if (remarkCompany !== undefined) follower.remark_corp_name = remarkCompany;
        if (mobiles !== undefined) follower.remark_mobiles = mobiles.filter((m) => m !== '');
      },
    },
    {
      method: 'POST',
      api: 'externalcontact/mark_tag',
      auth: true,
      handler: ({ body }) => {
        const follower = relationship(sim, body);
        const add = optionalStrings(body, 'add_tag') ?? [];
        const remove = optionalStrings(body, 'remove_tag') ?? [];
        if (add.length === 0 && remove.length === 0) fail(40063, 'add_tag and remove_tag are both empty');
        for (const id of [...add, ...remove]) if (!state.findTag(id)) fail(40068, `invalid tag id ${id}`);
        follower.tag_ids = [...new Set([...follower.tag_ids, ...add])].filter((id) => !remove.includes(id));
      },
    },
  ];
}
