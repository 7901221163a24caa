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

export type DemoChannelsOptions = {
  corpId: string;
  staff: Array<{ userId: string; name: string }>;
  random?: () => number;
  /** The server's clock: callbacks are signed with its time, or the server refuses them as stale. */
  clock?: { now(): Date };
  log?: (msg: string, fields?: Record<string, unknown>) => void;
};

export type DemoChannels = {
  /** The config of the default WeCom account pointing at the simulator. */
  wecomConfig: { corpId: string; secret: string; token: string; encodingAESKey: string; agentId: string; apiBase: string };
  /** Starts playing activity against `callbackUrl` every `intervalMs`. */
  startActivity(callbackUrl: string, intervalMs: number): void;
  /** Plays one activity now (tests and the first tick). */
  step(callbackUrl: string): Promise<string>;
  /** Stops playing activity; the simulator keeps answering (workers still finishing may call it). */
  stopActivity(): void;
  stop(): Promise<void>;
};

const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗';
const GIVEN = '伟芳娜敏静丽强磊洋艳杰娟涛明超霞平刚英华';
const CODES = ['store:counter', 'poster:winter-2026', 'c:demo:launch', 'mp:order-success', ''];

export async function startDemoChannels(opts: DemoChannelsOptions): Promise<DemoChannels> {
  const random = opts.random ?? Math.random;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const sim: WecomSimulator = await startWecomSimulator({ corpId: opts.corpId });
  for (const s of opts.staff) sim.control.addStaff(s.userId, s.name);
  const token = `demo${randomBytes(6).toString('hex')}`;
  const encodingAESKey = randomBytes(32).toString('base64').slice(0, 43).replace(/[+/]/g, 'A');
  const customers: Array<{ externalUserId: string; staffUserId: string }> = [];
  const groups = opts.staff.slice(0, 3).map((s) => sim.control.addGroupChat({ name: `${s.name}的福利群`, owner: s.userId }));
  const kfAccount = 'wkDEMOKF00001';
  sim.control.addKfAccount(kfAccount);
  let timer: NodeJS.Timeout | null = null;

  const deliver = async (callbackUrl: string, xml: string) => {
    const result = await deliverCallback({ url: callbackUrl, token, encodingAESKey, corpId: opts.corpId, xml, retryDelayMs: 1000, ...(opts.clock ? { clock: opts.clock } : {}) });
    if (!result.delivered) opts.log?.('demo callback not delivered', { attempts: result.attempts.map((a) => a.status) });
  };

  const actions: Array<[number, (url: string) => Promise<string>]> = [
    [5, async (url) => {
      const staff = pick(opts.staff);
      const state = pick(CODES);
      const c = sim.control.addCustomer({
        name: pick([...SURNAMES]) + pick([...GIVEN]) + pick([...GIVEN]),
        ...(random() < 0.5 ? { unionid: `oDemoU${randomBytes(5).toString('hex')}` } : {}),
        follow_user: [{ userid: staff.userId, ...(state ? { state } : {}), add_way: pick([1, 2, 3]) }],
      });
      customers.push({ externalUserId: c.external_userid, staffUserId: staff.userId });
      await deliver(url, externalContactEvent({ corpId: opts.corpId, changeType: 'add_external_contact', userId: staff.userId, externalUserId: c.external_userid, ...(state ? { state } : {}) }));
      return 'friend added';
    }],
    [3, async (url) => {
      const who = customers.length ? pick(customers).externalUserId : `wmDemoKf${randomBytes(4).toString('hex')}`;
      const m = sim.control.kfCustomerMessage({ open_kfid: kfAccount, external_userid: who, content: pick(['请问今天有鲜奶吗？', '配送几点到？', '会员积分怎么用', '谢谢！']) });
      await deliver(url, kfMsgOrEvent({ corpId: opts.corpId, token: m.token, openKfId: kfAccount }));
      return 'customer-service message';
    }],
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
