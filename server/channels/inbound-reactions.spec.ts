/** InboundReactions: registration order, one reaction's failure isolated and logged, one owner per kind. */
import { expect } from 'chai';
import pino from 'pino';
import type { ChannelAdapter, FriendAdded, FriendTransferFailed } from '../../adapters/channel-adapter.ts';
import type { ChannelAccount } from './channel-account.repository.ts';
import { InboundReactions, type FriendAddedFacts } from './inbound-reactions.ts';

const account: ChannelAccount = { id: 'acc-1', corpId: 'wwcorp', kind: 'wecom', name: 'w', isDefault: true, config: {} };
const adapter = { kind: 'wecom' } as ChannelAdapter;
const base = { channel: 'wecom' as const, corpId: 'wwcorp', occurredAt: new Date('2026-12-06T08:00:00Z') };
const added: FriendAdded = { ...base, kind: 'friend_added', idempotencyKey: 'add-1', staffUserId: 'a1', externalUserId: 'wm1', state: null, welcomeCode: null, half: false } as unknown as FriendAdded;
const facts: FriendAddedFacts = { event: added, contactId: 'c1', staff: null, account, adapter };
const failed = { ...base, kind: 'friend_transfer_failed', idempotencyKey: 'tf-1', takeoverUserId: 'b1', externalUserId: 'wm1', reason: 'customer_refused' } as unknown as FriendTransferFailed;

/** A logger that keeps its records, to see what a failed reaction reports. */
function recordingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

describe('InboundReactions', () => {
  it('runs reactions to a kind in registration order, each with the facts the core passed', async () => {
    const reactions = new InboundReactions(recordingLogger().logger);
    const seen: string[] = [];
    reactions.on('friend_added', { name: 'live-codes', react: async (f) => void seen.push(`live-codes:${f.contactId}`) });
    reactions.on('friend_added', { name: 'campaign-leads', react: async (f) => void seen.push(`campaign-leads:${f.event.externalUserId}`) });
    await reactions.run('friend_added', facts);
    expect(seen).to.deep.equal(['live-codes:c1', 'campaign-leads:wm1']);
  });

  it('waits for each reaction before starting the next (a welcome message is sent before anything else)', async () => {
    const reactions = new InboundReactions(recordingLogger().logger);
    const seen: string[] = [];
    reactions.on('friend_added', { name: 'slow', react: async () => (await new Promise((r) => setTimeout(r, 20)), seen.push('slow')) });
    reactions.on('friend_added', { name: 'fast', react: async () => void seen.push('fast') });
    await reactions.run('friend_added', facts);
    expect(seen).to.deep.equal(['slow', 'fast']);
  });

  it('logs a failing reaction and still runs the next one, without failing the event', async () => {
    const { logger, lines } = recordingLogger();
    const reactions = new InboundReactions(logger);
    const seen: string[] = [];
    reactions.on('friend_added', { name: 'broken', react: async () => { throw new Error('boom'); } });
    reactions.on('friend_added', { name: 'after', react: async () => void seen.push('after') });
    await reactions.run('friend_added', facts);
    expect(seen).to.deep.equal(['after']);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ reaction: 'broken', kind: 'friend_added', eventKey: 'add-1', msg: 'inbound reaction failed' });
  });

  it('runs the same reactions again for a re-processed event (they are idempotent, not deduplicated here)', async () => {
    const reactions = new InboundReactions(recordingLogger().logger);
    let runs = 0;
    reactions.on('friend_added', { name: 'count', react: async () => void runs++ });
    await reactions.run('friend_added', facts);
    await reactions.run('friend_added', facts);
    expect(runs).to.equal(2);
  });

  it('hands an owned kind to its owner and returns its answer; failures reach the caller (the row is retried)', async () => {
    const reactions = new InboundReactions(recordingLogger().logger);
    expect(await reactions.handle('friend_transfer_failed', { event: failed, account, adapter })).to.deep.equal({ contactId: null });
    let fail = false;
    reactions.own('friend_transfer_failed', {
      name: 'handover',
      handle: async ({ event }) => {
        if (fail) throw new Error('db down');
        return { contactId: `contact-of-${event.externalUserId}` };
      },
    });
    expect(await reactions.handle('friend_transfer_failed', { event: failed, account, adapter })).to.deep.equal({ contactId: 'contact-of-wm1' });
    fail = true;
    await reactions.handle('friend_transfer_failed', { event: failed, account, adapter }).then(
      () => expect.fail('the owner failure must reach the caller'),
      (err: Error) => expect(err.message).to.equal('db down'),
    );
  });

  it('refuses a second owner for one kind', () => {
    const reactions = new InboundReactions(recordingLogger().logger);
    reactions.own('friend_transfer_failed', { name: 'handover', handle: async () => ({ contactId: null }) });
    expect(() => reactions.own('friend_transfer_failed', { name: 'other', handle: async () => ({ contactId: null }) })).to.throw(/already owned by handover/);
  });
});
