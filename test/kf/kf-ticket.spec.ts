import { expect } from 'chai';
import { deliverCallback } from '../../adapters/wecom/simulator/callback-driver.ts';
import { kfMsgOrEvent } from '../../adapters/wecom/simulator/callback-events.ts';
import { SIM_CORP_ID } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { CALLBACK_AES_KEY, CALLBACK_TOKEN, startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { useTestDatabase } from '../support/database.ts';

describe('kf tickets: 转工单 from the desk, the owner’s open tickets and the state machine', () => {
  const t = useTestDatabase('kf_ticket');
  let h: ChannelHarness;
  const KF = 'wkTICKET01';
  const USER = 'wmTicketWang';
  let sessionId = '';
  const call = (method: 'GET' | 'POST', path: string, token: string, body?: unknown) =>
    fetch(`${h.baseUrl}${path}`, { method, headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;
  type Ticket = { id: string; state: string; ownerStaffId: string; title: string; history: { state: string }[] };

  before(async () => {
    h = await startChannelHarness(t.db);
    h.sim.control.addKfServicer(KF, 'a2');
    const { token } = h.sim.control.kfCustomerMessage({ open_kfid: KF, external_userid: USER, content: '上周送来的蛋糕压坏了，想要退款' });
    await deliverCallback({ url: `${h.baseUrl}/callbacks/wecom`, token: CALLBACK_TOKEN, encodingAESKey: CALLBACK_AES_KEY, corpId: SIM_CORP_ID, retryDelayMs: 0, xml: kfMsgOrEvent({ corpId: SIM_CORP_ID, token, openKfId: KF, createTime: 1_795_300_000 }) });
    await h.processor.drain();
    sessionId = String((await t.db.models.KfSession.findOne({ corpId: SIM_CORP_ID, externalUserId: USER }).lean())!._id);
  });
  after(async () => h.stop());

  it('creates a ticket with an owner and a due time; only the owner sees it on /api/me/tickets and moves it to closed', async () => {
    const { tokens, staff } = h.org;
    const dueAt = new Date(Date.now() + 86_400_000).toISOString();
    const bad = await call('POST', `/api/kf/desk/sessions/${sessionId}/ticket`, tokens.staffA, { title: '蛋糕压坏，核实退款', ownerStaffId: '0123456789abcdef01234567', dueAt });
    expect(bad.status, 'an owner who is not staff of the corp').to.equal(400);
    const created = await call('POST', `/api/kf/desk/sessions/${sessionId}/ticket`, tokens.staffA, { title: '蛋糕压坏，核实退款', ownerStaffId: staff.b1, dueAt });
    expect(created.status).to.equal(200);
    const ticket = await json<Ticket>(created);
    expect(ticket).to.include({ state: 'assigned', ownerStaffId: staff.b1 });
    expect(ticket.history.map((s) => s.state)).to.deep.equal(['created', 'assigned']);
    expect((await json<{ items: Ticket[] }>(await call('GET', `/api/kf/desk/sessions/${sessionId}/tickets`, tokens.hq))).items.map((x) => x.id)).to.deep.equal([ticket.id]);

    const mine = async (token: string) => (await json<{ items: Ticket[] }>(await call('GET', '/api/me/tickets', token))).items.map((x) => x.id);
    expect(await mine(tokens.staffB)).to.deep.equal([ticket.id]);
    expect(await mine(tokens.staffA), 'not the creator’s list').to.deep.equal([]);
    expect((await call('GET', '/api/me/tickets', tokens.otherCorp)).status, 'no staff on the token').to.equal(403);

    const move = (token: string, to: string) => call('POST', `/api/me/tickets/${ticket.id}/move`, token, { to });
    expect((await move(tokens.staffA, 'handled')).status, 'not the owner').to.equal(403);
    expect((await move(tokens.staffB, 'followed_up')).status, 'no skipping a step').to.equal(409);
    expect((await move(tokens.staffB, 'handled')).status).to.equal(200);
    expect((await move(tokens.staffB, 'followed_up')).status).to.equal(200);
    const back = await move(tokens.staffB, 'handled');
    expect(back.status).to.equal(409);
    expect(await back.text(), 'the refusal says why, in zh-CN').to.include('不能改为');
    const closed = await json<Ticket>(await move(tokens.staffB, 'closed'));
    expect(closed.state).to.equal('closed');
    expect(closed.history.map((s) => s.state)).to.deep.equal(['created', 'assigned', 'handled', 'followed_up', 'closed']);
    expect(await mine(tokens.staffB), 'a closed ticket leaves the list').to.deep.equal([]);
    expect((await move(tokens.staffB, 'closed')).status, 'nothing leaves closed').to.equal(409);
  });

  it('keeps tickets inside the corp: another corp cannot see or raise one on this session', async () => {
    const res = await call('POST', `/api/kf/desk/sessions/${sessionId}/ticket`, h.org.tokens.otherCorp, { title: 'x', ownerStaffId: h.org.staff.b1, dueAt: new Date().toISOString() });
    expect([400, 404]).to.include(res.status);
    expect(await t.db.models.KfTicket.countDocuments({ corpId: 'wwothercorp' })).to.equal(0);
  });
});
