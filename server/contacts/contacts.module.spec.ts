import { expect } from 'chai';
import { useTestDatabase } from '../../test/support/database.ts';
import { fixedClock } from '../shared/clock.ts';
import { createContactsModule, type ContactReassigner } from './index.ts';

/** Records the re-pointing a merge asks of the domains that keep contact ids (events, groups). */
function recorder(): ContactReassigner & { calls: Array<[string, string, string]> } {
  const calls: Array<[string, string, string]> = [];
  return {
    calls,
    async reassignContact(corpId, from, to) {
      calls.push([corpId, from, to]);
    },
  };
}

describe('createContactsModule', () => {
  const t = useTestDatabase('contacts_module');
  const CORP = 'wwcontactsmodule';
  const KEYS = { phoneKeyHex: '33'.repeat(32), hashKeyHex: '44'.repeat(32) };

  it('is built from its own models, the clock, the phone keys and the two domains a merge re-points', async () => {
    const events = recorder();
    const groups = recorder();
    const clock = fixedClock('2026-11-22T02:00:00Z');
    const people = createContactsModule({ models: t.db.models, clock, keys: KEYS, events, groups });

    const fan = await people.identities.upsert(CORP, { identities: [{ kind: 'openid', appId: 'wxoa', openid: 'o-m' }], phone: '13800138001' });
    expect(fan.contact.createdAt?.toISOString()).to.equal('2026-11-22T02:00:00.000Z');
    const customer = await people.identities.upsert(CORP, { identities: [{ kind: 'unionid', unionid: 'u-m' }] });
    clock.set('2026-11-23T02:00:00Z');
    const linked = await people.identities.upsert(CORP, { identities: [{ kind: 'openid', appId: 'wxoa', openid: 'o-m' }, { kind: 'unionid', unionid: 'u-m' }] });

    expect(linked.contact.id).to.equal(fan.contact.id);
    expect(events.calls).to.deep.equal([[CORP, customer.contact.id, fan.contact.id]]);
    expect(groups.calls).to.deep.equal([[CORP, customer.contact.id, fan.contact.id]]);
    expect(linked.contact.updatedAt?.toISOString()).to.equal('2026-11-23T02:00:00.000Z');
    expect(people.phones.hash('+8613800138001')).to.equal((await people.contacts.findRow({ corpId: CORP, storeIds: null }, fan.contact.id))?.phoneHash);
  });
});
