import { expect } from 'chai';
import { deliverCallback } from '../../adapters/wecom/simulator/callback-driver.ts';
import { kfMsgOrEvent } from '../../adapters/wecom/simulator/callback-events.ts';
import { SIM_CORP_ID } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { IDLE_END_RETRY_MS } from '../../server/kf/session/kf-idle.ts';
import { CALLBACK_AES_KEY, CALLBACK_TOKEN, startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { useTestDatabase } from '../support/database.ts';

const MIN = 60_000;

describe('微信客服 idle sessions end (kf.endIdleSessions against the simulator)', () => {
  const t = useTestDatabase('kf_idle');
  let h: ChannelHarness;
  const KF = 'wkIDLE0001';
  const target = () => ({ url: `${h.baseUrl}/callbacks/wecom`, token: CALLBACK_TOKEN, encodingAESKey: CALLBACK_AES_KEY, corpId: SIM_CORP_ID, retryDelayMs: 0 });
  let at = 1_795_300_000;
  async function pull(token: string): Promise<void> {
    await deliverCallback({ ...target(), xml: kfMsgOrEvent({ corpId: SIM_CORP_ID, token, openKfId: KF, createTime: at++ }) });
    await h.processor.drain();
  }
  const say = async (user: string, content: string) => pull(h.sim.control.kfCustomerMessage({ open_kfid: KF, external_userid: user, content }).token);
  const wecomState = (user: string) => h.sim.state.kf.conversations.get(user)?.sessionState;
  const sessionsOf = async (user: string) => t.db.models.KfSession.find({ corpId: SIM_CORP_ID, externalUserId: user }).sort({ startedAt: 1, _id: 1 }).lean();
  const endIdle = (now: Date) => h.services.kf.endIdleSessions(now);
  const trans = () => h.sim.control.requests('kf/service_state/trans').length;
  const inMinutes = (minutes: number) => new Date(Date.now() + minutes * MIN);
  const api = (method: string, path: string, body?: object) =>
    fetch(`${h.baseUrl}${path}`, { method, headers: { Authorization: `Bearer ${h.org.tokens.marketer}`, 'Content-Type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  /** Sessions of earlier tests are ended first, so each test counts only its own. */
  const settle = async () => endIdle(inMinutes(10 * 24 * 60));

  before(async () => {
    h = await startChannelHarness(t.db);
    h.sim.control.addKfServicer(KF, 'a1');
    await h.services.kf.createEntry(SIM_CORP_ID, { question: '鲜奶保质期多久？', similar: ['鲜奶能放几天'], answer: { text: '冷藏保质期 7 天。' }, category: '产品' }, 'test');
  });
  afterEach(async () => {
    await settle();
  });
  after(async () => h.stop());

  it('ends a session only the bot held after 30 silent minutes, at WeCom (state 4) and here, at its last message; the next message opens a new session', async () => {
    const user = 'wmIdleBot1';
    await say(user, '鲜奶能放几天');
    const [open] = await sessionsOf(user);
    expect(open!.state).to.equal(1);
    expect(open!.botAnswers).to.equal(1);

    expect(await endIdle(inMinutes(29)), 'not silent long enough').to.deep.equal({ ended: 0, refused: 0 });
    expect(wecomState(user)).to.equal(1);
    expect(await endIdle(inMinutes(31))).to.deep.equal({ ended: 1, refused: 0 });
    expect(wecomState(user), 'ended at WeCom').to.equal(4);
    const [ended] = await sessionsOf(user);
    expect(ended).to.deep.include({ state: 4, endReason: 'idle' });
    expect(ended!.endedAt!.getTime(), 'the conversation stopped at its last message').to.equal(ended!.lastMessageAt.getTime());
    expect(await endIdle(inMinutes(40)), 'ended once').to.deep.equal({ ended: 0, refused: 0 });

    // The numbers count it: it has a resolution time now.
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(ended!.startedAt);
    const stats = await h.services.kf.stats(SIM_CORP_ID, { by: 'agent', from: day, to: nextDay(day) });
    const bot = stats.rows.find((r) => r.key === '智能助手')!;
    expect(bot.resolutionSeconds, 'resolution time of the idle-ended session').to.be.a('number');

    await say(user, '那酸奶呢');
    const both = await sessionsOf(user);
    expect(both).to.have.length(2);
    const still = both.find((s) => String(s._id) === String(ended!._id))!;
    const next = both.find((s) => String(s._id) !== String(ended!._id))!;
    expect(still, 'the ended one stays ended').to.deep.include({ state: 4, endReason: 'idle' });
    expect(still.messages.map((m) => m.text)).to.not.include('那酸奶呢');
    expect(next.endedAt, 'a new session').to.equal(null);
    expect(next.messages.map((m) => m.text)).to.include('那酸奶呢');
  });

  it('ends a pool session only after the pool limit (240 min by default); a handed-over session is never counted as resolved', async () => {
    const user = 'wmIdlePool1';
    await say(user, '转人工');
    expect((await sessionsOf(user))[0]!.state).to.equal(2);
    expect(await endIdle(inMinutes(31)), 'the bot limit does not apply to the pool').to.deep.equal({ ended: 0, refused: 0 });
    expect(await endIdle(inMinutes(241))).to.deep.equal({ ended: 1, refused: 0 });
    const [ended] = await sessionsOf(user);
    expect(ended).to.deep.include({ state: 4, endReason: 'idle' });
    expect(ended!.handedOverAt).to.be.instanceOf(Date);
    expect(wecomState(user)).to.equal(4);
  });

  it('leaves a session with a servicer alone, however long it is silent', async () => {
    const user = 'wmIdleServed';
    await say(user, '我要投诉');
    const [pooled] = await sessionsOf(user);
    await h.services.kf.desk.take(SIM_CORP_ID, String(pooled!._id), 'a1');
    expect((await sessionsOf(user))[0]!.state).to.equal(3);
    const before = trans();
    await endIdle(inMinutes(3 * 24 * 60));
    expect((await sessionsOf(user))[0]!.state).to.equal(3);
    expect(trans(), 'WeCom not asked').to.equal(before);
    await h.services.kf.desk.end(SIM_CORP_ID, String(pooled!._id), 'a1');
    expect((await sessionsOf(user))[0]!.endReason, 'the servicer ended it').to.equal('servicer');
  });

  it('follows the corp\'s limits (5–1440 minutes, refused in zh-CN otherwise); a settings write without them keeps them', async () => {
    const current = await (await api('GET', `/api/kf/settings?corpId=${SIM_CORP_ID}`)).json() as Record<string, unknown>;
    expect(current).to.include({ botIdleEndMinutes: 30, poolIdleEndMinutes: 240 });
    const put = (body: object) => api('PUT', `/api/kf/settings?corpId=${SIM_CORP_ID}`, { ...current, ...body });
    const tooShort = await put({ botIdleEndMinutes: 4 });
    expect(tooShort.status).to.equal(400);
    expect(JSON.stringify(await tooShort.json())).to.include('空闲结束时间至少 5 分钟');
    const tooLong = await put({ poolIdleEndMinutes: 1441 });
    expect(tooLong.status).to.equal(400);
    expect(JSON.stringify(await tooLong.json())).to.include('最多 1440 分钟');
    expect((await put({ botIdleEndMinutes: 12.5 })).status).to.equal(400);
    // The other settings' refusals are zh-CN first too.
    const lonely = await put({ synonyms: [['鲜奶']] });
    expect(lonely.status).to.equal(400);
    expect(JSON.stringify(await lonely.json())).to.include('每组同义词至少 2 个词');
    expect(JSON.stringify(await (await put({ answerThreshold: 1.5 })).json())).to.include('回答阈值应在 0 到 1 之间');
    const saved = await put({ botIdleEndMinutes: 90, poolIdleEndMinutes: 600 });
    expect(saved.status).to.equal(200);
    expect(await saved.json()).to.include({ botIdleEndMinutes: 90, poolIdleEndMinutes: 600 });
    const { botIdleEndMinutes: _b, poolIdleEndMinutes: _p, ...older } = current;
    expect((await api('PUT', `/api/kf/settings?corpId=${SIM_CORP_ID}`, { ...older, answerThreshold: 0.55 })).status).to.equal(200);
    expect(await h.services.kf.getSettings(SIM_CORP_ID), 'an older client does not reset them').to.include({ botIdleEndMinutes: 90, poolIdleEndMinutes: 600, answerThreshold: 0.55 });

    try {
      const user = 'wmIdleLimit';
      await say(user, '鲜奶能放几天');
      expect(await endIdle(inMinutes(31))).to.deep.equal({ ended: 0, refused: 0 });
      expect(await endIdle(inMinutes(91))).to.deep.equal({ ended: 1, refused: 0 });
    } finally {
      await h.services.kf.putSettings(SIM_CORP_ID, { ...(await h.services.kf.getSettings(SIM_CORP_ID)), botIdleEndMinutes: 30, poolIdleEndMinutes: 240 });
    }
  });

  it('keeps a session WeCom refuses to end, records why, asks again after the retry wait; a session WeCom already ended ends here too', async () => {
    const user = 'wmIdleRefused';
    await say(user, '鲜奶能放几天');
    h.sim.control.injectErrors('kf/service_state/trans', 95016, 1);
    const first = inMinutes(31);
    expect(await endIdle(first)).to.deep.equal({ ended: 0, refused: 1 });
    const [kept] = await sessionsOf(user);
    expect(kept).to.deep.include({ state: 1, endedAt: null, endReason: null });
    expect(kept!.idleEndFailure).to.deep.include({ errcode: 95016 });
    expect(kept!.messages, 'nothing lost').to.have.length(2);
    const asked = trans();
    expect(await endIdle(new Date(first.getTime() + 5 * MIN)), 'not asked again at once').to.deep.equal({ ended: 0, refused: 0 });
    expect(trans()).to.equal(asked);
    // WeCom let the session go meanwhile (kf/service_state/get says 4): it is over there, so it ends here.
    h.sim.control.setKfSessionState(user, 4);
    expect(await endIdle(new Date(first.getTime() + IDLE_END_RETRY_MS + MIN))).to.deep.equal({ ended: 1, refused: 0 });
    expect(trans(), 'nothing left to end at WeCom').to.equal(asked);
    const [ended] = await sessionsOf(user);
    expect(ended).to.deep.include({ state: 4, endReason: 'idle', idleEndFailure: null });
  });

  it('follows a session a servicer took in the WeCom client (its status change missed) instead of ending it', async () => {
    const user = 'wmIdleTakenAtWecom';
    await say(user, '鲜奶能放几天');
    h.sim.control.setKfSessionState(user, 3);
    h.sim.state.kf.conversations.get(user)!.servicerUserid = 'a1';
    const asked = trans();
    expect(await endIdle(inMinutes(31))).to.deep.equal({ ended: 0, refused: 0 });
    expect(trans(), 'WeCom not asked to end it').to.equal(asked);
    expect(wecomState(user)).to.equal(3);
    expect((await sessionsOf(user))[0]).to.deep.include({ state: 3, servicerUserId: 'a1', endedAt: null });
    await h.services.kf.desk.end(SIM_CORP_ID, String((await sessionsOf(user))[0]!._id), 'a1');
  });

  it('two schedulers sweeping at once end each session once, and ask WeCom once per session', async () => {
    const users = ['wmIdleTwin1', 'wmIdleTwin2', 'wmIdleTwin3'];
    for (const u of users) await say(u, '鲜奶能放几天');
    const asked = trans();
    const now = inMinutes(31);
    const [a, b] = await Promise.all([endIdle(now), endIdle(now)]);
    expect(a.ended + b.ended).to.equal(3);
    expect(a.refused + b.refused).to.equal(0);
    expect(trans() - asked, 'one kf/service_state/trans per session').to.equal(3);
    for (const u of users) expect((await sessionsOf(u))[0]).to.deep.include({ state: 4, endReason: 'idle' });
  });
});

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
