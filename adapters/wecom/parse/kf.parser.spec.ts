import { expect } from 'chai';
import type { InboundEvent } from '../../channel-adapter.ts';
import { parseWecomCallback } from './callback.parser.ts';
import { expectParseError, fixtureReader, without } from './spec-support.ts';

const fixture = fixtureReader(new URL('../fixtures/events/', import.meta.url));
const TOKEN = 'ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR';

describe('parseWecomCallback: kf_msg_or_event', () => {
  it('parses the fixture into kf_messages_available with the sync token and account', () => {
    const expected: InboundEvent = {
      kind: 'kf_messages_available',
      channel: 'wecom',
      corpId: 'wx5823bf96d3bd56c7',
      idempotencyKey: `wecom:wx5823bf96d3bd56c7:kf_msg_or_event:wkxxxxxxxxxxxxxxxxxx:${TOKEN}:1348831860`,
      occurredAt: new Date(1348831860 * 1000),
      openKfId: 'wkxxxxxxxxxxxxxxxxxx',
      syncToken: TOKEN,
    };
    expect(parseWecomCallback(fixture('kf_msg_or_event'))).to.deep.equal([expected]);
  });

  it('keys two notifications for one account in the same second apart by token', () => {
    const xml = fixture('kf_msg_or_event');
    const other = xml.replace(TOKEN, 'ENCBnother');
    expect(parseWecomCallback(xml)[0]?.idempotencyKey).to.not.equal(parseWecomCallback(other)[0]?.idempotencyKey);
  });

  it('throws a ParseError naming a missing Token and OpenKfId', () => {
    const err = expectParseError(() => parseWecomCallback(without(fixture('kf_msg_or_event'), 'Token', 'OpenKfId')));
    expect(err.missing).to.deep.equal(['Token', 'OpenKfId']);
    expect(err.vendorType).to.equal('kf_msg_or_event');
  });
});
