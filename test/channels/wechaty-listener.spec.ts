import { expect } from 'chai';
import pino from 'pino';
import { WechatyBuilder } from 'wechaty';
import { mock } from 'wechaty-puppet-mock';
import { createAdapter } from '../../adapters/registry.ts';
import { PuppetMockWithFriendship } from '../../adapters/wechaty/test-support/puppet-mock-with-friendship.ts';
import { WechatyAdapter } from '../../adapters/wechaty/wechaty.adapter.ts';
import type { ChannelAccount } from '../../server/channels/channel-account.repository.ts';
import type { InboundProcessor, PushListeners } from '../../server/channels/index.ts';
import { useTestDatabase } from '../support/database.ts';
import { seedTestOrg, testServices } from '../support/test-app.ts';

describe('wechaty channel', () => {
  // The database outlives the inner suite's after hook, which still writes (the lease release).
  const t = useTestDatabase('wechaty');
  describe('bot → inbox → customer groups and contacts', () => suite(t));
});

function suite(t: ReturnType<typeof useTestDatabase>) {
  const mocker = new mock.Mocker();
  const puppet = new PuppetMockWithFriendship({ mocker });
  let services: ReturnType<typeof testServices>;
  let listeners: PushListeners;
  let processor: InboundProcessor;
  let accountId: string;

  const waitFor = async (check: () => Promise<boolean>, what: string) => {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      await processor.drain();
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect.fail(`timed out waiting for ${what}`);
  };

  before(async () => {
    let cached: WechatyAdapter | undefined;
    // The bot is built on the mock puppet; everything else is the production wiring.
    services = testServices(t.db, {
      realClock: true,
      adapterFactory: (account: ChannelAccount) =>
        account.kind === 'wechaty' ? (cached ??= new WechatyAdapter({ corpId: account.corpId, config: account.config, bot: WechatyBuilder.build({ puppet }) })) : createAdapter(account),
    });
    const org = await seedTestOrg(services, 'wwwechaty');
    const account = await services.channelAccounts.create({ corpId: org.corpId, kind: 'wechaty', name: '门店机器人', config: { botId: 'bot-sh-01', puppet: 'wechaty-puppet-service', puppetToken: 'puppet_workpro_test' } });
    accountId = account.id;
    processor = services.channels.processor(pino({ level: 'silent' }));
    listeners = services.channels.pushListeners(pino({ level: 'silent' }), 'test-process-1');
    await listeners.start();
    const self = mocker.createContact({ name: 'Siyu Bot' });
    mocker.login(self);
  });

  after(async () => {
    await listeners.stop();
  });

  it('holds the listener lease so a second process does not start the same bot', async () => {
    const row = await t.db.models.ChannelAccount.findById(accountId).lean();
    expect(row!.listenerLease!.owner).to.equal('test-process-1');
    const taken = await services.channelAccounts.acquireListenerLease(accountId, 'other-process', new Date(Date.now() + 60_000), new Date());
    expect(taken).to.equal(false);
  });

  it('turns room joins, leaves and messages into group memberships and contacts', async () => {
    const [alice, bob] = [mocker.createContact({ name: 'Alice' }), mocker.createContact({ name: 'Bob' })];
    const room = mocker.createRoom({ topic: '静安店 VIP 群', memberIdList: [mocker.createContact({ name: 'x' }).id, alice.id] });
    room.add(bob).by(alice);
    await waitFor(async () => (await t.db.models.CustomerGroup.countDocuments({ chatId: room.id, 'members.userId': bob.id })) > 0, 'room join');
    alice.say('今天有新品吗').to(room);
    await waitFor(async () => (await t.db.models.Event.countDocuments({ type: 'room_message', 'payload.text': '今天有新品吗' })) === 1, 'room message');
    room.remove(bob).by(alice);
    await waitFor(async () => {
      const g = await t.db.models.CustomerGroup.findOne({ chatId: room.id }).lean();
      return !!g?.members.find((m) => m.userId === bob.id && m.quitTime);
    }, 'room leave');
    const bobContact = await t.db.models.Contact.findOne({ identityKeys: `wechaty:${bob.id}` }).lean();
    const group = await t.db.models.CustomerGroup.findOne({ chatId: room.id }).lean();
    expect(group!.members.find((m) => m.userId === bob.id)!.contactId).to.equal(String(bobContact!._id));
    const aliceContact = await t.db.models.Contact.findOne({ identityKeys: `wechaty:${alice.id}` }).lean();
    expect(aliceContact!.lastInteractionAt).to.be.instanceOf(Date);
  });

  it('records friend requests and confirmations against the contact', async () => {
    const carol = mocker.createContact({ name: 'Carol' });
    puppet.receiveFriendRequest(carol.id, '我是静安店的老客户');
    puppet.confirmFriendship(carol.id);
    await waitFor(async () => (await t.db.models.Event.countDocuments({ type: { $in: ['friendship_requested', 'friendship_confirmed'] }, 'payload.contactId': carol.id })) === 2, 'friendship events');
    const contact = await t.db.models.Contact.findOne({ identityKeys: `wechaty:${carol.id}` }).lean();
    const events = await t.db.models.Event.find({ contactId: String(contact!._id) }).lean();
    expect(events.map((e) => e.type).sort()).to.deep.equal(['friendship_confirmed', 'friendship_requested']);
  });
}
