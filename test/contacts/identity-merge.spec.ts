import { expect } from 'chai';
import { useTestDatabase } from '../support/database.ts';
import { testServices } from '../support/test-app.ts';

describe('ContactIdentityRepository.upsert', () => {
  const t = useTestDatabase('identity');
  const corpId = 'wwidentity';
  const svc = () => testServices(t.db);
  const live = (extra: Record<string, unknown> = {}) => t.db.models.Contact.countDocuments({ corpId, mergedInto: null, ...extra });

  it('creates one contact, then finds it again by the same unionid', async () => {
    const s = svc();
    const a = await s.identities.upsert(corpId, { identities: [{ kind: 'unionid', unionid: 'u-1' }], profile: { name: '张三' } });
    const b = await s.identities.upsert(corpId, { identities: [{ kind: 'unionid', unionid: 'u-1' }, { kind: 'wecom', externalUserId: 'wm-1' }] });
    expect(a.created).to.equal(true);
    expect(b.created).to.equal(false);
    expect(b.contact.id).to.equal(a.contact.id);
    expect(b.contact.identities.externalUserId).to.equal('wm-1');
    expect(b.contact.name).to.equal('张三');
    expect(await live({ identityKeys: 'unionid:u-1' })).to.equal(1);
  });

  it('writes nothing when a known contact is upserted with what is stored already, and the change when something differs', async () => {
    const s = svc();
    const first = await s.identities.upsert(corpId, { identities: [{ kind: 'wecom', externalUserId: 'wm-same' }, { kind: 'kf', externalUserId: 'wm-same' }], profile: { name: '同一人', gender: 1 }, interactionAt: new Date('2026-12-01T00:00:00Z') });
    const stored = async () => (await t.db.models.Contact.findById(first.contact.id).lean())!;
    const before = await stored();
    s.clock.advance(60_000);
    await s.identities.upsert(corpId, { identities: [{ kind: 'kf', externalUserId: 'wm-same' }], profile: { name: '同一人' }, interactionAt: new Date('2026-11-30T00:00:00Z') });
    expect((await stored()).updatedAt, 'nothing changed, nothing written').to.deep.equal(before.updatedAt);
    await s.identities.upsert(corpId, { identities: [{ kind: 'kf', externalUserId: 'wm-same' }], interactionAt: new Date('2026-12-02T00:00:00Z') });
    const after = await stored();
    expect(after.lastInteractionAt).to.deep.equal(new Date('2026-12-02T00:00:00Z'));
    expect(after.updatedAt).to.not.deep.equal(before.updatedAt);
    await s.identities.upsert(corpId, { identities: [{ kind: 'wecom', externalUserId: 'wm-same' }], profile: { name: '改名了' } });
    expect((await stored()).name).to.equal('改名了');
  });

  it('matches the same phone written differently to one contact and never stores it in clear', async () => {
    const s = svc();
    const a = await s.identities.upsert(corpId, { identities: [], phone: '138 0013 8000' });
    const b = await s.identities.upsert(corpId, { identities: [{ kind: 'wechaty', id: 'wx-p' }], phone: '+86 13800138000' });
    expect(b.contact.id).to.equal(a.contact.id);
    expect(b.contact.phone).to.deep.equal({ masked: '138****8000' });
    const raw = await t.db.models.Contact.findById(a.contact.id).select('+phoneEnc').lean();
    expect(JSON.stringify(raw)).not.to.include('13800138000');
    expect(s.phones.decrypt(raw!.phoneEnc!)).to.equal('+8613800138000');
  });

  it('merges an official-account fan into the WeCom customer when their unionid links them', async () => {
    const s = svc();
    const fan = await s.identities.upsert(corpId, { identities: [{ kind: 'openid', appId: 'wxoa', openid: 'o-fan' }], profile: { name: '粉丝' } });
    const customer = await s.identities.upsert(corpId, { identities: [{ kind: 'wecom', externalUserId: 'wm-fan' }, { kind: 'unionid', unionid: 'u-fan' }] });
    await s.events.append(corpId, { key: 'e-fan', direction: 'inbound', channel: 'official-account', type: 'subscribe', contactId: customer.contact.id, occurredAt: new Date() });
    await s.groups.upsert(corpId, { chatId: 'wr-merge', name: '群', ownerUserId: 'u1', storeId: null, members: [{ memberType: 'external', userId: 'wm-fan', contactId: customer.contact.id, joinTime: new Date() }] });
    const linked = await s.identities.upsert(corpId, { identities: [{ kind: 'openid', appId: 'wxoa', openid: 'o-fan' }, { kind: 'unionid', unionid: 'u-fan' }] });
    expect(linked.contact.id, 'the oldest contact wins').to.equal(fan.contact.id);
    expect(linked.mergedIds).to.deep.equal([customer.contact.id]);
    expect(linked.mergedIds).to.have.length(1);
    expect(linked.contact.identities.openids).to.deep.equal([{ appId: 'wxoa', openid: 'o-fan' }]);
    expect(linked.contact.identities.externalUserId).to.equal('wm-fan');
    expect(await live({ identityKeys: { $in: ['openid:wxoa:o-fan', 'unionid:u-fan', 'wecom:wm-fan'] } })).to.equal(1);
    const event = await t.db.models.Event.findOne({ corpId, key: 'e-fan' }).lean();
    expect(event!.contactId).to.equal(linked.contact.id);
    const group = await t.db.models.CustomerGroup.findOne({ corpId, chatId: 'wr-merge' }).lean();
    expect(group!.members[0]!.contactId, 'group membership follows the merge').to.equal(linked.contact.id);
    const loser = await t.db.models.Contact.findById(linked.mergedIds[0]).lean();
    expect(loser!.mergedInto).to.equal(linked.contact.id);
    expect(loser!.mergedKeys).to.include.members(['wecom:wm-fan', 'unionid:u-fan']);
    expect(loser!.identityKeys).to.deep.equal([`merged:${linked.mergedIds[0]}`]);
  });

  it('moves the merged contact’s follows to the winner, keeping the winner’s own relation to the same staff member', async () => {
    const s = svc();
    const staff = (n: string) => ({ id: `st-${n}`, userId: `u-${n}`, storeId: 'store-1' });
    const fan = await s.identities.upsert(corpId, { identities: [{ kind: 'openid', appId: 'wxoa', openid: 'o-follow' }] });
    const customer = await s.identities.upsert(corpId, { identities: [{ kind: 'wecom', externalUserId: 'wm-follow' }, { kind: 'unionid', unionid: 'u-follow' }] });
    await s.follows.upsert(corpId, { contactId: fan.contact.id, staff: staff('x'), remark: '粉丝备注', addedAt: new Date('2026-11-01T00:00:00Z') });
    await s.follows.upsert(corpId, { contactId: customer.contact.id, staff: staff('x'), remark: '客户备注', addedAt: new Date('2026-11-02T00:00:00Z') });
    await s.follows.upsert(corpId, { contactId: customer.contact.id, staff: staff('y'), remark: '导购乙', addedAt: new Date('2026-11-03T00:00:00Z') });

    const linked = await s.identities.upsert(corpId, { identities: [{ kind: 'openid', appId: 'wxoa', openid: 'o-follow' }, { kind: 'unionid', unionid: 'u-follow' }] });
    expect(linked.contact.id).to.equal(fan.contact.id);
    const scope = { corpId, storeIds: null };
    const follows = await s.follows.listForContact(scope, linked.contact.id);
    expect(follows.map((f) => [f.staffId, f.remark])).to.deep.equal([['st-x', '粉丝备注'], ['st-y', '导购乙']]);
    expect(await s.follows.listForContact(scope, customer.contact.id)).to.deep.equal([]);
  });

  it('makes no duplicate when 24 upserts for the same person race', async () => {
    const s = svc();
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        s.identities.upsert(corpId, {
          identities: i % 2 ? [{ kind: 'unionid', unionid: 'u-race' }] : [{ kind: 'unionid', unionid: 'u-race' }, { kind: 'kf', externalUserId: `kf-race-${i}` }],
        }),
      ),
    );
    expect(new Set(results.map((r) => r.contact.id)).size).to.equal(1);
    expect(results.filter((r) => r.created)).to.have.length(1);
    expect(await live({ identityKeys: 'unionid:u-race' })).to.equal(1);
    const contact = await t.db.models.Contact.findOne({ corpId, identityKeys: 'unionid:u-race' }).lean();
    expect(contact!.kfIds).to.have.length(12);
  });

  it('keeps different corps apart even for the same unionid', async () => {
    const s = svc();
    const a = await s.identities.upsert(corpId, { identities: [{ kind: 'unionid', unionid: 'u-shared' }] });
    const b = await s.identities.upsert('wwothercorp', { identities: [{ kind: 'unionid', unionid: 'u-shared' }] });
    expect(a.contact.id).not.to.equal(b.contact.id);
  });

  it('refuses an upsert without any identity and an invalid phone', async () => {
    const s = svc();
    await s.identities.upsert(corpId, { identities: [] }).then(
      () => expect.fail('should refuse'),
      (err: Error) => expect(err.message).to.match(/^客户至少需要一个身份.* A contact needs at least one identity/),
    );
    await s.identities.upsert(corpId, { identities: [], phone: '12345' }).then(
      () => expect.fail('should refuse'),
      (err: { status: number }) => expect(err.status).to.equal(400),
    );
  });
});
