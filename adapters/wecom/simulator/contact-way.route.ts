/**
 * 「联系我」 configs after creation: get, update (same config_id and QR, new users / remark / state) and delete.
 * Errcodes per the WeCom global table: 41043 missing config_id, 41044 invalid config_id, 41041 too many users.
 * https://developer.work.weixin.qq.com/document/path/96348
 */
import { chars, optionalList, optionalStrings, optionalText, requireText } from './sim-input.ts';
import { fail } from './sim-kernel.ts';
import type { ApiRoute } from './sim-kernel.ts';
import type { WecomSim } from './wecom-sim-context.ts';
import type { SimContactWay } from './wecom-state.ts';

function existing(sim: WecomSim, body: Record<string, unknown>): SimContactWay {
  const configId = requireText(body, 'config_id', 41043);
  const way = sim.state.contactWays.get(configId);
  if (!way) fail(41044, `invalid config_id ${configId}`);
  return way;
}

export function contactWayRoutes(sim: WecomSim): ApiRoute[] {
  const { state, limits } = sim;
  return [
    {
      method: 'POST',
      api: 'externalcontact/get_contact_way',
      auth: true,
      handler: ({ body }) => {
        const way = existing(sim, body);
        return { contact_way: { config_id: way.config_id, qr_code: `https://wework.qpic.cn/wwpic/sim_${way.config_id}/0`, ...way.body } };
      },
    },
    {
      method: 'POST',
      api: 'externalcontact/update_contact_way',
      auth: true,
      handler: ({ body }) => {
        const way = existing(sim, body);
        const remark = optionalText(body, 'remark');
        const stateParam = optionalText(body, 'state');
        if (remark !== undefined && chars(remark) > limits.contactWayRemarkChars) fail(40058, 'remark too long');
        if (stateParam !== undefined && chars(stateParam) > limits.contactWayStateChars) fail(40058, 'state too long');
        const users = optionalStrings(body, 'user');
        const parties = optionalList(body, 'party');
        if (users !== undefined) {
          if (way.body.type === 1 && users.length !== 1) fail(40058, 'type 1 takes exactly one user');
          if (users.length > limits.contactWayUsers) fail(41041, 'too many users for one contact way');
          for (const userid of users) if (!state.staff.has(userid)) fail(60111, `userid ${userid} not found`);
        }
        const { config_id: _id, ...changes } = body;
        way.body = { ...way.body, ...changes, ...(users === undefined ? {} : { user: users }), ...(parties === undefined ? {} : { party: parties }) };
      },
    },
    {
      method: 'POST',
      api: 'externalcontact/del_contact_way',
      auth: true,
      handler: ({ body }) => {
        const way = existing(sim, body);
        state.contactWays.delete(way.config_id);
      },
    },
  ];
}
