import { expect } from 'chai';
import { useTestDatabase } from '../support/database.ts';
import { http, seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';

describe('tag routes (tagRoutes)', () => {
  const t = useTestDatabase('tag_routes');
  let org: TestOrg;
  let api: ReturnType<typeof http>;
  let s: ReturnType<typeof testServices>;

  before(async () => {
    s = testServices(t.db, { now: '2026-11-22T02:00:00Z' });
    org = await seedTestOrg(s);
    api = http(s);
  });

  it('soft-deletes tags and groups at the injected clock’s time', async () => {
    const group = await api.post('/api/tag-groups', { name: '季节', tags: [{ name: '春' }, { name: '夏' }] }, org.tokens.marketer).expect(201);
    const [spring, summer] = group.body.tags as Array<{ tagId: string }>;
    s.clock.set('2026-11-23T08:15:00Z');
    await api.delete(`/api/tags/${spring!.tagId}`, org.tokens.hq).expect(204);
    s.clock.set('2026-11-24T09:30:00Z');
    await api.delete(`/api/tag-groups/${group.body.groupId}`, org.tokens.hq).expect(204);

    const deletedAt = async (tagId: string) => (await t.db.models.Tag.findOne({ corpId: org.corpId, tagId }).lean())?.deletedAt?.toISOString();
    expect(await deletedAt(spring!.tagId)).to.equal('2026-11-23T08:15:00.000Z');
    expect(await deletedAt(summer!.tagId)).to.equal('2026-11-24T09:30:00.000Z');
    expect((await t.db.models.TagGroup.findOne({ corpId: org.corpId, groupId: group.body.groupId }).lean())?.deletedAt?.toISOString()).to.equal('2026-11-24T09:30:00.000Z');
  });

  it('acts on the caller’s corp only: another corp’s token neither sees nor deletes the tags', async () => {
    const group = await api.post('/api/tag-groups', { name: '渠道', tags: [{ name: '门店' }] }, org.tokens.hq).expect(201);
    const other = await api.get('/api/tags', org.tokens.otherCorp).expect(200);
    expect(other.body.items.map((g: { groupId: string }) => g.groupId)).to.not.include(group.body.groupId);
    await api.delete(`/api/tag-groups/${group.body.groupId}`, org.tokens.otherCorp).expect(404);
    await api.delete(`/api/tag-groups/${group.body.groupId}?corpId=${org.corpId}`, org.tokens.otherCorp).expect(404);
    const mine = await api.get('/api/tags', org.tokens.staffA).expect(200);
    expect(mine.body.items.map((g: { groupId: string }) => g.groupId)).to.include(group.body.groupId);
  });
});
