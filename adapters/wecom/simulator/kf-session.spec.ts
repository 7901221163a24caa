import { expect } from 'chai';
import { FakeClock } from './fake-clock.ts';
import { KF_BAD_TRANSITION, KF_EVENT_CODE_ERRCODE, KF_NOT_SERVICER, KF_SESSION_ENDED } from './kf-session.route.ts';
import { rawSimClient } from './raw-sim-client.ts';
import type { RawReply } from './raw-sim-client.ts';
import { startWecomSimulator } from './wecom-simulator.ts';
import type { WecomSimulator } from './wecom-simulator.ts';

describe('WeCom simulator: kf sessions, event messages, menus, servicers', () => {
  const clock = new FakeClock();
  let sim: WecomSimulator;
  let api: ReturnType<typeof rawSimClient>;
  const KF = 'wkSESS';
  let n = 0;
  const customer = () => `wmS${++n}`;

  before(async () => {
    sim = await startWecomSimulator({ clock });
    api = rawSimClient(sim);
    sim.control.addKfAccount(KF);
    sim.control.addKfServicer(KF, 'lisi');
    sim.control.addKfServicer(KF, 'wangwu');
    sim.control.addKfServicer(KF, 'resting', 1);
  });
  after(() => sim.stop());
  beforeEach(() => api.token());

  async function expectCode(reply: Promise<RawReply>, errcode: number): Promise<RawReply> {
    const r = await reply;
    expect(r.errcode, r.errmsg).to.equal(errcode);
    return r;
  }
  const trans = (user: string, state: number, servicer?: string) =>
    api.post('kf/service_state/trans', { open_kfid: KF, external_userid: user, service_state: state, ...(servicer ? { servicer_userid: servicer } : {}) });
  const text = (user: string, content: string) => api.post('kf/send_msg', { touser: user, open_kfid: KF, msgtype: 'text', text: { content } });
  const menu = (ids: string[]) => ({ head_content: '您是不是想问', list: ids.map((id) => ({ type: 'click', click: { id, content: `问题${id}` } })) });

  it('walks 0 → 1 → 2 → 3 → 4 and refuses moves the table forbids (95016) or from an ended session (95013)', async () => {
    const user = customer();
    sim.control.kfCustomerMessage({ open_kfid: KF, external_userid: user, content: 'hi' });
    expect((await expectCode(api.post('kf/service_state/get', { open_kfid: KF, external_userid: user }), 0)).service_state).to.equal(0);
    expect((await expectCode(trans(user, 1), 0)).msg_code).to.equal(undefined);
    const pool = await expectCode(trans(user, 2), 0);
    expect(pool.msg_code).to.be.a('string');
    await expectCode(trans(user, 1), KF_BAD_TRANSITION);
    await expectCode(trans(user, 3), 40058);
    await expectCode(trans(user, 3, 'nobody'), KF_NOT_SERVICER);
    await expectCode(trans(user, 3, 'resting'), KF_NOT_SERVICER);
    expect((await expectCode(trans(user, 3, 'lisi'), 0)).msg_code).to.be.a('string');
    const got = await expectCode(api.post('kf/service_state/get', { open_kfid: KF, external_userid: user }), 0);
    expect(got).to.include({ service_state: 3, servicer_userid: 'lisi' });
    await expectCode(trans(user, 3, 'lisi'), KF_BAD_TRANSITION);
    await expectCode(trans(user, 3, 'wangwu'), 0);
    await expectCode(trans(user, 2), KF_BAD_TRANSITION);
    expect((await expectCode(trans(user, 4), 0)).msg_code).to.be.a('string');
    await expectCode(trans(user, 1), KF_SESSION_ENDED);
    await expectCode(api.post('kf/service_state/get', { open_kfid: 'wkNOPE', external_userid: user }), 95000);
    // The customer's next message opens a new session.
    sim.control.kfCustomerMessage({ open_kfid: KF, external_userid: user, content: 'again' });
    expect((await expectCode(api.post('kf/service_state/get', { open_kfid: KF, external_userid: user }), 0)).service_state).to.equal(0);
  });

  it('kf/send_msg works in 0 and 1 only: 95018 in the pool, with a servicer, after the end', async () => {
    const user = customer();
    sim.control.kfCustomerMessage({ open_kfid: KF, external_userid: user, content: 'hi' });
    await expectCode(text(user, 'state 0'), 0);
    await expectCode(trans(user, 1), 0);
    await expectCode(text(user, 'bot'), 0);
    await expectCode(trans(user, 2), 0);
    await expectCode(text(user, 'pool'), 95018);
    await expectCode(trans(user, 3, 'lisi'), 0);
    await expectCode(text(user, 'human'), 95018);
    await expectCode(trans(user, 4), 0);
    await expectCode(text(user, 'ended'), 95018);
  });

  it('send_msg_on_event: the welcome_code of enter_session works once within 20 s; none while a conversation is recent', async () => {
    const user = customer();
    const first = sim.control.kfEnterSession({ open_kfid: KF, external_userid: user, scene: 'web' });
    expect(first.welcome_code).to.be.a('string');
    const page = await expectCode(api.post('kf/sync_msg', { open_kfid: KF, token: first.token }), 0);
    const event = (page.msg_list as { msgid: string; origin: number; event?: Record<string, unknown> }[]).find((m) => m.msgid === first.msgid);
    expect(event?.origin).to.equal(4);
    expect(event?.event).to.include({ event_type: 'enter_session', welcome_code: first.welcome_code, scene: 'web' });

    clock.advance(20_001);
    await expectCode(api.post('kf/send_msg_on_event', { code: first.welcome_code, msgtype: 'text', text: { content: '欢迎' } }), KF_EVENT_CODE_ERRCODE);
    const again = sim.control.kfEnterSession({ open_kfid: KF, external_userid: user });
    clock.advance(20_000);
    await expectCode(api.post('kf/send_msg_on_event', { code: again.welcome_code, msgtype: 'image', image: { media_id: 'M' } }), 40008);
    await expectCode(api.post('kf/send_msg_on_event', { code: again.welcome_code, msgtype: 'msgmenu', msgmenu: { list: [] } }), 40058);
    await expectCode(api.post('kf/send_msg_on_event', { code: again.welcome_code, msgtype: 'msgmenu', msgmenu: menu(['a', 'b']) }), 0);
    await expectCode(api.post('kf/send_msg_on_event', { code: again.welcome_code, msgtype: 'text', text: { content: '欢迎' } }), KF_EVENT_CODE_ERRCODE);
    expect(sim.state.kf.eventSends.at(-1)?.body).to.include({ touser: user, open_kfid: KF });
    // Welcomed: no new welcome_code for 48 h.
    expect(sim.control.kfEnterSession({ open_kfid: KF, external_userid: user }).welcome_code).to.equal(null);
  });

  it('the pool 回复语 code sends text only; the 结束语 code lives 20 s', async () => {
    const user = customer();
    sim.control.kfCustomerMessage({ open_kfid: KF, external_userid: user, content: 'hi' });
    const pool = String((await trans(user, 2)).msg_code);
    await expectCode(api.post('kf/send_msg_on_event', { code: pool, msgtype: 'msgmenu', msgmenu: menu(['x']) }), 40008);
    await expectCode(api.post('kf/send_msg_on_event', { code: pool, msgtype: 'text', text: { content: '正在为您转接人工' } }), 0);
    await trans(user, 3, 'lisi');
    const end = String((await trans(user, 4)).msg_code);
    clock.advance(20_001);
    await expectCode(api.post('kf/send_msg_on_event', { code: end, msgtype: 'msgmenu', msgmenu: menu(['5']) }), KF_EVENT_CODE_ERRCODE);
  });

  it('a click on a menu item comes back through sync_msg as text with its menu_id; an item never shown cannot be clicked', async () => {
    const user = customer();
    sim.control.kfCustomerMessage({ open_kfid: KF, external_userid: user, content: '怎么退货' });
    await expectCode(api.post('kf/send_msg', { touser: user, open_kfid: KF, msgtype: 'msgmenu', msgmenu: { list: [{ type: 'click', click: { id: 'k'.repeat(129), content: 'x' } }] } }), 40058);
    await expectCode(api.post('kf/send_msg', { touser: user, open_kfid: KF, msgtype: 'msgmenu', msgmenu: menu(['q1', 'q2']) }), 0);
    expect(() => sim.control.kfMenuClick({ open_kfid: KF, external_userid: user, menu_id: 'q9' })).to.throw();
    const click = sim.control.kfMenuClick({ open_kfid: KF, external_userid: user, menu_id: 'q2' });
    const page = await expectCode(api.post('kf/sync_msg', { open_kfid: KF, token: click.token }), 0);
    const message = (page.msg_list as { msgid: string; text?: unknown }[]).find((m) => m.msgid === click.msgid);
    expect(message?.text).to.deep.equal({ content: '问题q2', menu_id: 'q2' });
  });

  it('kf/servicer/list lists the servicers with their status', async () => {
    const r = await expectCode(api.get('kf/servicer/list', { open_kfid: KF }), 0);
    expect(r.servicer_list).to.deep.include({ userid: 'resting', status: 1 });
    expect(r.servicer_list).to.deep.include({ userid: 'lisi', status: 0 });
    await expectCode(api.get('kf/servicer/list', { open_kfid: 'wkNOPE' }), 95000);
  });
});
