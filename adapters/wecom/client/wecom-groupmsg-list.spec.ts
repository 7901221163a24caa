import { expect } from 'chai';
import { FakeClock } from '../simulator/fake-clock.ts';
import { startWecomSimulator } from '../simulator/wecom-simulator.ts';
import type { WecomSimulator } from '../simulator/wecom-simulator.ts';
import type { WecomApiError } from './wecom-api-error.ts';
import { WecomClient } from './wecom.client.ts';

const LIST = 'externalcontact/get_groupmsg_list_v2';

describe('WecomClient.getGroupMsgListV2', () => {
  const clock = new FakeClock();
  let sim: WecomSimulator;
  let wecom: WecomClient;
  const now = () => Math.floor(clock.now().getTime() / 1000);

  before(async () => {
    sim = await startWecomSimulator({ clock });
    wecom = new WecomClient({ corpId: sim.corpId, secret: sim.secret, baseUrl: sim.baseUrl, clock, sleep: clock.sleep, random: () => 0.5 });
    sim.control.addCustomer({ external_userid: 'wmAAA', name: '王女士', follow_user: [{ userid: 'zhangsan' }] });
  });
  after(() => sim.stop());

  it('sends the body as given and pages by next_cursor until it is empty', async () => {
    const created = [];
    for (const content of ['一', '二', '三']) created.push((await wecom.addMsgTemplate({ external_userid: ['wmAAA'], sender: 'zhangsan', text: { content } })).msgid);
    const body = { chat_type: 'single' as const, start_time: now() - 60, end_time: now(), filter_type: 0 as const, limit: 2 };
    const first = await wecom.getGroupMsgListV2(body);
    expect(sim.control.requests(LIST).at(-1)?.body).to.deep.equal(body);
    expect(first.group_msg_list.map((m) => m.msgid)).to.deep.equal(created.slice(0, 2));
    expect(first.group_msg_list[0]).to.deep.equal({ msgid: created[0], create_time: String(now()), create_type: 0, text: { content: '一' } });
    const second = await wecom.getGroupMsgListV2({ ...body, cursor: first.next_cursor });
    expect(second.group_msg_list.map((m) => m.msgid)).to.deep.equal(created.slice(2));
    expect(second.next_cursor).to.equal('');
  });

  it('rejects a range over one month with 40058 (invalid), without retrying', async () => {
    sim.control.clearRequests();
    const err = await wecom.getGroupMsgListV2({ chat_type: 'single', start_time: now() - 31 * 86_400, end_time: now() }).then(
      () => expect.fail('expected a rejection'),
      (e: unknown) => e as WecomApiError,
    );
    expect(err).to.include({ errcode: 40058, kind: 'invalid', local: false });
    expect(sim.control.requests(LIST)).to.have.length(1);
  });
});
