/**
 * Demo mode's channels: a local WeCom simulator standing in for Tencent, and a driver that plays a small
 * stream of customer activity through it — new friends (with channel codes), customer-service messages, group
 * joins and the occasional deletion — delivered to Siyu's own callback URL, signed and encrypted as Tencent
 * does. Everything then flows through the real pipeline, so the pages fill up.
 */
import { randomBytes } from 'node:crypto';
import { deliverCallback } from '../wecom/simulator/callback-driver.ts';
import { externalChatEvent, externalContactEvent, kfMsgOrEvent } from '../wecom/simulator/callback-events.ts';
import { startWecomSimulator, type WecomSimulator } from '../wecom/simulator/wecom-simulator.ts';

/**
 * What Siyu's database already holds for the demo corp, so the simulator (in memory, empty at every start) knows
 * the same customers, relations, tags, group chats and 「联系我」 configs that WeCom would: sends, handovers and
 * group sends then succeed or fail for the documented reasons only.
 */
export type DemoWorld = {
  tagGroups: Array<{ groupId: string; name: string; tags: Array<{ tagId: string; name: string }> }>;
  customers: Array<{
    externalUserId: string;
    name: string;
    unionid?: string | null;
    gender?: 0 | 1 | 2;
    follows: Array<{ userId: string; remark?: string; state?: string; addedAt: Date; tagIds: string[] }>;
  }>;
  groupChats: Array<{ chatId: string; name: string; owner: string; notice?: string; members: Array<{ userId: string; external: boolean; joinTime: Date; joinScene: number }> }>;
  contactWays: Array<{ configId: string; state: string; userIds: string[]; remark?: string }>;
};

export type DemoChannelsOptions = {
  corpId: string;
  staff: Array<{ userId: string; name: string }>;
  /** Loaded into the simulator before it answers anything. */
  world?: DemoWorld;
  random?: () => number;
  /** The server's clock: callbacks are signed with its time, or the server refuses them as stale. */
  clock?: { now(): Date };
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /**
   * What the simulated 微信客服 customers ask: questions the knowledge base answers (in the customers' words),
   * ones it cannot, and ones that always go to a person. Without it they ask a few generic questions.
   */
  kfQuestions?: { known: readonly string[]; unknown: readonly string[]; handover: readonly string[] };
};

export type NewFriend = { externalUserId: string; userId: string; state: string | null };

export type DemoChannels = {
  /** The config of the default WeCom account pointing at the simulator. */
  wecomConfig: { corpId: string; secret: string; token: string; encodingAESKey: string; agentId: string; apiBase: string };
  /** Starts playing activity against `callbackUrl` every `intervalMs`. */
  startActivity(callbackUrl: string, intervalMs: number): void;
  /** Plays one activity now (tests and the first tick). */
  step(callbackUrl: string): Promise<string>;
  /**
   * A new friend scans the 「联系我」 code `configId` (else one of the corp's at random) and WeCom calls back;
   * `unionid` makes them a WeChat user the corp's developer account knows (else one half of them is).
   */
  newFriend(callbackUrl: string, who?: { configId?: string; unionid?: string }): Promise<NewFriend>;
  /** A customer writes to the brand's 微信客服 account (the demo's way for a customer to reply). */
  customerWrites(callbackUrl: string, message: { externalUserId: string; text: string; unionid?: string }): Promise<void>;
  /** A customer opens the brand's 微信客服 (enter_session, with a welcome code for the greeting menu). */
  kfEnter(callbackUrl: string, externalUserId?: string): Promise<{ externalUserId: string }>;
  /**
   * That customer asks `text` (else one of the demo's questions), or with `click` taps an item of the last menu
   * they were shown (the greeting or 「您是不是想问」); a click without a menu asks instead.
   */
  kfAsk(callbackUrl: string, externalUserId: string, what?: { text?: string; click?: boolean }): Promise<{ text: string; menuId: string | null }>;
  /** The simulator itself: tests play the staff member (confirming mass sends) and the customer through it. */
  simulator: WecomSimulator;
  /** Stops playing activity; the simulator keeps answering (workers still finishing may call it). */
  stopActivity(): void;
  stop(): Promise<void>;
};

