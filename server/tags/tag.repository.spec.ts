import { expect } from 'chai';
import { useTestDatabase } from '../../test/support/database.ts';
import { fixedClock } from '../shared/clock.ts';
import { TagRepository } from './tag.repository.ts';

describe('TagRepository.mirror', () => {
  const t = useTestDatabase('tag_repository');
  const CORP = 'wwtagmirror';

  it('marks groups and tags WeCom no longer lists deleted at the clock’s time, keeping local ones', async () => {
    const clock = fixedClock('2026-11-22T02:00:00Z');
    const tags = new TagRepository(t.db.models, clock);
    await tags.mirror(CORP, [
      { groupId: 'etG1', name: '会员', order: 1, tags: [{ tagId: 'etT1', name: '金卡', order: 1 }, { tagId: 'etT2', name: '银卡', order: 2 }] },
      { groupId: 'etG2', name: '渠道', order: 2, tags: [{ tagId: 'etT3', name: '门店', order: 1 }] },
    ]);
    const local = await tags.createGroup(CORP, { name: '本地', tags: [{ name: '待推送' }] });
    clock.set('2026-11-23T09:30:00Z');
    await tags.mirror(CORP, [{ groupId: 'etG1', name: '会员', order: 1, tags: [{ tagId: 'etT1', name: '金卡', order: 1 }] }]);

    const deletedAt = async (tagId: string) => (await t.db.models.Tag.findOne({ corpId: CORP, tagId }).lean())?.deletedAt?.toISOString() ?? null;
    expect(await deletedAt('etT2')).to.equal('2026-11-23T09:30:00.000Z');
    expect(await deletedAt('etT3')).to.equal('2026-11-23T09:30:00.000Z');
    expect(await deletedAt('etT1')).to.equal(null);
    expect((await t.db.models.TagGroup.findOne({ corpId: CORP, groupId: 'etG2' }).lean())?.deletedAt?.toISOString()).to.equal('2026-11-23T09:30:00.000Z');
    expect((await tags.list(CORP)).map((g) => g.groupId).sort()).to.deep.equal(['etG1', local.groupId].sort());
  });
});
