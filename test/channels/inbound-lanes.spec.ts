import { expect } from 'chai';
import type { InboundEvent } from '../../adapters/channel-events.ts';
import { isPullTrigger, subjectOf, vendorWaitOf } from '../../server/channels/inbound-lanes.ts';

const base = { channel: 'wecom' as const, corpId: 'ww1', idempotencyKey: 'k', occurredAt: new Date(0) };
const ev = (e: Record<string, unknown>) => [{ ...base, ...e } as unknown as InboundEvent];

describe('inbound lanes', () => {
  it('ties a customer’s add, edit and deletions to one subject, whoever the staff member', () => {
    const keys = [
      subjectOf(ev({ kind: 'friend_added', staffUserId: 'a', externalUserId: 'wm1' })),
      subjectOf(ev({ kind: 'friend_deleted_by_customer', staffUserId: 'b', externalUserId: 'wm1' })),
      subjectOf(ev({ kind: 'friend_edited', staffUserId: 'a', externalUserId: 'wm1' })),
    ];
    expect(new Set(keys).size).to.equal(1);
    expect(subjectOf(ev({ kind: 'friend_added', staffUserId: 'a', externalUserId: 'wm2' }))).to.not.equal(keys[0]);
  });

  it('orders a group’s events, a kf account’s syncs and the corp’s tag list each on their own', () => {
    expect(subjectOf(ev({ kind: 'group_updated', chatId: 'wr1' }))).to.equal(subjectOf(ev({ kind: 'group_dismissed', chatId: 'wr1' })));
    expect(subjectOf(ev({ kind: 'kf_messages_available', openKfId: 'wk1', syncToken: 't' }))).to.equal(subjectOf(ev({ kind: 'kf_messages_available', openKfId: 'wk1', syncToken: 'u' })));
    expect(subjectOf(ev({ kind: 'corp_tag_deleted', tagType: 'tag_group', id: 'g' }))).to.equal(subjectOf(ev({ kind: 'corp_tag_created', tagType: 'tag', id: 't' })));
    // Another corp's tag list is another subject.
    expect(subjectOf([{ ...ev({ kind: 'corp_tag_created', tagType: 'tag', id: 't' })[0]!, corpId: 'ww2' } as InboundEvent])).to.not.equal(subjectOf(ev({ kind: 'corp_tag_created', tagType: 'tag', id: 't' })));
    expect(subjectOf([])).to.equal(null);
  });

  it('names the vendor API a row waits on, and none for rows the database alone applies', () => {
    expect(vendorWaitOf(ev({ kind: 'friend_added', staffUserId: 'a', externalUserId: 'wm1' }))).to.equal('contact');
    expect(vendorWaitOf(ev({ kind: 'group_updated', chatId: 'wr1' }))).to.equal('group');
    expect(vendorWaitOf(ev({ kind: 'corp_tag_updated', tagType: 'tag', id: 't' }))).to.equal('tags');
    expect(vendorWaitOf(ev({ kind: 'kf_messages_available', openKfId: 'wk1', syncToken: 't' }))).to.equal('kf');
    for (const kind of ['friend_deleted_by_customer', 'corp_tag_deleted', 'group_dismissed', 'unknown']) expect(vendorWaitOf(ev({ kind, externalUserId: 'wm1', staffUserId: 'a', chatId: 'wr1', id: 't' })), kind).to.equal(null);
    expect(vendorWaitOf([])).to.equal(null);
  });

  it('folds tag-list refreshes like kf pulls, never a tag deletion (it is applied from the event alone)', () => {
    expect(isPullTrigger(ev({ kind: 'corp_tag_updated', tagType: 'tag', id: 't' }))).to.equal(true);
    expect(isPullTrigger(ev({ kind: 'corp_tag_created', tagType: 'tag', id: 't' }))).to.equal(true);
    expect(isPullTrigger(ev({ kind: 'corp_tag_deleted', tagType: 'tag', id: 't' }))).to.equal(false);
    expect(isPullTrigger(ev({ kind: 'kf_messages_available', openKfId: 'wk1', syncToken: 't' }))).to.equal(true);
    expect(isPullTrigger(ev({ kind: 'friend_added', staffUserId: 'a', externalUserId: 'wm1' }))).to.equal(false);
  });
});
