import { expect } from 'chai';
import { parseWecomCallback } from '../parse/callback.parser.ts';
import { FakeClock } from './fake-clock.ts';
import { many, rawSimClient } from './raw-sim-client.ts';
import type { RawReply } from './raw-sim-client.ts';
import { startWecomSimulator } from './wecom-simulator.ts';
import type { WecomSimulator } from './wecom-simulator.ts';

describe('WeCom simulator: customer and group handover (在职 / 离职继承)', () => {
  const clock = new FakeClock('2026-03-02T02:00:00Z');
  let sim: WecomSimulator;
  let api: ReturnType<typeof rawSimClient>;
  const DAY = 86_400_000;
  const transfer = (external_userid: string[], handover = 'zhang', takeover = 'li') => api.post('externalcontact/transfer_customer', { handover_userid: handover, takeover_userid: takeover, external_userid });
  const result = (handover = 'zhang', takeover = 'li', api_ = 'externalcontact/transfer_result') => api.post(api_, { handover_userid: handover, takeover_userid: takeover });
  const codes = (reply: RawReply) => Object.fromEntries((reply.customer as { external_userid: string; errcode: number }[]).map((c) => [c.external_userid, c.errcode]));

  before(async () => {
    sim = await startWecomSimulator({ clock });
    api = rawSimClient(sim);
    for (const id of ['wmT1', 'wmT2', 'wmT3', 'wmT4']) sim.control.addCustomer({ external_userid: id, name: id, follow_user: [{ userid: 'zhang', remark: `r-${id}` }] });
    sim.control.addCustomer({ external_userid: 'wmOther', name: 'other', follow_user: [{ userid: 'wang' }] });
    sim.control.addStaff('li');
  });
  after(() => sim.stop());
  beforeEach(() => api.token());

  it('takes 1–100 customers per call and answers per customer: 0, 40096 unknown, 84061 not the member’s, 40129 pending', async () => {
    expect((await transfer([])).errcode).to.equal(40058);
    expect((await transfer(many('wmX', 101))).errcode).to.equal(40058);
    expect((await transfer(['wmT1'], 'zhang', 'nobody')).errcode).to.equal(60111);
    const reply = await transfer(['wmT1', 'wmNope', 'wmOther']);
    expect(reply.errcode).to.equal(0);
    expect(codes(reply)).to.deep.equal({ wmT1: 0, wmNope: 40096, wmOther: 84061 });
    expect(codes(await transfer(['wmT1']))).to.deep.equal({ wmT1: 40129 });
  });

  it('reports a transfer waiting (status 2, takeover in 24 h), then taken over with the follow moved', async () => {
    const waiting = await result();
    expect(waiting.customer).to.deep.equal([{ external_userid: 'wmT1', status: 2, takeover_time: Math.floor(clock.now().getTime() / 1000) + 86_400 }]);
    clock.advance(DAY);
    await api.token();
    const done = await result();
    expect((done.customer as { status: number }[])[0]!.status).to.equal(1);
    expect(sim.state.follower('zhang', 'wmT1')).to.equal(undefined);
    expect(sim.state.follower('li', 'wmT1')).to.include({ remark: 'r-wmT1' });
  });

  it('refuses a third in-service transfer of a customer within 90 days (40128) and allows it after', async () => {
    expect(codes(await transfer(['wmT1'], 'li', 'zhang'))).to.deep.equal({ wmT1: 0 });
    sim.control.transfers.settle();
    expect(codes(await transfer(['wmT1'], 'zhang', 'li'))).to.deep.equal({ wmT1: 40128 });
    clock.advance(91 * DAY);
    await api.token();
    expect(codes(await transfer(['wmT1'], 'zhang', 'li'))).to.deep.equal({ wmT1: 0 });
    sim.control.transfers.settle();
  });

  it('settles on demand: a refusal (3) and a full takeover member (4) each push transfer_fail naming the takeover member', async () => {
    expect(codes(await transfer(['wmT2', 'wmT3', 'wmT4']))).to.deep.equal({ wmT2: 0, wmT3: 0, wmT4: 0 });
    const { callbacks } = sim.control.transfers.settle({ refuse: ['wmT2'], limitExceeded: ['wmT3'] });
    const statuses = Object.fromEntries(((await result()).customer as { external_userid: string; status: number }[]).map((c) => [c.external_userid, c.status]));
    expect(statuses).to.include({ wmT2: 3, wmT3: 4, wmT4: 1 });
    const events = callbacks.flatMap((xml) => parseWecomCallback(xml));
    const failed = events.filter((e) => e.kind === 'friend_transfer_failed') as { takeoverUserId: string; externalUserId: string; reason: string }[];
    expect(failed.map((e) => [e.externalUserId, e.takeoverUserId, e.reason])).to.deep.equal([
      ['wmT2', 'li', 'customer_refused'],
      ['wmT3', 'li', 'customer_limit_exceed'],
    ]);
    expect(events.some((e) => e.kind === 'friend_deleted_by_staff' && (e as { byTransfer: boolean }).byTransfer)).to.equal(true);
    expect(sim.state.follower('zhang', 'wmT2'), 'a refused customer stays').to.not.equal(undefined);
  });

  it('moves a resigned member’s customers only once they resigned (40003 before)', async () => {
    sim.control.addCustomer({ external_userid: 'wmR', name: 'r', follow_user: [{ userid: 'zhao' }] });
    const body = { handover_userid: 'zhao', takeover_userid: 'li', external_userid: ['wmR'] };
    expect((await api.post('externalcontact/resigned/transfer_customer', body)).errcode).to.equal(40003);
    sim.control.transfers.resign('zhao');
    expect(codes(await api.post('externalcontact/resigned/transfer_customer', body))).to.deep.equal({ wmR: 0 });
    expect(((await result('zhao', 'li', 'externalcontact/resigned/transfer_result')).customer as { status: number }[])[0]!.status).to.equal(2);
  });

  it('gives groups a new owner, listing unknown groups and a third transfer within 90 days as failures', async () => {
    sim.control.addGroupChat({ chat_id: 'wrG', name: 'G', owner: 'zhang' });
    const move = (to: string, chats = ['wrG', 'wrNope']) => api.post('externalcontact/groupchat/onjob_transfer', { chat_id_list: chats, new_owner: to });
    expect((await move('li')).failed_chat_list).to.deep.equal([{ chat_id: 'wrNope', errcode: 40050, errmsg: 'chatid not found' }]);
    expect(sim.state.groupChats.get('wrG')!.owner).to.equal('li');
    await move('zhang', ['wrG']);
    expect(((await move('li', ['wrG'])).failed_chat_list as { errcode: number }[])[0]!.errcode).to.equal(40128);
    expect((await api.post('externalcontact/groupchat/transfer', { chat_id_list: many('wr', 101), new_owner: 'li' })).errcode).to.equal(40058);
  });
});
