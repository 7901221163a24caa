/** The inbox claims WeCom adds carrying a welcome code (valid 20 s) before anything else, in arrival order otherwise. */
import { expect } from 'chai';
import { externalContactEvent, externalTagEvent } from '../../adapters/wecom/simulator/callback-events.ts';
import type { ChannelAccount } from '../../server/channels/channel-account.repository.ts';
import { claimPriority } from '../../server/channels/inbound-inbox.ts';
import { useTestDatabase } from '../support/database.ts';
import { testServices } from '../support/test-app.ts';

describe('InboundInbox claim order', () => {
  const t = useTestDatabase('inbox_priority');
  const account: ChannelAccount = { id: 'acc-1', corpId: 'wwcorp', kind: 'wecom', name: 'w', isDefault: true, config: {} };
  const add = (ext: string, welcomeCode?: string) =>
    externalContactEvent({ corpId: 'wwcorp', changeType: 'add_external_contact', userId: 'a1', externalUserId: ext, createTime: 1_795_000_000, ...(welcomeCode ? { welcomeCode } : {}) });

  it('marks only adds with a welcome code', () => {
    expect(claimPriority(add('wm1', 'WELCOME_1'))).to.equal(1);
    expect(claimPriority(externalContactEvent({ corpId: 'c', changeType: 'add_half_external_contact', userId: 'a', externalUserId: 'x', welcomeCode: 'W' }))).to.equal(1);
    expect(claimPriority(add('wm2'))).to.equal(0);
    expect(claimPriority(externalContactEvent({ corpId: 'c', changeType: 'msg_audit_approved', userId: 'a', externalUserId: 'x', welcomeCode: 'W' }))).to.equal(0);
    expect(claimPriority(externalTagEvent({ corpId: 'c', id: 'et1', tagType: 'tag', changeType: 'create' }))).to.equal(0);
  });

  it('claims welcome-code adds first, then the rest in arrival order', async () => {
    const services = testServices(t.db);
    const order: string[] = [];
    await services.inbox.record(account, externalTagEvent({ corpId: 'wwcorp', id: 'et-first', tagType: 'tag', changeType: 'create' }));
    services.clock.advance(1000);
    await services.inbox.record(account, add('wm-plain'));
    services.clock.advance(1000);
    await services.inbox.record(account, add('wm-welcome-1', 'WELCOME_A'));
    services.clock.advance(1000);
    await services.inbox.record(account, add('wm-welcome-2', 'WELCOME_B'));
    for (let row = await services.inbox.claim(); row; row = await services.inbox.claim()) {
      order.push(/<ExternalUserID><!\[CDATA\[([^\]]+)/.exec(row.plaintext)?.[1] ?? /<Id><!\[CDATA\[([^\]]+)/.exec(row.plaintext)![1]!);
      await services.inbox.done(row, []);
    }
    expect(order).to.deep.equal(['wm-welcome-1', 'wm-welcome-2', 'et-first', 'wm-plain']);
  });
});