const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗';
const GIVEN = '伟芳娜敏静丽强磊洋艳杰娟涛明超霞平刚英华';

export async function startDemoChannels(opts: DemoChannelsOptions): Promise<DemoChannels> {
  const random = opts.random ?? Math.random;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const sim: WecomSimulator = await startWecomSimulator({ corpId: opts.corpId });
  for (const s of opts.staff) sim.control.addStaff(s.userId, s.name);
  const token = `demo${randomBytes(6).toString('hex')}`;
  const encodingAESKey = randomBytes(32).toString('base64').slice(0, 43).replace(/[+/]/g, 'A');
  const customers: Array<{ externalUserId: string; staffUserId: string }> = [];
  if (opts.world) loadWorld(sim, opts.world, opts.clock?.now() ?? new Date());
  const groups = opts.staff.slice(0, 3).map((s) => sim.control.addGroupChat({ name: `${s.name}的福利群`, owner: s.userId }));
  const kfAccount = 'wkDEMOKF00001';
  sim.control.addKfAccount(kfAccount);
  // A few staff members receive the kf account's sessions, so an agent can take one from the pool on /service.
  for (const s of opts.staff.slice(0, 3)) sim.control.addKfServicer(kfAccount, s.userId);
  const kfQuestions = opts.kfQuestions ?? { known: ['请问今天有鲜奶吗？', '配送几点到？', '会员积分怎么用'], unknown: ['你们招聘吗'], handover: ['转人工'] };
  /** Customers in a kf visit: how many more things each will ask before going quiet. */
  const kfVisitors = new Map<string, number>();
  let timer: NodeJS.Timeout | null = null;

  const deliver = async (callbackUrl: string, xml: string) => {
    const result = await deliverCallback({ url: callbackUrl, token, encodingAESKey, corpId: opts.corpId, xml, retryDelayMs: 1000, ...(opts.clock ? { clock: opts.clock } : {}) });
    if (!result.delivered) opts.log?.('demo callback not delivered', { attempts: result.attempts.map((a) => a.status) });
  };

  /** A new WeChat user adds a staff member; `configId` names the 「联系我」 code they scan (else one at random). */
  const newFriend = async (url: string, who: { configId?: string; unionid?: string } = {}): Promise<NewFriend> => {
    const { configId } = who;
    // A new friend scans one of the corp's real 「联系我」 QR codes (live codes, campaign codes), so the add carries
    // that code's state and a welcome code, as WeCom's callback does; without any code they search the staff member.
    const ways = [...sim.state.contactWays.values()].filter((w) => Array.isArray(w.body.user) && (w.body.user as unknown[]).length > 0);
    const way = configId ? sim.state.contactWays.get(configId) : ways.length ? pick(ways) : undefined;
    if (configId && !way) throw new Error(`no contact way ${configId}`);
    const userId = way ? pick(way.body.user as string[]) : pick(opts.staff).userId;
    const state = way && typeof way.body.state === 'string' && way.body.state ? way.body.state : undefined;
    const c = sim.control.addCustomer({
      name: pick([...SURNAMES]) + pick([...GIVEN]) + pick([...GIVEN]),
      ...(who.unionid ? { unionid: who.unionid } : random() < 0.5 ? { unionid: `oDemoU${randomBytes(5).toString('hex')}` } : {}),
      follow_user: [{ userid: userId, ...(state ? { state } : {}), add_way: way ? 1 : 3 }],
    });
    customers.push({ externalUserId: c.external_userid, staffUserId: userId });
    const welcomeCode = way ? sim.control.issueWelcomeCode(userId, c.external_userid) : undefined;
    await deliver(url, externalContactEvent({ corpId: opts.corpId, changeType: 'add_external_contact', userId, externalUserId: c.external_userid, ...(state ? { state } : {}), ...(welcomeCode ? { welcomeCode } : {}) }));
    return { externalUserId: c.external_userid, userId, state: state ?? null };
  };

  const customerWrites = async (url: string, message: { externalUserId: string; text: string; unionid?: string }) => {
    const m = sim.control.kfCustomerMessage({ open_kfid: kfAccount, external_userid: message.externalUserId, content: message.text, ...(message.unionid ? { unionid: message.unionid } : {}) });
    await deliver(url, kfMsgOrEvent({ corpId: opts.corpId, token: m.token, openKfId: kfAccount }));
  };

  const kfEnter = async (url: string, externalUserId?: string) => {
    // Half of the visitors are friends of a staff member already (one person, one contact), half are strangers.
    const friend = customers.length && random() < 0.5 ? pick(customers).externalUserId : undefined;
    const who = externalUserId ?? friend ?? `wmDemoKf${randomBytes(4).toString('hex')}`;
    const e = sim.control.kfEnterSession({ open_kfid: kfAccount, external_userid: who, scene: 'demo' });
    await deliver(url, kfMsgOrEvent({ corpId: opts.corpId, token: e.token, openKfId: kfAccount }));
    return { externalUserId: who };
  };

  const kfAsk = async (url: string, externalUserId: string, what: { text?: string; click?: boolean } = {}) => {
    const menu = [...(sim.state.kf.conversations.get(externalUserId)?.menuItems?.keys() ?? [])];
    if (what.click && menu.length && what.text === undefined) {
      const menuId = pick(menu);
      const m = sim.control.kfMenuClick({ open_kfid: kfAccount, external_userid: externalUserId, menu_id: menuId });
      await deliver(url, kfMsgOrEvent({ corpId: opts.corpId, token: m.token, openKfId: kfAccount }));
      return { text: sim.state.kf.conversations.get(externalUserId)?.menuItems?.get(menuId) ?? '', menuId };
    }
    const r = random();
    const text = what.text ?? pick(r < 0.7 ? kfQuestions.known : r < 0.9 ? kfQuestions.unknown : kfQuestions.handover);
    const m = sim.control.kfCustomerMessage({ open_kfid: kfAccount, external_userid: externalUserId, content: text });
    await deliver(url, kfMsgOrEvent({ corpId: opts.corpId, token: m.token, openKfId: kfAccount }));
    return { text, menuId: null };
  };

  /** One beat of a kf visit: a new customer enters, or one already in asks (now and then by tapping the menu). */
  const kfVisit = async (url: string) => {
    const [who, left] = kfVisitors.size && random() < 0.75 ? pick([...kfVisitors]) : [null, 0];
    if (!who) {
      const { externalUserId } = await kfEnter(url);
      kfVisitors.set(externalUserId, 1 + Math.floor(random() * 3));
      return 'kf customer entered';
    }
    if (left <= 1) kfVisitors.delete(who);
    else kfVisitors.set(who, left - 1);
    const asked = await kfAsk(url, who, { click: random() < 0.3 });
    return asked.menuId ? 'kf menu clicked' : 'kf question';
  };

  const actions: Array<[number, (url: string) => Promise<string>]> = [
    [5, async (url) => {
      await newFriend(url);
      return 'friend added';
    }],
    [4, kfVisit],
    [2, async (url) => {
      const customer = customers.length ? pick(customers) : null;
      const chat = pick(groups);
      if (!customer || !chat || chat.member_list.some((m) => m.userid === customer.externalUserId)) return 'nothing';
      chat.member_list.push({ userid: customer.externalUserId, type: 2, join_time: Math.floor(Date.now() / 1000), join_scene: 3 });
      chat.member_version = randomBytes(8).toString('hex');
      await deliver(url, externalChatEvent({ corpId: opts.corpId, chatId: chat.chat_id, changeType: 'update', updateDetail: 'add_member', joinScene: 3, memChangeList: [customer.externalUserId], curMemVer: chat.member_version }));
      return 'group join';
    }],
    [1, async (url) => {
      const i = Math.floor(random() * customers.length);
      const customer = customers[i];
      if (!customer) return 'nothing';
      customers.splice(i, 1);
      // The customer deletes the staff member in WeChat: WeCom forgets the relation before it calls back.
      const known = sim.state.customers.get(customer.externalUserId);
      if (known) known.follow_user = known.follow_user.filter((f) => f.userid !== customer.staffUserId);
      await deliver(url, externalContactEvent({ corpId: opts.corpId, changeType: 'del_follow_user', userId: customer.staffUserId, externalUserId: customer.externalUserId }));
      return 'friend deleted';
    }],
  ];
  const total = actions.reduce((n, [w]) => n + w, 0);

  const step = async (url: string) => {
    let r = random() * total;
    for (const [weight, act] of actions) {
      if ((r -= weight) < 0) return act(url);
    }
    return 'nothing';
  };

  function stopActivity() {
    if (timer) clearInterval(timer);
    timer = null;
  }
  return {
    // The simulator's app: staff notifications (the 09:00 task cards) go out through it, and any other agentid is refused.
    wecomConfig: { corpId: opts.corpId, secret: sim.secret, token, encodingAESKey, agentId: String(sim.agentId), apiBase: sim.baseUrl },
    step,
    newFriend,
    customerWrites,
    kfEnter,
    kfAsk,
    simulator: sim,
    startActivity(url, intervalMs) {
      if (timer) return;
      timer = setInterval(() => void step(url).catch((err: Error) => opts.log?.('demo activity failed', { err: err.message })), intervalMs);
      timer.unref();
    },
    stopActivity,
    async stop() {
      stopActivity();
      await sim.stop();
    },
  };
}

