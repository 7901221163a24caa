/**
 * The inbox claims what the account's adapter puts first — WeCom adds carrying a welcome code (valid 20 s) —
 * before anything else, in arrival order otherwise. Which payloads those are is the adapter's knowledge
 * (adapters/wecom/parse/inbox-priority.spec.ts); here: the inbox asks the adapter and claims in that order.
 */
import { expect } from 'chai';
import { externalTagEvent } from '../../adapters/wecom/simulator/callback-events.ts';
import { useTestDatabase } from '../support/database.ts';
import { inboxAdd, inboxTestAccount } from '../support/inbox-fixtures.ts';
import { testServices } from '../support/test-app.ts';

describe('InboundInbox claim order', () => {
  const t = useTestDatabase('inbox_priority');
  const account = inboxTestAccount;
  beforeEach(() => t.db.models.InboundRaw.deleteMany({}));
  const add = inboxAdd;

  it('stores the priority the adapter gives, and none for an adapter without inboxPriority', async () => {
    const services = testServices(t.db);
    const wecom = services.adapterFor(account);
    await services.inbox.record(account, add('wm-welcome', 'WELCOME_1'), wecom);
    await services.inbox.record(account, add('wm-plain'), wecom);
    await services.inbox.record(account, add('wm-elsewhere', 'WELCOME_2'), {});
    const rows = await t.db.models.InboundRaw.find({}).sort({ receivedAt: 1, _id: 1 }).lean();
    const priorityOf = (ext: string) => rows.find((r) => r.plaintext.includes(ext))?.priority;
    expect([priorityOf('wm-welcome'), priorityOf('wm-plain'), priorityOf('wm-elsewhere')]).to.deep.equal([1, 0, 0]);
  });

  it('claims welcome-code adds first, then the rest in arrival order', async () => {
    const services = testServices(t.db);
    const wecom = services.adapterFor(account);
    const order: string[] = [];
    await services.inbox.record(account, externalTagEvent({ corpId: 'wwcorp', id: 'et-first', tagType: 'tag', changeType: 'create' }), wecom);
    services.clock.advance(1000);
    await services.inbox.record(account, add('wm-plain'), wecom);
    services.clock.advance(1000);
    await services.inbox.record(account, add('wm-welcome-1', 'WELCOME_A'), wecom);
    services.clock.advance(1000);
    await services.inbox.record(account, add('wm-welcome-2', 'WELCOME_B'), wecom);
    for (let row = await services.inbox.claim(); row; row = await services.inbox.claim()) {
      order.push(/<ExternalUserID><!\[CDATA\[([^\]]+)/.exec(row.plaintext)?.[1] ?? /<Id><!\[CDATA\[([^\]]+)/.exec(row.plaintext)![1]!);
      await services.inbox.done(row, []);
    }
    expect(order).to.deep.equal(['wm-welcome-1', 'wm-welcome-2', 'et-first', 'wm-plain']);
  });
});
