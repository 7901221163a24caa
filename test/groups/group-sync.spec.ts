import { expect } from 'chai';
import { createGroupsModule } from '../../server/groups/index.ts';
import { useTestDatabase } from '../support/database.ts';

describe('customer groups: member lists synced side by side', () => {
  const t = useTestDatabase('group_sync');
  const corpId = 'wwgroupsync';
  const joinTime = new Date('2026-12-01T02:00:00Z');
  const member = (userId: string, memberType: 'staff' | 'external' = 'external') => ({ memberType, userId, joinTime });

  it('keeps each group\'s history when many are synced at once: a quit keeps its row, a newcomer joins, the creation time stays', async () => {
    const groups = createGroupsModule({ models: t.db.models });
    const chatIds = Array.from({ length: 20 }, (_, i) => `wrsync${i}`);
    const sync = (chatId: string, members: ReturnType<typeof member>[], at: Date) =>
      groups.syncMembers(corpId, { chatId, name: `群${chatId}`, ownerUserId: 's1', storeId: null, notice: '', members }, at);

    await Promise.all(chatIds.map((chatId) => sync(chatId, [member('s1', 'staff'), member(`wm${chatId}a`), member(`wm${chatId}b`)], joinTime)));
    const first = await t.db.models.CustomerGroup.find({ corpId }).sort({ chatId: 1 }).lean();
    expect(first).to.have.length(20);
    const createdAt = new Map(first.map((g) => [g.chatId, g.createdAt!.getTime()]));

    const quitAt = new Date('2026-12-02T02:00:00Z');
    await Promise.all(chatIds.map((chatId) => sync(chatId, [member('s1', 'staff'), member(`wm${chatId}b`), member(`wm${chatId}c`)], quitAt)));
    for (const chatId of chatIds) {
      const g = (await t.db.models.CustomerGroup.findOne({ corpId, chatId }).lean())!;
      const byUser = new Map(g.members.map((m) => [m.userId, m]));
      expect(g.members, chatId).to.have.length(4);
      expect(byUser.get(`wm${chatId}a`)!.quitTime?.getTime(), 'a quit keeps its row, with the quit time').to.equal(quitAt.getTime());
      expect(byUser.get(`wm${chatId}b`)!.quitTime, 'still there').to.equal(null);
      expect(byUser.get(`wm${chatId}c`)).to.include({ memberType: 'external', contactId: null, joinScene: 0, quitTime: null });
      expect(g.createdAt!.getTime(), 'created once').to.equal(createdAt.get(chatId));
      expect(g.updatedAt!.getTime()).to.be.at.least(g.createdAt!.getTime());
      expect(g).to.include({ name: `群${chatId}`, dismissedAt: null, notice: '' });
    }
  });
});
