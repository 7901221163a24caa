import { expect } from 'chai';
import { deliverCallback } from '../../adapters/wecom/simulator/callback-driver.ts';
import { kfMsgOrEvent } from '../../adapters/wecom/simulator/callback-events.ts';
import { SIM_CORP_ID } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { HANDOVER_TEXT } from '../../server/kf/bot/kf-bot.ts';
import { CALLBACK_AES_KEY, CALLBACK_TOKEN, startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { useTestDatabase } from '../support/database.ts';

const A = '请在小程序「我的订单」里点「申请退货」，7 天内可退。';
const B = '7 天无理由退货：订单详情 → 申请退货，快递员上门取件。';

describe('微信客服 answer A/B test against the simulator (knowledge variants → experiment)', () => {
  const t = useTestDatabase('kf_answer_ab');
  let h: ChannelHarness;
  const KF = 'wkAB00001';
  const target = () => ({ url: `${h.baseUrl}/callbacks/wecom`, token: CALLBACK_TOKEN, encodingAESKey: CALLBACK_AES_KEY, corpId: SIM_CORP_ID, retryDelayMs: 0 });
  let at = 1_795_200_000;
  async function pull(token: string): Promise<void> {
    await deliverCallback({ ...target(), xml: kfMsgOrEvent({ corpId: SIM_CORP_ID, token, openKfId: KF, createTime: at++ }) });
    await h.processor.drain();
  }
  const say = async (user: string, content: string) => pull(h.sim.control.kfCustomerMessage({ open_kfid: KF, external_userid: user, content }).token);
  const textsSentTo = (user: string) => h.sim.state.kf.sent.filter((s) => s.body.touser === user).map((s) => (s.body.text as { content?: string } | undefined)?.content);
  const api = (method: string, path: string, body?: object) =>
    fetch(`${h.baseUrl}${path}`, { method, headers: { Authorization: `Bearer ${h.org.tokens.marketer}`, 'Content-Type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const contactOf = async (user: string) => (await t.db.models.KfSession.findOne({ corpId: SIM_CORP_ID, externalUserId: user }).lean())!.contactId!;
  let entryId = '';
  const experimentId = () => `kf-knowledge-${entryId}`;

  before(async () => {
    h = await startChannelHarness(t.db);
    h.sim.control.addKfServicer(KF, 'a1');
  });
  after(async () => h.stop());

  it('POST /api/kf/knowledge refuses bad variants with the reason in zh-CN, and runs an experiment named after the question', async () => {
    const base = { question: '怎么退货？', similar: ['退货流程是什么', '买错了能退吗'], answer: { text: '订单详情里申请退货。' } };
    const refused = async (variants: object[]) => {
      const res = await api('POST', '/api/kf/knowledge', { ...base, variants });
      expect(res.status).to.equal(400);
      return JSON.stringify(await res.json());
    };
    expect(await refused(['A', 'B', 'C', 'D', 'E', 'F'].map((key) => ({ key, answer: `答案 ${key}` })))).to.include('最多 5 个变体');
    expect(await refused([{ key: 'A', answer: 'x' }, { key: 'A', answer: 'y' }])).to.include('变体标识不能重复');
    expect(await refused([{ key: 'A', answer: 'x' }, { key: 'B', answer: '   ' }])).to.include('变体答案不能为空');
    expect(await refused([{ key: 'A', answer: 'x' }])).to.include('至少 2 个变体');

    const res = await api('POST', '/api/kf/knowledge', { ...base, variants: [{ key: 'A', answer: A }, { key: 'B', answer: B }] });
    expect(res.status).to.equal(201);
    const entry = (await res.json()) as { id: string; variants: unknown[]; version: number };
    entryId = entry.id;
    expect(entry.variants).to.deep.equal([{ key: 'A', answer: A }, { key: 'B', answer: B }]);

    const experiment = await h.services.experiments.get(SIM_CORP_ID, experimentId());
    expect(experiment).to.include({ name: '知识库：怎么退货？', status: 'running' });
    expect(experiment.goals).to.deep.equal(['kf_resolved']);
    expect(experiment.arms.map((a) => a.id)).to.deep.equal(['A', 'B']);

    // An edit keeps versions like the main answer, and the experiment follows the question's new wording.
    const patched = await api('PATCH', `/api/kf/knowledge/${entryId}`, { question: '怎么退货呢？', variants: [{ key: 'A', answer: A }, { key: 'B', answer: B }] });
    expect(patched.status).to.equal(200);
    expect(((await patched.json()) as { version: number }).version).to.equal(2);
    const v1 = (await (await api('GET', `/api/kf/knowledge/${entryId}/versions/1`)).json()) as { variants: unknown[] };
    expect(v1.variants).to.have.length(2);
    expect((await h.services.experiments.get(SIM_CORP_ID, experimentId())).name).to.equal('知识库：怎么退货呢？');
  });

  it('gives each customer a stable arm and that arm\'s text; no handover converts, a handover does not; the results count both', async () => {
    const byArm = new Map<string, string[]>();
    for (let i = 0; i < 24 && !(byArm.get('A')?.length && byArm.get('B')?.length); i++) {
      const user = `wmAb${i}`;
      await say(user, '怎么退货');
      const [sent] = textsSentTo(user);
      expect([A, B], 'the bot answered with one of the variants').to.include(sent);
      const arm = sent === A ? 'A' : 'B';
      byArm.set(arm, [...(byArm.get(arm) ?? []), user]);
      const units = await h.services.experiments.assignmentsOfContact(SIM_CORP_ID, await contactOf(user));
      expect(units.find((u) => u.experimentId === experimentId())?.arm, 'the exposure records the arm that was sent').to.equal(arm);
    }
    const resolvedUser = byArm.get('A')![0]!;
    const handedUser = byArm.get('B')![0]!;

    // Stable: asking again (another phrasing) gets the same text.
    await say(resolvedUser, '买错了能退吗');
    expect(textsSentTo(resolvedUser)).to.deep.equal([A, A]);
    await say(handedUser, '我要转人工');
    expect(textsSentTo(handedUser)).to.deep.equal([B, HANDOVER_TEXT]);

    // Nothing is decided while the sessions are fresh.
    expect(await h.services.kf.settleAnswerTests(new Date())).to.deep.equal({ resolved: 0, handedOver: 0 });
    const handedContact = await contactOf(handedUser);
    const pending = await t.db.models.KfAnswerTest.find({ corpId: SIM_CORP_ID, experimentId: experimentId() }).lean();
    expect(pending.find((r) => r.contactId === handedContact)?.status, 'the handover settled at once').to.equal('handed_over');

    // Silence alone decides nothing: the idle sweep says when a silent session is over (the corp's 30 minutes),
    // ends every session only the bot held, and each of those converts; the handed-over one waits in the pool.
    const later = new Date(Date.now() + 31 * 60_000);
    const users = [...byArm.values()].flat();
    expect(await h.services.kf.settleAnswerTests(later), 'open sessions wait for their end').to.deep.equal({ resolved: 0, handedOver: 0 });
    expect(await h.services.kf.endIdleSessions(later)).to.deep.equal({ ended: users.length - 1, refused: 0 });
    const statuses = (await t.db.models.KfAnswerTest.find({ corpId: SIM_CORP_ID, experimentId: experimentId() }).lean()).map((r) => r.status).sort();
    expect(statuses).to.deep.equal([...Array<string>(users.length - 1).fill('resolved'), 'handed_over'].sort());
    expect(await h.services.kf.settleAnswerTests(later), 'settled once, at the end').to.deep.equal({ resolved: 0, handedOver: 0 });

    const res = await api('GET', `/api/experiments/${experimentId()}`);
    expect(res.status).to.equal(200);
    const { results } = (await res.json()) as { results: { metrics: { metric: string; arms: { name: string; users: number; conversions: number }[] }[] } };
    const goal = results.metrics.find((m) => m.metric === 'kf_resolved')!;
    const a = byArm.get('A')!.length;
    const b = byArm.get('B')!.length;
    expect(goal.arms.map(({ name, users: n, conversions }) => ({ name, users: n, conversions }))).to.deep.equal([
      { name: 'A', users: a, conversions: a },
      { name: 'B', users: b, conversions: b - 1 },
    ]);

    // The dashboard's list shows it by name, with its arms and their units.
    const list = (await (await api('GET', '/api/experiments')).json()) as { items: { experimentId: string; name: string; arms: { id: string; label: string }[]; armUnits: { name: string; units: number }[] }[] };
    const row = list.items.find((i) => i.experimentId === experimentId())!;
    expect(row.name).to.equal('知识库：怎么退货呢？');
    expect(row.arms.map((x) => x.label)).to.deep.equal([`A：${A.slice(0, 12)}…`, `B：${B.slice(0, 12)}…`]);
    expect(row.armUnits).to.deep.equal([{ name: 'A', units: a }, { name: 'B', units: b }]);
  });

  it('a handover settles the tests of a session stored before sessions kept their tested mark, and skips none', async () => {
    const user = 'wmAbOld';
    await say(user, '怎么退货');
    const session = await t.db.models.KfSession.findOne({ corpId: SIM_CORP_ID, externalUserId: user }).lean();
    expect(session?.answerTested, 'a tested answer marks its session').to.equal(true);
    // As stored before the mark existed: nothing says whether the bot answered from a tested entry.
    await t.db.models.KfSession.collection.updateOne({ _id: session!._id }, { $unset: { answerTested: 1 } });
    await say(user, '我要转人工');
    const test = await t.db.models.KfAnswerTest.findOne({ corpId: SIM_CORP_ID, experimentId: experimentId(), contactId: await contactOf(user) }).lean();
    expect(test?.status, 'the handover settled it at once').to.equal('handed_over');

    // A session the bot never answered from a tested entry is marked so from its start.
    await say('wmAbPlain', '我要转人工');
    const plain = await t.db.models.KfSession.findOne({ corpId: SIM_CORP_ID, externalUserId: 'wmAbPlain' }).lean();
    expect(plain).to.include({ answerTested: false, state: 2 });
  });

  it('a session the servicer ends in the WeCom client converts at once; removing the variants stops the experiment', async () => {
    // A customer whose arm is settled by the end event, not by the silence.
    let user = '';
    for (let i = 0; i < 10 && !user; i++) {
      const candidate = `wmAbEnd${i}`;
      await say(candidate, '怎么退货');
      const rows = await t.db.models.KfAnswerTest.find({ corpId: SIM_CORP_ID, contactId: await contactOf(candidate) }).lean();
      if (rows[0]?.status === 'pending') user = candidate;
    }
    const { state: sim } = h.sim;
    sim.kf.stream.push({
      seq: sim.kf.stream.length,
      hidden: false,
      message: { msgid: 'abEnd0001', open_kfid: KF, external_userid: user, send_time: Math.floor(Date.now() / 1000), origin: 4, msgtype: 'event', event: { event_type: 'session_status_change', open_kfid: KF, external_userid: user, change_type: 3 } },
    });
    await pull(h.sim.control.issueKfCallbackToken());
    const [row] = await t.db.models.KfAnswerTest.find({ corpId: SIM_CORP_ID, contactId: await contactOf(user) }).lean();
    expect(row?.status).to.equal('resolved');
    const events = await t.db.models.Event.find({ corpId: SIM_CORP_ID, type: 'kf.resolved', contactId: await contactOf(user) }).lean();
    expect(events.map((e) => (e.payload as { experiment: string }).experiment)).to.deep.equal([experimentId()]);

    const res = await api('PATCH', `/api/kf/knowledge/${entryId}`, { variants: [] });
    expect(res.status).to.equal(200);
    expect((await h.services.experiments.get(SIM_CORP_ID, experimentId())).status).to.equal('stopped');
    await say('wmAbAfter', '怎么退货');
    expect(textsSentTo('wmAbAfter'), 'the main answer again').to.deep.equal(['订单详情里申请退货。']);
  });

  it('greets an entering customer with the most asked questions first, not the newest', async () => {
    await h.services.kf.createEntry(SIM_CORP_ID, { question: '门店几点开门？', answer: { text: '每天 7:00–22:00。' } }, 'test');
    const user = 'wmAbEnter';
    await pull(h.sim.control.kfEnterSession({ open_kfid: KF, external_userid: user }).token);
    const greeting = h.sim.state.kf.eventSends.find((s) => s.body.touser === user)!.body;
    const menu = greeting.msgmenu as { list: { click: { content: string } }[] };
    expect(menu.list.map((i) => i.click.content), 'the answered entry first; the newer, never asked one after it').to.deep.equal(['怎么退货呢？', '门店几点开门？']);
  });
});