const seconds = (d: Date) => Math.floor(new Date(d).getTime() / 1000);

/** Puts Siyu's view of the corp into a fresh simulator, keeping every id, so later calls name things WeCom knows. */
function loadWorld(sim: WecomSimulator, world: DemoWorld, now: Date): void {
  const { state, control } = sim;
  for (const g of world.tagGroups) {
    state.tagGroups.push({
      group_id: g.groupId,
      group_name: g.name,
      create_time: seconds(now),
      order: 0,
      deleted: false,
      tag: g.tags.map((t) => ({ id: t.tagId, name: t.name, create_time: seconds(now), order: 0, deleted: false })),
    });
    state.restoredId(g.groupId);
    for (const t of g.tags) state.restoredId(t.tagId);
  }
  for (const c of world.customers) {
    if (!c.follows.length) continue;
    control.addCustomer({
      external_userid: c.externalUserId,
      name: c.name || '客户',
      gender: c.gender ?? 0,
      ...(c.unionid ? { unionid: c.unionid } : {}),
      follow_user: c.follows.map((f) => ({ userid: f.userId, remark: f.remark ?? '', createtime: seconds(f.addedAt), tags: f.tagIds, add_way: f.state ? 1 : 0, ...(f.state ? { state: f.state } : {}) })),
    });
  }
  for (const g of world.groupChats) {
    const chat = control.addGroupChat({
      chat_id: g.chatId,
      name: g.name,
      owner: g.owner,
      ...(g.notice ? { notice: g.notice } : {}),
      members: g.members.map((m) => ({ userid: m.userId, type: m.external ? 2 : 1, join_time: seconds(m.joinTime), join_scene: (m.joinScene >= 1 && m.joinScene <= 3 ? m.joinScene : 1) as 1 | 2 | 3 })),
    });
    if (!chat.member_list.some((m) => m.userid === g.owner)) chat.member_list.unshift({ userid: g.owner, type: 1, join_time: seconds(now), join_scene: 1 });
    state.restoredId(g.chatId);
  }
  for (const w of world.contactWays) {
    state.contactWays.set(w.configId, {
      config_id: w.configId,
      body: { type: w.userIds.length === 1 ? 1 : 2, scene: 2, user: w.userIds, state: w.state, skip_verify: true, ...(w.remark ? { remark: w.remark } : {}) },
      createdAt: now,
    });
    state.restoredId(w.configId);
  }
}
