/**
 * The processor claims inbox rows in batches: one write per batch, welcome-code adds first, each row held by one
 * claim only even when two processes claim at once, and a batch whose processor died comes back after the lease.
 */
import { expect } from 'chai';
import { LEASE_MS } from '../../server/channels/inbound-inbox.repository.ts';
import { useTestDatabase } from '../support/database.ts';
import { inboxAdd, inboxTestAccount } from '../support/inbox-fixtures.ts';
import { testServices } from '../support/test-app.ts';

describe('InboundInbox batch claim', () => {
  const t = useTestDatabase('inbox_batch_claim');
  const account = inboxTestAccount;
  beforeEach(() => t.db.models.InboundRaw.deleteMany({}));
  const add = inboxAdd;

  async function seed(services: ReturnType<typeof testServices>, count: number): Promise<void> {
    const wecom = services.adapterFor(account);
    for (let i = 0; i < count; i++) {
      await services.inbox.record(account, add(`wm${i}`, i === count - 1 ? 'WELCOME_LAST' : undefined), wecom);
      services.clock.advance(1000);
    }
  }

  it('claims up to the batch size in claim order, the welcome-code add first, and marks them processed in one call', async () => {
    const services = testServices(t.db);
    await seed(services, 6);
    const batch = await services.inbox.claimBatch(4);
    expect(batch.map((r) => /wm\d+/.exec(r.plaintext)![0])).to.deep.equal(['wm5', 'wm0', 'wm1', 'wm2']);
    expect(batch.every((r) => r.status === 'processing' && r.attempts === 1)).to.equal(true);
    await services.inbox.doneMany(batch.map((row) => ({ row, eventKeys: [`k-${String(row._id)}`] })));
    expect(await services.inbox.counts()).to.deep.equal({ processed: 4, pending: 2 });
  });

  it('answers each claimed row as it is stored after the claim, whether it won all its candidates or some', async () => {
    const services = testServices(t.db);
    await seed(services, 8);
    const stored = async (rows: Array<{ _id: unknown }>) => {
      const byId = new Map((await t.db.models.InboundRaw.find({}).lean()).map((r) => [String(r._id), r]));
      return rows.map((r) => byId.get(String(r._id)));
    };
    const all = await services.inbox.claimBatch(3);
    expect(all).to.have.length(3);
    expect(all).to.deep.equal(await stored(all));
    // Another process takes one of the next candidates between this claim's read and its write: the claim gets the rest.
    const next = await t.db.models.InboundRaw.find({ status: 'pending' }).sort({ priority: -1, nextAttemptAt: 1, _id: 1 }).limit(3).lean();
    const find = t.db.models.InboundRaw.find.bind(t.db.models.InboundRaw);
    let raced = false;
    t.db.models.InboundRaw.find = ((...args: Parameters<typeof find>) => {
      const q = find(...args);
      if (!raced) {
        raced = true;
        const exec = q.exec.bind(q);
        q.exec = (async () => {
          const rows = await exec();
          await t.db.models.InboundRaw.updateOne({ _id: next[1]!._id }, { $set: { status: 'processing', claimToken: 'another' } });
          return rows;
        }) as typeof q.exec;
      }
      return q;
    }) as typeof find;
    try {
      const some = await services.inbox.claimBatch(3);
      expect(some.map((r) => String(r._id))).to.deep.equal([next[0]!, next[2]!].map((r) => String(r._id)));
      expect(some).to.deep.equal(await stored(some));
    } finally {
      t.db.models.InboundRaw.find = find;
    }
  });

  it('never gives one row to two claims made at the same time', async () => {
    const services = testServices(t.db);
    await seed(services, 30);
    const ids: string[] = [];
    // Claims that read the same candidates race for them: each row goes to one of them, the losers claim again.
    for (let round = 0; round < 10 && ids.length < 30; round++) {
      const batches = await Promise.all([services.inbox.claimBatch(16), services.inbox.claimBatch(16), services.inbox.claimBatch(16)]);
      ids.push(...batches.flat().map((r) => String(r._id)));
    }
    expect(new Set(ids).size).to.equal(ids.length);
    expect(ids.length).to.equal(30);
  });

  it('extends the leases of rows still held by their claim, and not of rows another claim took over', async () => {
    const services = testServices(t.db);
    await seed(services, 3);
    const first = await services.inbox.claimBatch(16);
    services.clock.advance(LEASE_MS + 1);
    // The lease ran out: another process claims one of the rows again, under its own claim.
    const [taken] = await services.inbox.claimBatch(16);
    expect(taken).to.not.equal(undefined);
    await t.db.models.InboundRaw.updateOne({ _id: taken!._id }, { $set: { claimToken: 'another-claim' } });
    services.clock.advance(1000);
    expect(await services.inbox.renewLeases(first)).to.equal(2);
    const rows = await t.db.models.InboundRaw.find({}).lean();
    const until = (id: unknown) => rows.find((r) => String(r._id) === String(id))!.leaseUntil!.getTime();
    for (const row of first.filter((r) => String(r._id) !== String(taken!._id))) expect(until(row._id)).to.equal(services.clock.now().getTime() + LEASE_MS);
    expect(until(taken!._id)).to.be.below(services.clock.now().getTime() + LEASE_MS);
  });

  it('gives rows back after their leases were renewed, thousands in one write (a stop)', async () => {
    const services = testServices(t.db);
    await seed(services, 3);
    const held = await services.inbox.claimBatch(16);
    services.clock.advance(1000);
    await services.inbox.renewLeases(held);
    // Released with the lease they hold now, not the one the claim gave them.
    expect(await services.inbox.releaseMany(held)).to.equal(3);
    expect(await t.db.models.InboundRaw.countDocuments({ status: 'pending', attempts: 0 })).to.equal(3);
  });

  it('gives a dead processor\'s batch back once its lease has run out', async () => {
    const services = testServices(t.db);
    await seed(services, 3);
    expect(await services.inbox.claimBatch(16)).to.have.length(3);
    expect(await services.inbox.claimBatch(16)).to.have.length(0);
    services.clock.advance(LEASE_MS + 1);
    const again = await services.inbox.claimBatch(16);
    expect(again).to.have.length(1);
    expect(again[0]!.attempts).to.equal(2);
  });
});
