/**
 * The tag library mirrored with WeCom (against the simulator): creating, renaming and deleting a WeCom tag or
 * group goes to WeCom first and then here; a WeCom refusal answers 502 in zh-CN and leaves the local library as
 * it was; local (siyu_) tags never reach WeCom. The merge dry run counts without changing anything.
 */
import { expect } from 'chai';
import { startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { useTestDatabase } from '../support/database.ts';
import { seedSidebarCustomer, type SidebarSeed } from '../support/sidebar-seed.ts';
import { http } from '../support/test-app.ts';

describe('tag library mirrored with WeCom', () => {
  const t = useTestDatabase('tag_wecom_mirror');
  let h: ChannelHarness;
  let seed: SidebarSeed;
  let api: ReturnType<typeof http>;
  let levelGroup: string;

  before(async () => {
    h = await startChannelHarness(t.db);
    seed = await seedSidebarCustomer(h);
    api = http(h.services);
    levelGroup = h.sim.state.findTag(seed.tags.vip)!.group.group_id;
  });
  after(async () => h?.stop());

  const tagRow = (tagId: string) => t.db.models.Tag.findOne({ corpId: h.org.corpId, tagId }).lean();
  const simTagNames = (groupId: string) => h.sim.state.tagGroups.find((g) => g.group_id === groupId)!.tag.filter((x) => !x.deleted).map((x) => x.name);

  it('creates a tag in a WeCom group at WeCom first and keeps WeCom’s id', async () => {
    const res = await api.post(`/api/tag-groups/${levelGroup}/tags`, { name: '黑卡' }, h.org.tokens.marketer);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.tagId).to.not.match(/^siyu_/);
    expect(h.sim.state.findTag(res.body.tagId)?.tag.name).to.equal('黑卡');
    expect((await tagRow(res.body.tagId))!.name).to.equal('黑卡');
  });

  it('answers WeCom’s refusal of a duplicate name in zh-CN and creates nothing here', async () => {
    const before = await t.db.models.Tag.countDocuments({ corpId: h.org.corpId, groupId: levelGroup });
    const res = await api.post(`/api/tag-groups/${levelGroup}/tags`, { name: 'VIP' }, h.org.tokens.marketer);
    expect(res.status, JSON.stringify(res.body)).to.equal(502);
    expect(res.body.error.details.errcode).to.equal(40071);
    expect(res.body.error.message).to.match(/^企业微信拒绝了新建标签/);
    expect(await t.db.models.Tag.countDocuments({ corpId: h.org.corpId, groupId: levelGroup })).to.equal(before);
  });

  it('renames a WeCom tag and group at WeCom, and keeps the local name when WeCom refuses', async () => {
    await api.patch(`/api/tags/${seed.tags.regular}`, { name: '银卡' }, h.org.tokens.marketer).expect(200);
    expect(h.sim.state.findTag(seed.tags.regular)!.tag.name).to.equal('银卡');
    expect((await tagRow(seed.tags.regular))!.name).to.equal('银卡');

    const refused = await api.patch(`/api/tags/${seed.tags.regular}`, { name: 'VIP' }, h.org.tokens.marketer);
    expect(refused.status, JSON.stringify(refused.body)).to.equal(502);
    expect(refused.body.error.details).to.include({ errcode: 40071 });
    expect(refused.body.error.message).to.match(/^企业微信拒绝了修改标签，本地数据未改动/);
    expect((await tagRow(seed.tags.regular))!.name).to.equal('银卡');
    expect(h.sim.state.findTag(seed.tags.regular)!.tag.name).to.equal('银卡');

    await api.patch(`/api/tag-groups/${levelGroup}`, { name: '会员等级' }, h.org.tokens.hq).expect(200);
    expect(h.sim.state.tagGroups.find((g) => g.group_id === levelGroup)!.group_name).to.equal('会员等级');
    expect((await t.db.models.TagGroup.findOne({ corpId: h.org.corpId, groupId: levelGroup }).lean())!.name).to.equal('会员等级');
  });

  it('keeps a local tag local: renaming and deleting it never calls WeCom', async () => {
    h.sim.control.clearRequests();
    await api.patch(`/api/tags/${seed.tags.local}`, { name: '手冲' }, h.org.tokens.marketer).expect(200);
    await api.post(`/api/tag-groups`, { name: '本地组', tags: [{ name: '试用' }] }, h.org.tokens.marketer).expect(201);
    expect(h.sim.control.requests('externalcontact/edit_corp_tag')).to.deep.equal([]);
    expect(h.sim.control.requests('externalcontact/add_corp_tag')).to.deep.equal([]);
  });

  it('creates a mirrored group with WeCom’s ids, and deletes it at WeCom first', async () => {
    const res = await api.post('/api/tag-groups', { name: '渠道来源', tags: [{ name: '门店' }, { name: '直播' }], mirror: true }, h.org.tokens.marketer);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.groupId).to.not.match(/^siyu_/);
    expect(simTagNames(res.body.groupId)).to.deep.equal(['门店', '直播']);
    expect(res.body.tags.map((x: { tagId: string }) => x.tagId)).to.deep.equal(h.sim.state.tagGroups.find((g) => g.group_id === res.body.groupId)!.tag.map((x) => x.id));

    h.sim.control.injectErrors('externalcontact/del_corp_tag', 40068);
    const refused = await api.delete(`/api/tag-groups/${res.body.groupId}`, h.org.tokens.marketer);
    expect(refused.status, JSON.stringify(refused.body)).to.equal(502);
    expect((await t.db.models.TagGroup.findOne({ corpId: h.org.corpId, groupId: res.body.groupId }).lean())!.deletedAt).to.equal(null);

    await api.delete(`/api/tag-groups/${res.body.groupId}`, h.org.tokens.marketer).expect(204);
    expect(h.sim.state.tagGroups.find((g) => g.group_id === res.body.groupId)!.deleted).to.equal(true);
    expect((await t.db.models.TagGroup.findOne({ corpId: h.org.corpId, groupId: res.body.groupId }).lean())!.deletedAt).to.not.equal(null);
  });

  it('deletes a WeCom tag at WeCom first; a refusal keeps it here', async () => {
    const created = await api.post(`/api/tag-groups/${levelGroup}/tags`, { name: '临时' }, h.org.tokens.marketer).expect(201);
    h.sim.control.injectErrors('externalcontact/del_corp_tag', 40068);
    const refused = await api.delete(`/api/tags/${created.body.tagId}`, h.org.tokens.marketer);
    expect(refused.status).to.equal(502);
    expect(refused.body.error.details.errcode).to.equal(40068);
    expect((await tagRow(created.body.tagId))!.deletedAt).to.equal(null);
    await api.delete(`/api/tags/${created.body.tagId}`, h.org.tokens.marketer).expect(204);
    expect(h.sim.state.findTag(created.body.tagId)).to.equal(undefined);
    expect((await tagRow(created.body.tagId))!.deletedAt).to.not.equal(null);
  });

  it('counts a merge without doing it when asked for a dry run', async () => {
    h.sim.control.clearRequests();
    const res = await api.post(`/api/tags/${seed.tags.vip}/merge`, { into: seed.tags.regular, dryRun: true }, h.org.tokens.marketer);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.deep.include({ dryRun: true, customers: 1, relations: 1, mirrored: true });
    expect(h.sim.control.requests('externalcontact/mark_tag')).to.deep.equal([]);
    expect((await t.db.models.Contact.findById(seed.contactId).lean())!.tagIds).to.deep.equal([seed.tags.vip]);
    expect((await tagRow(seed.tags.vip))!.deletedAt).to.equal(null);
  });
});
