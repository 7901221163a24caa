import { expect } from 'chai';
import type { InboundEvent } from '../../channel-adapter.ts';
import { parseWecomCallback } from './callback.parser.ts';
import { expectParseError, fixtureReader, without, withField } from './spec-support.ts';

const fixture = fixtureReader(new URL('../fixtures/events/', import.meta.url));
const CORP = 'wx5823bf96d3bd56c7';
const PAIR = { staffUserId: 'zhangsan', externalUserId: 'woAJ2GCAAAXtWyujaWJHDDGi0mAAAA' };

function common<K extends string>(kind: K, changeType: string) {
  return {
    kind,
    channel: 'wecom' as const,
    corpId: CORP,
    idempotencyKey: `wecom:${CORP}:change_external_contact:${changeType}:zhangsan:woAJ2GCAAAXtWyujaWJHDDGi0mAAAA:1403610513`,
    occurredAt: new Date(1403610513 * 1000),
  };
}

const EXPECTED: Record<string, InboundEvent> = {
  add_external_contact: {
    ...common('friend_added', 'add_external_contact'),
    ...PAIR,
    state: 'teststate',
    welcomeCode: 'WELCOMECODE',
    half: false,
  },
  add_half_external_contact: {
    ...common('friend_added', 'add_half_external_contact'),
    ...PAIR,
    state: 'teststate',
    welcomeCode: 'WELCOMECODE',
    half: true,
  },
  edit_external_contact: { ...common('friend_edited', 'edit_external_contact'), ...PAIR },
  del_external_contact: {
    ...common('friend_deleted_by_staff', 'del_external_contact'),
    ...PAIR,
    source: 'DELETE_BY_TRANSFER',
    byTransfer: true,
  },
  del_follow_user: { ...common('friend_deleted_by_customer', 'del_follow_user'), ...PAIR },
  transfer_fail: {
    ...common('friend_transfer_failed', 'transfer_fail'),
    takeoverUserId: 'zhangsan',
    externalUserId: 'woAJ2GCAAAXtWyujaWJHDDGi0mAAAA',
    reason: 'customer_refused',
  },
  msg_audit_approved: { ...common('chat_archiving_approved', 'msg_audit_approved'), ...PAIR, welcomeCode: 'WELCOMECODE' },
};

describe('parseWecomCallback: change_external_contact', () => {
  for (const [changeType, expected] of Object.entries(EXPECTED)) {
    it(`parses the ${changeType} fixture into ${expected.kind}`, () => {
      expect(parseWecomCallback(fixture(`change_external_contact.${changeType}`))).to.deep.equal([expected]);
    });
  }

  it('reads a third-party suite push (AuthCorpId, InfoType, TimeStamp) into the same event', () => {
    const events = parseWecomCallback(fixture('suite.change_external_contact.add_external_contact'));
    expect(events).to.deep.equal([EXPECTED.add_external_contact]);
  });

  it('gives null state and welcomeCode when WeCom sends none or empty ones', () => {
    const xml = withField(without(fixture('change_external_contact.add_external_contact'), 'WelcomeCode'), 'State', '');
    const [event] = parseWecomCallback(xml);
    expect(event).to.include({ kind: 'friend_added', state: null, welcomeCode: null });
  });

  it('does not flag a deletion without Source, or with another Source, as a transfer', () => {
    const xml = fixture('change_external_contact.del_external_contact');
    expect(parseWecomCallback(without(xml, 'Source'))[0]).to.include({ source: null, byTransfer: false });
    expect(parseWecomCallback(withField(xml, 'Source', 'OTHER'))[0]).to.include({ source: 'OTHER', byTransfer: false });
  });

  it('keeps an unlisted FailReason verbatim', () => {
    const xml = withField(fixture('change_external_contact.transfer_fail'), 'FailReason', 'customer_limit_exceed');
    expect(parseWecomCallback(xml)[0]).to.include({ reason: 'customer_limit_exceed' });
  });

  it('throws a ParseError naming every missing id', () => {
    const xml = without(fixture('change_external_contact.add_external_contact'), 'UserID', 'ExternalUserID');
    const err = expectParseError(() => parseWecomCallback(xml));
    expect(err.missing).to.deep.equal(['UserID', 'ExternalUserID']);
    expect(err.vendorType).to.equal('change_external_contact/add_external_contact');
    expect(err.channel).to.equal('wecom');
  });

  it('requires FailReason on transfer_fail', () => {
    const xml = without(fixture('change_external_contact.transfer_fail'), 'FailReason');
    expect(expectParseError(() => parseWecomCallback(xml)).missing).to.deep.equal(['FailReason']);
  });

  it('requires a ChangeType', () => {
    const xml = without(fixture('change_external_contact.edit_external_contact'), 'ChangeType');
    expect(expectParseError(() => parseWecomCallback(xml)).missing).to.deep.equal(['ChangeType']);
  });

  it('keeps an unknown ChangeType raw as an unknown event', () => {
    const xml = withField(fixture('change_external_contact.edit_external_contact'), 'ChangeType', 'edit_remark_pic');
    const [event] = parseWecomCallback(xml);
    expect(event).to.deep.include({ kind: 'unknown', channel: 'wecom', corpId: CORP, event: 'change_external_contact' });
    expect(event).to.include({ changeType: 'edit_remark_pic', msgType: 'event' });
    expect(event?.kind === 'unknown' && event.raw.UserID).to.equal('zhangsan');
  });
});
