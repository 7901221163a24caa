import { expect } from 'chai';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChannelError } from '../../adapters/channel-adapter.ts';
import { SIM_CORP_ID, SIM_SECRET, type WecomSimulator } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { SyncInterruptedError, type SyncProgress } from '../../server/channels/index.ts';
import { ConflictError } from '../../server/errors.ts';
import { CALLBACK_AES_KEY, CALLBACK_TOKEN, startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { testMongoUri, useTestDatabase } from '../support/database.ts';
import { TEST_KEYS } from '../support/test-app.ts';

const BATCH_API = 'externalcontact/batch/get_by_user';
const STAFF = ['a1', 'a2', 'b1'] as const;
/** 250 customers over 3 staff, every tenth shared with a second one: 275 relations, three pages of 100. */
const EXPECTED = { contacts: 250, follows: 275, groups: 3, strangers: 2 };

function seedWecom(sim: WecomSimulator) {
  const gold = sim.control.addTagGroup('会员等级', ['银卡', '金卡']).tag[1]!.id;
  const customers = Array.from({ length: 250 }, (_, i) => {
    const owner = STAFF[i % 3]!;
    const follow_user = [{ userid: owner, remark: `客户${i}`, add_way: 1, tags: i % 7 === 0 ? [gold] : [], ...(i % 5 === 0 ? { state: `c:spring:${owner}` } : {}) }];
    if (i % 10 === 0) follow_user.push({ userid: STAFF[(i + 1) % 3]!, remark: '', add_way: 3, tags: [] });
    return sim.control.addCustomer({ name: `顾客${i}`, ...(i % 2 ? { unionid: `union-sync-${i}` } : {}), follow_user });
  });
  const member = (userid: string, type: 1 | 2) => ({ userid, type });
  const c = (i: number) => customers[i]!.external_userid;
  sim.control.addGroupChat({ name: '鲜奶福利群', owner: 'a1', members: [member('a1', 1), member(c(0), 2), member(c(3), 2), member('wm-stranger-1', 2)] });
  sim.control.addGroupChat({ name: '北京会员群', owner: 'b1', members: [member('b1', 1), member(c(2), 2), member('wm-stranger-1', 2), member('wm-stranger-2', 2)] });
  sim.control.addGroupChat({ name: '新群', owner: 'a2' });
  // Owned by someone who is not local staff: outside the sync.
  sim.control.addGroupChat({ name: '离职员工群', owner: 'zz-gone', members: [member('zz-gone', 1), member(c(1), 2)] });
  return { customers, gold };
}

const failureOf = (p: Promise<unknown>) => p.then(() => null, (err: unknown) => err);

describe('WecomSyncService.run (siyu sync wecom) against the WeCom simulator', () => {
  describe('a full pull, then the same pull again', () => {
    const t = useTestDatabase('wecom_sync');
    let h: ChannelHarness;
    let seeded: ReturnType<typeof seedWecom>;
    const progress: SyncProgress[] = [];

    before(async () => {
      h = await startChannelHarness(t.db);
      seeded = seedWecom(h.sim);
    });
    after(async () => h.stop());

    it('stores every customer with its follows, remarks, tags and states, and the groups of local owners', async () => {
      const summary = await h.services.channels.wecomSync().run({ onProgress: (p) => progress.push(p) });
      expect(summary).to.deep.equal({ contacts: 250, created: 250 + EXPECTED.strangers, follows: EXPECTED.follows, groups: EXPECTED.groups, resumed: false });

      const m = t.db.models;
      expect(await m.Contact.countDocuments({ corpId: SIM_CORP_ID })).to.equal(250 + EXPECTED.strangers);
      expect(await m.Follow.countDocuments({ corpId: SIM_CORP_ID })).to.equal(EXPECTED.follows);
      const first = await m.Contact.findOne({ corpId: SIM_CORP_ID, identityKeys: `wecom:${seeded.customers[0]!.external_userid}` }).lean();
      expect(first).to.include({ name: '顾客0', lifecycle: 'friend', homeStoreId: h.org.stores.a });
      const follows = await m.Follow.find({ corpId: SIM_CORP_ID, contactId: String(first!._id) }).sort({ staffUserId: 1 }).lean();
      expect(follows.map((f) => [f.staffUserId, f.remark, f.state, f.addWay])).to.deep.equal([
        ['a1', '客户0', 'c:spring:a1', 1],
        ['a2', '', '', 3],
      ]);
      expect(follows[0]!.tagIds).to.deep.equal([seeded.gold]);
      const fifth = await m.Contact.findOne({ corpId: SIM_CORP_ID, identityKeys: `wecom:${seeded.customers[5]!.external_userid}` }).lean();
      expect(fifth!.identityKeys).to.include('unionid:union-sync-5');
      expect(fifth!.homeStoreId).to.equal(h.org.stores.b);

      const calls = h.sim.control.requests(BATCH_API);
      expect(calls.map((r) => (r.body as { userid_list: string[] }).userid_list)).to.deep.equal([[...STAFF], [...STAFF], [...STAFF]]);
      expect(calls.map((r) => Boolean((r.body as { cursor?: string }).cursor))).to.deep.equal([false, true, true]);

      const groups = await m.CustomerGroup.find({ corpId: SIM_CORP_ID }).sort({ name: 1 }).lean();
      expect(groups.map((g) => g.name)).to.have.members(['鲜奶福利群', '北京会员群', '新群']);
      const milk = groups.find((g) => g.name === '鲜奶福利群')!;
      expect(milk.storeId).to.equal(h.org.stores.a);
      expect(milk.members.find((x) => x.userId === seeded.customers[0]!.external_userid)!.contactId).to.equal(String(first!._id));
      expect(milk.members.find((x) => x.userId === 'wm-stranger-1')!.contactId, 'a stranger in a group is a contact too').to.be.a('string');

      const run = await m.SyncRun.findOne({ corpId: SIM_CORP_ID }).lean();
      expect(run).to.include({ status: 'done', phase: 'done', leaseOwner: null });
      expect(progress.at(-1)).to.deep.include({ phase: 'groups', staffDone: 3, staffTotal: 3 });
    });

    it('duplicates nothing when run again and reports 0 created', async () => {
      const m = t.db.models;
      const membersBefore = (await m.CustomerGroup.find({ corpId: SIM_CORP_ID }).lean()).map((g) => g.members.length);
      const summary = await h.services.channels.wecomSync().run();
      expect(summary).to.deep.equal({ contacts: 250, created: 0, follows: EXPECTED.follows, groups: EXPECTED.groups, resumed: false });
      expect(await m.Contact.countDocuments({ corpId: SIM_CORP_ID })).to.equal(250 + EXPECTED.strangers);
      expect(await m.Follow.countDocuments({ corpId: SIM_CORP_ID })).to.equal(EXPECTED.follows);
      expect((await m.CustomerGroup.find({ corpId: SIM_CORP_ID }).lean()).map((g) => g.members.length)).to.deep.equal(membersBefore);
      expect(await m.SyncRun.countDocuments({ corpId: SIM_CORP_ID, status: 'done' })).to.equal(2);
    });
  });

  describe('a run that fails mid-way', () => {
    const t = useTestDatabase('wecom_sync_resume');
    let h: ChannelHarness;
    const savedRun = () => t.db.models.SyncRun.findOne({ corpId: SIM_CORP_ID, finishedAt: null }).lean();
    /** Fails the next batch/get_by_user (48002, not retried) once the first page is saved. */
    const failAfterFirstPage = () => {
      let armed = true;
      return (p: SyncProgress) => {
        if (armed && p.counts.follows > 0) h.sim.control.injectErrors(BATCH_API, 48002);
        if (p.counts.follows > 0) armed = false;
      };
    };

    before(async () => {
      h = await startChannelHarness(t.db);
      seedWecom(h.sim);
    });
    after(async () => h.stop());

    it('keeps the cursor of the last saved page, and the next run resumes from it and completes', async () => {
      const err = await failureOf(h.services.channels.wecomSync().run({ onProgress: failAfterFirstPage() }));
      expect(err).to.be.instanceOf(ChannelError);
      expect((err as ChannelError).errcode).to.equal(48002);
      const saved = await savedRun();
      expect(saved).to.include({ status: 'failed', phase: 'customers', batch: 0, leaseOwner: null });
      expect(saved!.cursor).to.be.a('string').and.not.equal('');
      expect(saved!.counts!.follows).to.equal(100);
      expect(saved!.lastError).to.contain(BATCH_API);

      h.sim.control.clearRequests();
      const summary = await h.services.channels.wecomSync().run();
      expect(summary).to.deep.equal({ contacts: 250, created: 250 + EXPECTED.strangers, follows: EXPECTED.follows, groups: EXPECTED.groups, resumed: true });
      const calls = h.sim.control.requests(BATCH_API);
      expect(calls).to.have.length(2);
      expect((calls[0]!.body as { cursor?: string }).cursor, 'asks for the page after the last saved one').to.equal(saved!.cursor);
      expect(await t.db.models.Follow.countDocuments({ corpId: SIM_CORP_ID })).to.equal(EXPECTED.follows);
      expect(await t.db.models.SyncRun.findById(saved!._id).lean()).to.include({ status: 'done', resumes: 1 });
    });

    it('stops after the page in flight when interrupted, and resumes afterwards', async () => {
      const controller = new AbortController();
      const err = await failureOf(h.services.channels.wecomSync().run({ signal: controller.signal, onProgress: (p) => p.counts.follows > 0 && controller.abort() }));
      expect(err).to.be.instanceOf(SyncInterruptedError);
      expect(await savedRun()).to.include({ status: 'interrupted', batch: 0 });
      expect((await h.services.channels.wecomSync().run()).resumed).to.equal(true);
    });

    it('refuses a run another live process holds, and --restart starts over from the first page', async () => {
      await failureOf(h.services.channels.wecomSync().run({ onProgress: failAfterFirstPage() }));
      const held = await savedRun();
      await t.db.models.SyncRun.updateOne({ _id: held!._id }, { $set: { leaseOwner: 'elsewhere:1', leaseUntil: new Date(Date.now() + 60_000) } });
      expect(await failureOf(h.services.channels.wecomSync().run())).to.be.instanceOf(ConflictError);
      expect(await failureOf(h.services.channels.wecomSync().run({ restart: true }))).to.be.instanceOf(ConflictError);

      await t.db.models.SyncRun.updateOne({ _id: held!._id }, { $set: { leaseUntil: new Date(Date.now() - 1) } });
      h.sim.control.clearRequests();
      const summary = await h.services.channels.wecomSync().run({ restart: true });
      expect(summary).to.include({ resumed: false, created: 0, follows: EXPECTED.follows });
      expect((h.sim.control.requests(BATCH_API)[0]!.body as { cursor?: string }).cursor).to.equal(undefined);
      expect(await t.db.models.SyncRun.findById(held!._id).lean()).to.include({ status: 'abandoned' });
    });
  });

  describe('members WeCom answers 84061 for (no customers)', () => {
    const t = useTestDatabase('wecom_sync_no_customers');
    let h: ChannelHarness;
    let mine: string[];

    before(async () => {
      h = await startChannelHarness(t.db);
      // a1 has no customers; a2 and b1 have two each.
      mine = ['a2', 'b1'].flatMap((userid) => [1, 2].map((n) => h.sim.control.addCustomer({ name: `${userid}客户${n}`, follow_user: [{ userid }] }).external_userid));
    });
    after(async () => h.stop());

    it('asks a refused batch member by member, takes 84061 as "no customers" and finishes the run', async () => {
      // The batch is refused because a1 has no customers; asked alone, a1 is refused too.
      h.sim.control.injectErrors(BATCH_API, 84061, 2);
      const summary = await h.services.channels.wecomSync().run();
      expect(summary).to.include({ contacts: 4, created: 4, follows: 4, resumed: false });
      const calls = h.sim.control.requests(BATCH_API).map((r) => [(r.body as { userid_list: string[] }).userid_list, r.errcode]);
      expect(calls).to.deep.equal([
        [[...STAFF], 84061],
        [['a1'], 84061],
        [['a2'], 0],
        [['b1'], 0],
      ]);
      const stored = await t.db.models.Follow.find({ corpId: SIM_CORP_ID }).lean();
      expect(stored.map((f) => f.staffUserId).sort()).to.deep.equal(['a2', 'a2', 'b1', 'b1']);
      expect(await t.db.models.Contact.countDocuments({ corpId: SIM_CORP_ID, identityKeys: { $in: mine.map((id) => `wecom:${id}`) } })).to.equal(4);
      expect(await t.db.models.SyncRun.findOne({ corpId: SIM_CORP_ID }).lean()).to.include({ status: 'done', lastError: null });
    });

    it('resumes a member-by-member batch at the member it stopped on', async () => {
      h.sim.control.clearRequests();
      h.sim.control.injectErrors(BATCH_API, 84061, 2);
      // a2's page fails for good (48002): the run stops there with its place saved.
      h.sim.control.injectErrors(BATCH_API, 48002, 1);
      const err = await failureOf(h.services.channels.wecomSync().run());
      expect((err as ChannelError).errcode).to.equal(48002);
      const saved = await t.db.models.SyncRun.findOne({ corpId: SIM_CORP_ID, finishedAt: null }).lean();
      expect(saved).to.include({ status: 'failed', phase: 'customers', batch: 0 });
      h.sim.control.clearRequests();
      const summary = await h.services.channels.wecomSync().run();
      expect(summary).to.include({ resumed: true, follows: 4 });
      expect(h.sim.control.requests(BATCH_API).map((r) => (r.body as { userid_list: string[] }).userid_list)).to.deep.equal([['a2'], ['b1']]);
    });
  });

  describe('npx siyu sync wecom', () => {
    const t = useTestDatabase('wecom_sync_cli');
    let h: ChannelHarness;
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    const env = () => ({
      ...process.env,
      MONGODB_URI: testMongoUri(),
      MONGODB_DB: t.name,
      SIYU_DEMO: '0',
      LOG_LEVEL: 'warn',
      SIYU_PHONE_KEY: TEST_KEYS.phoneKeyHex,
      SIYU_HASH_KEY: TEST_KEYS.hashKeyHex,
      WECOM_CORP_ID: SIM_CORP_ID,
      WECOM_SECRET: SIM_SECRET,
      WECOM_TOKEN: CALLBACK_TOKEN,
      WECOM_ENCODING_AES_KEY: CALLBACK_AES_KEY,
      WECOM_API_BASE: h.sim.baseUrl,
    });
    /** Runs `node bin/siyu.js sync wecom` in its own process group, so `kill` can stop the launcher and its child. */
    const siyu = (...args: string[]) => {
      const child = spawn(process.execPath, [path.join(root, 'bin/siyu.js'), 'sync', 'wecom', ...args], { cwd: root, env: env(), detached: true });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
        child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
      );
      return { done, kill: () => process.kill(-child.pid!, 'SIGKILL') };
    };
    const summaryOf = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;

    before(async () => {
      h = await startChannelHarness(t.db);
      seedWecom(h.sim);
    });
    after(async () => h.stop());

    it('resumes after being killed mid-way and prints one JSON summary line', async function () {
      this.timeout(60_000);
      // One batch/get_by_user a minute: the second page backs off, which leaves time to kill the process.
      h.sim.control.setRateLimit(BATCH_API, 1);
      const crashed = siyu();
      const deadline = Date.now() + 30_000;
      while (!(await t.db.models.SyncRun.findOne({ corpId: SIM_CORP_ID, cursor: { $ne: null } }).lean())) {
        if (Date.now() > deadline) throw new Error(`no page saved: ${(await crashed.done).stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      crashed.kill();
      expect((await crashed.done).signal).to.equal('SIGKILL');

      h.sim.control.setRateLimit(BATCH_API, 10_000);
      const resumed = await siyu().done;
      expect(resumed.code, resumed.stderr).to.equal(0);
      expect(summaryOf(resumed.stdout)).to.deep.equal({ contacts: 250, created: 250 + EXPECTED.strangers, follows: EXPECTED.follows, groups: EXPECTED.groups, resumed: true });
      expect(resumed.stderr, 'plain progress lines when stderr is not a terminal').to.match(/^sync 客户群 groups: 3\/3 staff \| 250 contacts/m);
    });

    it('reports 0 created on a second run', async function () {
      this.timeout(30_000);
      const again = await siyu().done;
      expect(again.code, again.stderr).to.equal(0);
      expect(again.stdout.trim().split('\n')).to.have.length(1);
      expect(summaryOf(again.stdout)).to.deep.equal({ contacts: 250, created: 0, follows: EXPECTED.follows, groups: EXPECTED.groups, resumed: false });
    });

    it('exits 2 for an unknown account', async function () {
      this.timeout(30_000);
      const run = await siyu('--account', '0123456789abcdef01234567').done;
      expect(run.code).to.equal(2);
      expect(run.stderr).to.contain('not found');
    });
  });
});
