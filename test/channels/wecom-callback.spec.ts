import { expect } from 'chai';
import pino from 'pino';
import { deliverCallback, verifyUrl } from '../../adapters/wecom/simulator/callback-driver.ts';
import { externalChatEvent, externalContactEvent, externalTagEvent } from '../../adapters/wecom/simulator/callback-events.ts';
import { sealEvent } from '../../adapters/wecom/crypto/callback-envelope.ts';
import { SIM_CORP_ID } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { CALLBACK_AES_KEY, CALLBACK_TOKEN, startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { useTestDatabase } from '../support/database.ts';

describe('POST /callbacks/wecom → inbox → contact store', () => {
  const t = useTestDatabase('wecom_callback');
  let h: ChannelHarness;
  const target = () => ({ url: `${h.baseUrl}/callbacks/wecom`, token: CALLBACK_TOKEN, encodingAESKey: CALLBACK_AES_KEY, corpId: SIM_CORP_ID, retryDelayMs: 0 });
  const rawCount = () => t.db.models.InboundRaw.countDocuments({});

  before(async () => {
    h = await startChannelHarness(t.db, { callbackBodyLimitBytes: 16_384 });
  });
  after(async () => h.stop());

  it('answers the URL verification with the bare decrypted echostr', async () => {
    const res = await verifyUrl({ ...target(), echo: '1616140317555161061' });
    expect(res.ok, JSON.stringify(res)).to.equal(true);
    expect(res.body).to.equal('1616140317555161061');
  });

  it('turns an add_external_contact into a contact with unionid, a follow with its state, and one event', async () => {
    const customer = h.sim.control.addCustomer({ name: '李雷', unionid: 'union-li', follow_user: [{ userid: 'a2', remark: '李先生', state: 'c:spring:a2', add_way: 1 }] });
    const xml = externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: 'a2', externalUserId: customer.external_userid, state: 'c:spring:a2', welcomeCode: 'WELCOME1', createTime: 1_795_000_000 });
    const delivery = await deliverCallback({ ...target(), xml });
    expect(delivery.delivered).to.equal(true);
    expect(delivery.attempts[0]!.body).to.equal('success');
    expect(await h.processor.drain()).to.equal(1);

    const contact = await t.db.models.Contact.findOne({ corpId: SIM_CORP_ID, identityKeys: `wecom:${customer.external_userid}` }).lean();
    expect(contact!.name).to.equal('李雷');
    expect(contact!.identityKeys).to.include('unionid:union-li');
    expect(contact!.lifecycle).to.equal('friend');
    const follow = await t.db.models.Follow.findOne({ corpId: SIM_CORP_ID, contactId: String(contact!._id) }).lean();
    expect(follow).to.include({ staffUserId: 'a2', state: 'c:spring:a2', remark: '李先生', addWay: 1 });
    const events = await t.db.models.Event.find({ corpId: SIM_CORP_ID, contactId: String(contact!._id), type: 'friend_added' }).lean();
    expect(events).to.have.length(1);
    expect(events[0]!.payload).to.deep.include({ state: 'c:spring:a2', welcomeCode: 'WELCOME1' });
  });

  it('stores one raw payload and one event when the same delivery arrives three times', async () => {
    const customer = h.sim.control.addCustomer({ name: '韩梅梅', follow_user: [{ userid: 'a2' }] });
    const xml = externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: 'a2', externalUserId: customer.external_userid, createTime: 1_795_000_100 });
    // One signed URL and body, sent three times: Tencent's retries of one delivery (fresh: the server refuses stale ones).
    const sealed = { timestamp: String(Math.floor(h.services.clock.now().getTime() / 1000)), nonce: 'replay-nonce', random: Buffer.alloc(16, 7) };
    const before = await rawCount();
    for (let i = 0; i < 3; i++) expect((await deliverCallback({ ...target(), ...sealed, xml })).delivered).to.equal(true);
    expect((await rawCount()) - before).to.equal(1);
    // A redelivery with a fresh nonce (Tencent re-signs) is the same payload: still one row and one event.
    expect((await deliverCallback({ ...target(), xml })).delivered).to.equal(true);
    expect((await rawCount()) - before).to.equal(1);
    await h.processor.drain();
    expect(await t.db.models.Event.countDocuments({ corpId: SIM_CORP_ID, type: 'friend_added', 'payload.externalUserId': customer.external_userid })).to.equal(1);
  });

  it('applies a batch of deliveries with one staff read for the batch and one event-log write', async () => {
    const customers = [0, 1, 2, 3].map((i) => h.sim.control.addCustomer({ name: `批量${i}`, follow_user: [{ userid: 'a2' }] }));
    for (const [i, c] of customers.entries()) {
      const xml = externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: 'a2', externalUserId: c.external_userid, createTime: 1_795_000_200 + i });
      expect((await deliverCallback({ ...target(), xml })).delivered).to.equal(true);
    }
    const { org, events } = h.services;
    const counted = { staff: 0, staffBatch: 0, appendMany: 0, append: 0 };
    const [findStaff, staffBatch, appendMany, append] = [org.findStaffByUserId, org.staffByUserIds, events.appendMany, events.append];
    org.findStaffByUserId = (corpId, userId) => (counted.staff++, findStaff.call(org, corpId, userId));
    org.staffByUserIds = (corpId, userIds) => (counted.staffBatch++, staffBatch.call(org, corpId, userIds));
    events.appendMany = (entries) => (counted.appendMany++, appendMany.call(events, entries));
    events.append = (corpId, e) => (counted.append++, append.call(events, corpId, e));
    try {
      expect(await h.processor.drain()).to.equal(4);
    } finally {
      Object.assign(org, { findStaffByUserId: findStaff, staffByUserIds: staffBatch });
      Object.assign(events, { appendMany, append });
    }
    expect(counted).to.deep.equal({ staff: 0, staffBatch: 1, appendMany: 1, append: 0 });
    const keys = customers.map((c) => c.external_userid);
    expect(await t.db.models.Event.countDocuments({ corpId: SIM_CORP_ID, type: 'friend_added', 'payload.externalUserId': { $in: keys } })).to.equal(4);
    expect(await t.db.models.InboundRaw.countDocuments({ status: 'processed', plaintext: { $regex: keys[3]! } })).to.equal(1);
  });

  describe('refusals store nothing', () => {
    const post = (query: string, body: string) => fetch(`${h.baseUrl}/callbacks/wecom?${query}`, { method: 'POST', body, headers: { 'content-type': 'text/xml' } });
    const sealedFor = (xml: string, receiveId = SIM_CORP_ID) => sealEvent({ token: CALLBACK_TOKEN, encodingAESKey: CALLBACK_AES_KEY, receiveId, message: xml, toUserName: receiveId });
    const query = (s: { msgSignature: string; timestamp: string; nonce: string }) => `msg_signature=${s.msgSignature}&timestamp=${s.timestamp}&nonce=${s.nonce}`;
    const addXml = () => externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: 'a2', externalUserId: 'wm-refused', createTime: 1_795_000_200 });

    it('401 for a wrong signature', async () => {
      const before = await rawCount();
      const s = sealedFor(addXml());
      const res = await post(query({ ...s, msgSignature: '0'.repeat(40) }), s.body);
      expect(res.status).to.equal(401);
      expect((await res.json()).error.code).to.equal('unauthenticated');
      expect(await rawCount()).to.equal(before);
    });

    it('400 for bad base64, a truncated ciphertext and a wrong receive id', async () => {
      const before = await rawCount();
      const good = sealedFor(addXml());
      const encrypt = /<Encrypt><!\[CDATA\[(.*)\]\]><\/Encrypt>/.exec(good.body)![1]!;
      const { signature } = await import('../../adapters/wecom/crypto/wx-biz-msg-crypt.ts');
      for (const bad of ['not*base64!', encrypt.slice(0, 44)]) {
        const body = good.body.replace(encrypt, bad);
        const sig = signature(CALLBACK_TOKEN, good.timestamp, good.nonce, bad);
        expect((await post(query({ ...good, msgSignature: sig }), body)).status, bad.slice(0, 10)).to.equal(400);
      }
      const otherCorp = sealedFor(addXml(), 'wwsomeoneelse');
      expect((await post(query(otherCorp), otherCorp.body)).status).to.equal(400);
      expect(await rawCount()).to.equal(before);
    });

    it('400 for an entity bomb inside the payload and 413 for an oversized body', async () => {
      const before = await rawCount();
      const bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><xml><ToUserName>&lol2;</ToUserName></xml>';
      const s = sealedFor(bomb);
      expect((await post(query(s), s.body)).status).to.equal(400);
      const huge = sealedFor(addXml().replace('</xml>', `<Pad>${'x'.repeat(20_000)}</Pad></xml>`));
      expect((await post(query(huge), huge.body)).status).to.equal(413);
      expect(await rawCount()).to.equal(before);
    });

    it('404 for an unknown account', async () => {
      const s = sealedFor(addXml());
      const res = await fetch(`${h.baseUrl}/callbacks/wecom/0123456789abcdef01234567?${query(s)}`, { method: 'POST', body: s.body });
      expect(res.status).to.equal(404);
    });
  });

  it('applies a customer\'s delete after their add even when other customers\' rows and claims come between', async () => {
    // The add waits on externalcontact/get, the delete on nothing: only the subject's order keeps the delete last.
    const first = h.sim.control.addCustomer({ name: '先加后删', follow_user: [{ userid: 'a2' }] });
    const others = Array.from({ length: 40 }, (_, i) => h.sim.control.addCustomer({ name: `其他${i}`, follow_user: [{ userid: 'a2' }] }));
    const at = 1_795_000_400;
    const xmls = [
      externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: 'a2', externalUserId: first.external_userid, createTime: at }),
      ...others.map((c, i) => externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: 'a2', externalUserId: c.external_userid, createTime: at + 1 + i })),
      externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'del_external_contact', userId: 'a2', externalUserId: first.external_userid, createTime: at + 100 }),
    ];
    for (const xml of xmls) expect((await deliverCallback({ ...target(), xml })).delivered).to.equal(true);
    // WeCom answers this customer's detail slowly, so the other rows and the next claim run ahead of the add.
    const adapter = h.services.adapterFor(h.wecom);
    const fetchDetail = adapter.fetchContactDetail!;
    adapter.fetchContactDetail = async (id) => {
      if (id === first.external_userid) await new Promise((resolve) => setTimeout(resolve, 1500));
      return fetchDetail.call(adapter, id);
    };
    try {
      expect(await h.processor.drain()).to.equal(42);
    } finally {
      adapter.fetchContactDetail = fetchDetail;
    }
    const contact = await t.db.models.Contact.findOne({ corpId: SIM_CORP_ID, identityKeys: `wecom:${first.external_userid}` }).lean();
    const follow = await t.db.models.Follow.findOne({ corpId: SIM_CORP_ID, contactId: String(contact!._id) }).lean();
    expect(follow!.deletedAt).to.be.instanceOf(Date);
    expect(await t.db.models.InboundRaw.countDocuments({ status: { $ne: 'processed' } })).to.equal(0);
  });

  it('extends the lease of a row waiting behind its subject, so nobody takes it for abandoned', async () => {
    const slow = h.sim.control.addCustomer({ name: '慢详情', follow_user: [{ userid: 'a2' }] });
    const at = 1_795_000_600;
    for (const xml of [
      externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: 'a2', externalUserId: slow.external_userid, createTime: at }),
      externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'del_external_contact', userId: 'a2', externalUserId: slow.external_userid, createTime: at + 10 }),
    ])
      expect((await deliverCallback({ ...target(), xml })).delivered).to.equal(true);
    const processor = h.services.channels.processor(pino({ level: 'silent' }), 500, 50);
    const adapter = h.services.adapterFor(h.wecom);
    const fetchDetail = adapter.fetchContactDetail!;
    const leases: number[] = [];
    const deletion = { plaintext: { $regex: 'del_external_contact' }, status: 'processing' as const };
    adapter.fetchContactDetail = async (id) => {
      if (id === slow.external_userid) {
        for (let i = 0; i < 6; i++) {
          await new Promise((resolve) => setTimeout(resolve, 60));
          const row = await t.db.models.InboundRaw.findOne(deletion).lean();
          if (row?.leaseUntil) leases.push(row.leaseUntil.getTime());
        }
      }
      return fetchDetail.call(adapter, id);
    };
    try {
      expect(await processor.drain()).to.equal(2);
    } finally {
      adapter.fetchContactDetail = fetchDetail;
    }
    expect(leases.length).to.be.at.least(2);
    expect(leases.at(-1)!).to.be.greaterThan(leases[0]!);
  });

  it('keeps a payload no parser can read as rejected, with the reason, and applies the rows beside it', async () => {
    const bad = `<xml><ToUserName><![CDATA[${SIM_CORP_ID}]]></ToUserName><CreateTime>soon</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType><UserID>a2</UserID><ExternalUserID>wmBad</ExternalUserID></xml>`;
    const good = h.sim.control.addCustomer({ name: '旁边的', follow_user: [{ userid: 'a2' }] });
    const adapter = h.services.adapterFor(h.wecom);
    await h.services.inbox.record(h.wecom, bad, adapter);
    await h.services.inbox.record(h.wecom, externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: 'a2', externalUserId: good.external_userid, createTime: 1_795_000_700 }), adapter);
    await h.processor.drain();
    const rejected = await t.db.models.InboundRaw.findOne({ plaintext: { $regex: 'wmBad' } }).lean();
    expect(rejected!.status).to.equal('rejected');
    expect(rejected!.lastError).to.match(/CreateTime/);
    expect(await t.db.models.InboundRaw.countDocuments({ plaintext: { $regex: good.external_userid }, status: 'processed' })).to.equal(1);
  });

  it('keeps an unknown event type raw and acknowledges it', async () => {
    const xml = `<xml><ToUserName><![CDATA[${SIM_CORP_ID}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1795000300</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_future_thing]]></Event><Id>42</Id></xml>`;
    expect((await deliverCallback({ ...target(), xml })).delivered).to.equal(true);
    await h.processor.drain();
    const unknown = await t.db.models.Event.findOne({ corpId: SIM_CORP_ID, type: 'unknown', 'payload.event': 'change_future_thing' }).lean();
    expect(unknown, 'kept in the event log').to.not.equal(null);
    expect((unknown!.payload as { raw: Record<string, unknown> }).raw.Id).to.equal('42');
  });

  it('marks the friend relation deleted and the contact lost and unreachable when the customer deletes the staff member', async () => {
    const customer = h.sim.control.addCustomer({ name: '王五', follow_user: [{ userid: 'b1' }] });
    const add = externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: 'b1', externalUserId: customer.external_userid, createTime: 1_795_000_400 });
    const del = externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'del_follow_user', userId: 'b1', externalUserId: customer.external_userid, createTime: 1_795_000_500 });
    await deliverCallback({ ...target(), xml: add });
    await deliverCallback({ ...target(), xml: del });
    await h.processor.drain();
    const contact = await t.db.models.Contact.findOne({ corpId: SIM_CORP_ID, identityKeys: `wecom:${customer.external_userid}` }).lean();
    const follow = await t.db.models.Follow.findOne({ corpId: SIM_CORP_ID, contactId: String(contact!._id) }).lean();
    expect(follow!.deletedBy).to.equal('customer');
    expect(contact!.lifecycle).to.equal('lost');
    expect(contact!.consent!.reachable).to.equal(false);
  });

  it('makes a customer who deleted the staff member and added them again a reachable friend again', async () => {
    const customer = h.sim.control.addCustomer({ name: '回头客', follow_user: [{ userid: 'b1' }] });
    const event = (changeType: 'add_external_contact' | 'del_follow_user', createTime: number) => externalContactEvent({ corpId: SIM_CORP_ID, changeType, userId: 'b1', externalUserId: customer.external_userid, createTime });
    await deliverCallback({ ...target(), xml: event('add_external_contact', 1_795_000_410) });
    await deliverCallback({ ...target(), xml: event('del_follow_user', 1_795_000_420) });
    await h.processor.drain();
    const gone = await t.db.models.Contact.findOne({ corpId: SIM_CORP_ID, identityKeys: `wecom:${customer.external_userid}` }).lean();
    expect([gone!.lifecycle, gone!.consent!.reachable]).to.deep.equal(['lost', false]);
    await deliverCallback({ ...target(), xml: event('add_external_contact', 1_795_000_430) });
    await h.processor.drain();
    const back = await t.db.models.Contact.findById(gone!._id).lean();
    expect([back!.consent!.reachable, back!.staffIds]).to.deep.equal([true, [h.org.staff.b1]]);
  });

  it('builds a customer group and its membership history from change_external_chat', async () => {
    const friend = h.sim.control.addCustomer({ name: '群友甲', unionid: 'union-group-1', follow_user: [{ userid: 'a1' }] });
    const chat = h.sim.control.addGroupChat({ name: '鲜奶福利群', owner: 'a1', members: [{ userid: 'a1', type: 1 }, { userid: friend.external_userid, type: 2, unionid: 'union-group-1' }, { userid: 'wm-stranger', type: 2 }] });
    await deliverCallback({ ...target(), xml: externalChatEvent({ corpId: SIM_CORP_ID, chatId: chat.chat_id, changeType: 'create', createTime: 1_795_000_600 }) });
    await h.processor.drain();
    let group = await t.db.models.CustomerGroup.findOne({ corpId: SIM_CORP_ID, chatId: chat.chat_id }).lean();
    expect(group!.name).to.equal('鲜奶福利群');
    expect(group!.storeId).to.equal(h.org.stores.a);
    expect(group!.members.filter((m) => m.memberType === 'external')).to.have.length(2);

    chat.member_list = chat.member_list.filter((m) => m.userid !== 'wm-stranger');
    await deliverCallback({ ...target(), xml: externalChatEvent({ corpId: SIM_CORP_ID, chatId: chat.chat_id, changeType: 'update', updateDetail: 'del_member', quitScene: 0, memChangeList: ['wm-stranger'], curMemVer: 'v2', createTime: 1_795_000_700 }) });
    await h.processor.drain();
    group = await t.db.models.CustomerGroup.findOne({ corpId: SIM_CORP_ID, chatId: chat.chat_id }).lean();
    const stranger = group!.members.find((m) => m.userId === 'wm-stranger');
    expect(stranger!.quitTime, 'the member who left keeps a row with a quit time').to.be.instanceOf(Date);
    const joined = group!.members.find((m) => m.userId === friend.external_userid);
    const contact = await t.db.models.Contact.findOne({ corpId: SIM_CORP_ID, identityKeys: 'unionid:union-group-1' }).lean();
    expect(joined!.contactId).to.equal(String(contact!._id));
  });

  it('mirrors corp tags on change_external_tag', async () => {
    const group = h.sim.control.addTagGroup('会员等级', ['银卡', '金卡']);
    await deliverCallback({ ...target(), xml: externalTagEvent({ corpId: SIM_CORP_ID, id: group.group_id, tagType: 'tag_group', changeType: 'create', createTime: 1_795_000_800 }) });
    await h.processor.drain();
    const tags = await h.services.tags.list(SIM_CORP_ID);
    const mirrored = tags.find((g) => g.groupId === group.group_id);
    expect(mirrored!.tags.map((x) => x.name)).to.have.members(['银卡', '金卡']);
  });
});
