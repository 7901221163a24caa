import { expect } from 'chai';
import { FakeClock } from './fake-clock.ts';
import { rawSimClient } from './raw-sim-client.ts';
import type { RawReply } from './raw-sim-client.ts';
import { startWecomSimulator } from './wecom-simulator.ts';
import type { WecomSimulator } from './wecom-simulator.ts';

const LIST = 'externalcontact/get_groupmsg_list_v2';
const DAY_S = 86_400;

describe('WeCom simulator: externalcontact/get_groupmsg_list_v2', () => {
  let clock: FakeClock;
  let sim: WecomSimulator;
  let api: ReturnType<typeof rawSimClient>;
  const now = () => Math.floor(clock.now().getTime() / 1000);
  const range = (from = now() - 60, to = now()) => ({ chat_type: 'single', start_time: from, end_time: to });

  beforeEach(async () => {
    clock = new FakeClock();
    sim = await startWecomSimulator({ clock });
    api = rawSimClient(sim);
    await api.token();
    sim.control.addCustomer({ external_userid: 'wmA', name: 'A', follow_user: [{ userid: 'zhangsan' }] });
    sim.control.addGroupChat({ chat_id: 'wrA', name: 'A群', owner: 'zhangsan' });
  });
  afterEach(() => sim.stop());

  async function expectCode(reply: Promise<RawReply>, errcode: number): Promise<RawReply> {
    const r = await reply;
    expect(r.errcode, r.errmsg).to.equal(errcode);
    return r;
  }

  const massSend = async (content: string, extra: Record<string, unknown> = {}) =>
    String((await expectCode(api.post('externalcontact/add_msg_template', { external_userid: ['wmA'], sender: 'zhangsan', text: { content }, ...extra }), 0)).msgid);

  it('requires start_time and end_time, in order and at most a month (30 days) apart, else 40058', async () => {
    const end = now();
    await expectCode(api.post(LIST, { chat_type: 'single', end_time: end }), 40058);
    await expectCode(api.post(LIST, { chat_type: 'single', start_time: end }), 40058);
    await expectCode(api.post(LIST, range(end, end - 1)), 40058);
    await expectCode(api.post(LIST, range(end - 30 * DAY_S - 1, end)), 40058);
    await expectCode(api.post(LIST, range(end - 30 * DAY_S, end)), 0);
    await expectCode(api.post(LIST, { ...range(), filter_type: 3 }), 40058);
  });

  it('lists an API-created message as corp-published (create_type 0) without creator, with its text and attachments', async () => {
    const link = { msgtype: 'link', link: { title: '活动', url: 'https://example.com/a' } };
    const msgid = await massSend('三月会员日', { attachments: [link] });
    const reply = await expectCode(api.post(LIST, range()), 0);
    expect(reply.group_msg_list).to.deep.equal([{ msgid, create_time: String(now()), create_type: 0, text: { content: '三月会员日' }, attachments: [link] }]);
    expect(reply.next_cursor).to.equal('');
  });

  it('filters on chat_type, the time range (inclusive), filter_type and creator', async () => {
    const single = await massSend('单发');
    const group = String((await expectCode(api.post('externalcontact/add_msg_template', { chat_type: 'group', sender: 'zhangsan', text: { content: '群发' } }), 0)).msgid);
    const at = clock.now();
    sim.state.massSends.set('msgPERSONAL', {
      msgid: 'msgPERSONAL', chat_type: 'single', body: {}, create_type: 1, creator: 'zhangsan', text: { content: '个人' }, attachments: [], createdAt: at, dispatchedAt: at, tasks: [], rows: [],
    });
    const ids = async (body: Record<string, unknown>) => ((await expectCode(api.post(LIST, body), 0)).group_msg_list as { msgid: string }[]).map((m) => m.msgid);

    expect(await ids(range())).to.deep.equal([single, 'msgPERSONAL']);
    expect(await ids({ ...range(), chat_type: 'group' })).to.deep.equal([group]);
    expect(await ids({ ...range(), filter_type: 0 })).to.deep.equal([single]);
    expect(await ids({ ...range(), filter_type: 1 })).to.deep.equal(['msgPERSONAL']);
    expect(await ids({ ...range(), creator: 'zhangsan' }), 'API-created messages have no creator').to.deep.equal(['msgPERSONAL']);
    expect(await ids(range(now(), now()))).to.have.length(2);
    expect(await ids(range(now() - 60, now() - 1))).to.deep.equal([]);
  });

  it('pages by cursor; limit ≤100, and a larger or missing limit means the default 50', async () => {
    const created: string[] = [];
    for (let i = 0; i < 120; i++) created.push(await massSend(`消息 ${i}`));
    const first = await expectCode(api.post(LIST, { ...range(), limit: 100 }), 0);
    expect(first.group_msg_list).to.have.length(100);
    expect(first.next_cursor).to.be.a('string').and.not.equal('');
    const second = await expectCode(api.post(LIST, { ...range(), limit: 100, cursor: first.next_cursor }), 0);
    expect(second.next_cursor).to.equal('');
    const listed = [...(first.group_msg_list as { msgid: string }[]), ...(second.group_msg_list as { msgid: string }[])].map((m) => m.msgid);
    expect(listed).to.deep.equal(created);
    expect((await expectCode(api.post(LIST, { ...range(), limit: 101 }), 0)).group_msg_list).to.have.length(50);
    expect((await expectCode(api.post(LIST, range()), 0)).group_msg_list).to.have.length(50);
  });
});
