import { expect } from 'chai';
import { deliverCallback } from '../../adapters/wecom/simulator/callback-driver.ts';
import { externalContactEvent, kfMsgOrEvent } from '../../adapters/wecom/simulator/callback-events.ts';
import { SIM_CORP_ID } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { mergeStoredKfDuplicates } from '../../server/contacts/index.ts';
import { CALLBACK_AES_KEY, CALLBACK_TOKEN, startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { useTestDatabase } from '../support/database.ts';

/** In one corp, 微信客服's external_userid and the external contact's external_userid name the same person. */
describe('one customer across 微信客服 and WeCom', () => {
  const t = useTestDatabase('kf_wecom_identity');
  let h: ChannelHarness;
  const wecomTarget = () => ({ url: `${h.baseUrl}/callbacks/wecom`, token: CALLBACK_TOKEN, encodingAESKey: CALLBACK_AES_KEY, corpId: SIM_CORP_ID, retryDelayMs: 0 });

  before(async () => {
    h = await startChannelHarness(t.db);
  });
  after(async () => h.stop());

  it('a kf message from an existing WeCom friend lands on that friend’s contact, not on a new 微信用户', async () => {
    const kf = 'wkSIMKF0100';
    const friend = h.sim.control.addCustomer({ name: '孙伟平', follow_user: [{ userid: 'a1' }] });
    await deliverCallback({ ...wecomTarget(), xml: externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: 'a1', externalUserId: friend.external_userid, createTime: 1_795_010_000 }) });
    await h.processor.drain();
    const before = await t.db.models.Contact.countDocuments({ corpId: SIM_CORP_ID, mergedInto: null });

    const m = h.sim.control.kfCustomerMessage({ open_kfid: kf, external_userid: friend.external_userid, content: '会员卡怎么续？', nickname: '微信用户' });
    await deliverCallback({ ...wecomTarget(), xml: kfMsgOrEvent({ corpId: SIM_CORP_ID, token: m.token, openKfId: kf, createTime: 1_795_010_100 }) });
    await h.processor.drain();

    expect(await t.db.models.Contact.countDocuments({ corpId: SIM_CORP_ID, mergedInto: null }), 'no second contact').to.equal(before);
    const contacts = await t.db.models.Contact.find({ corpId: SIM_CORP_ID, identityKeys: { $in: [`wecom:${friend.external_userid}`, `kf:${friend.external_userid}`] } }).lean();
    expect(contacts).to.have.length(1);
    expect(contacts[0]!.name).to.equal('孙伟平');
    expect(contacts[0]!.identityKeys).to.include.members([`wecom:${friend.external_userid}`, `kf:${friend.external_userid}`]);
    const texts = await t.db.models.Event.find({ corpId: SIM_CORP_ID, contactId: String(contacts[0]!._id), channel: 'wecom_kf' }).lean();
    expect(texts.map((e) => (e.payload as { text: string }).text)).to.deep.equal(['会员卡怎么续？']);
  });

  it('a kf customer who later adds a staff member as a WeCom friend keeps one contact', async () => {
    const kf = 'wkSIMKF0101';
    const id = 'wmSIMkfFirst01';
    const m = h.sim.control.kfCustomerMessage({ open_kfid: kf, external_userid: id, content: '在吗', nickname: '小周' });
    await deliverCallback({ ...wecomTarget(), xml: kfMsgOrEvent({ corpId: SIM_CORP_ID, token: m.token, openKfId: kf, createTime: 1_795_011_000 }) });
    await h.processor.drain();
    await h.services.identities.upsert(SIM_CORP_ID, { identities: [{ kind: 'wecom', externalUserId: id }], profile: { name: '周小姐' } });
    const contacts = await t.db.models.Contact.find({ corpId: SIM_CORP_ID, identityKeys: { $in: [`wecom:${id}`, `kf:${id}`] } }).lean();
    expect(contacts).to.have.length(1);
    expect(contacts[0]!.externalUserId).to.equal(id);
  });

  it('the boot migration merges a duplicate stored before the rule, moving its identities, tags, events, tasks and touches; a second run changes nothing', async () => {
    const s = h.services;
    const id = 'wmSIM000044';
    const { contact: wecom } = await s.identities.upsert(SIM_CORP_ID, { identities: [{ kind: 'wecom', externalUserId: id }], profile: { name: '孙伟平' } });
    // What main stored for a kf message from this friend: a second contact under the kf id alone.
    const dup = await t.db.models.Contact.create({ corpId: SIM_CORP_ID, identityKeys: [`kf:${id}`], kfIds: [id], name: '微信用户', tagIds: ['tag-kf-only'], lastInteractionAt: new Date('2026-11-20T02:00:00Z') });
    const dupId = String(dup._id);
    await s.events.append(SIM_CORP_ID, { key: 'kf-dup-1', direction: 'inbound', channel: 'wecom_kf', type: 'kf.message.text', contactId: dupId, occurredAt: new Date('2026-11-20T02:00:00Z'), payload: { text: '上次的订单' } });
    const org = await s.org.listStores({ corpId: SIM_CORP_ID, storeIds: null });
    const staff = await s.org.findStaffByUserId(SIM_CORP_ID, 'a1');
    await s.tasks.createOnce({ corpId: SIM_CORP_ID, key: 'dup-task', storeId: org[0]!.id, staffId: staff!.id, kind: 'call', title: '回访', contactIds: [dupId], localDate: '2026-11-20', dueAt: new Date('2026-11-20T10:00:00Z') });
    await t.db.models.Touch.create({ corpId: SIM_CORP_ID, key: `s:${dupId}:0:hello`, sopId: 's', sopVersion: 1, enrollmentId: 'e1', contactId: dupId, stepId: 'hello', channel: 'kf', templateId: 'tpl', priority: 50, tz: 'Asia/Shanghai', dueAt: new Date('2026-11-20T02:00:00Z'), localDay: '2026-11-20', status: 'sent' });

    expect(await mergeStoredKfDuplicates(s)).to.equal(1);

    const kept = await t.db.models.Contact.findById(wecom.id).lean();
    expect(kept!.identityKeys).to.include.members([`wecom:${id}`, `kf:${id}`]);
    expect(kept!.kfIds).to.include(id);
    expect(kept!.tagIds).to.include('tag-kf-only');
    expect(kept!.name).to.equal('孙伟平');
    const gone = await t.db.models.Contact.findById(dupId).lean();
    expect(gone!.mergedInto, 'the duplicate is a tombstone pointing at the kept contact').to.equal(wecom.id);
    expect(gone!.mergedKeys).to.include(`kf:${id}`);
    expect((await t.db.models.Event.findOne({ corpId: SIM_CORP_ID, key: 'kf-dup-1' }).lean())!.contactId).to.equal(wecom.id);
    expect((await t.db.models.StaffTask.findOne({ corpId: SIM_CORP_ID, key: 'dup-task' }).lean())!.contactIds).to.deep.equal([wecom.id]);
    expect((await t.db.models.Touch.findOne({ corpId: SIM_CORP_ID, sopId: 's' }).lean())!.contactId).to.equal(wecom.id);

    expect(await mergeStoredKfDuplicates(s), 'idempotent').to.equal(0);
    expect(await t.db.models.Contact.countDocuments({ corpId: SIM_CORP_ID, identityKeys: { $in: [`wecom:${id}`, `kf:${id}`] } })).to.equal(1);
  });

  it('a WeCom friend stored before xu: keys gets one at the boot migration, and a later kf message lands on them', async () => {
    const s = h.services;
    const id = 'wmSIMoldFriend01';
    // What main stored for a WeCom friend: the channel key alone.
    const old = await t.db.models.Contact.create({ corpId: SIM_CORP_ID, identityKeys: [`wecom:${id}`], externalUserId: id, name: '老朋友' });
    await mergeStoredKfDuplicates({ org: s.org, identities: s.identities });
    expect((await t.db.models.Contact.findById(old._id).lean())!.identityKeys).to.include(`xu:${id}`);
    const { contact, created } = await s.identities.upsert(SIM_CORP_ID, { identities: [{ kind: 'kf', externalUserId: id }], profile: { name: '微信用户' } });
    expect({ id: contact.id, created }).to.deep.equal({ id: String(old._id), created: false });
  });
});
