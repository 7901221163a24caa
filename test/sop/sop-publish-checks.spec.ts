/**
 * Issue #16 items 6 and 7: publishing refuses what does not exist, by name and in zh-CN (a template without a
 * published version, an audience tag the corp does not have), unless `create_tags: true` asks for the tags;
 * and the dry run and the enable count the same audience, explaining matched versus enrolled.
 */
import { expect } from 'chai';
import { useTestDatabase } from '../support/database.ts';
import { http, seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';

const CJK = /[\u4e00-\u9fff]/;
const audienceSop = (id: string, overrides: Record<string, unknown> = {}) => ({
  id,
  name: `金卡关怀 ${id}`,
  trigger: { type: 'audience', tags: { all: ['金卡'] } },
  steps: [{ id: 'hello', type: 'send', channel: 'wecom_1to1', template: 'tpl-gold-welcome' }],
  ...overrides,
});

describe('SOP publish checks and audience counts', function () {
  this.timeout(60_000);
  const t = useTestDatabase('sop_publish_checks');
  let services: ReturnType<typeof testServices>;
  let org: TestOrg;
  let api: ReturnType<typeof http>;
  const q = () => `?corpId=${org.corpId}`;
  const tagNames = async () => (await services.tags.list(org.corpId)).flatMap((g) => g.tags.map((x) => x.name));

  before(async () => {
    services = testServices(t.db, { now: '2026-12-01T02:00:00Z' });
    org = await seedTestOrg(services);
    const scope = { corpId: org.corpId, storeIds: null };
    await services.content.importPublished(scope, [{ templateId: 'tpl-gold-welcome', name: '金卡欢迎', scene: '测试', tags: [], channels: ['wecom_1to1'], text: '金卡会员您好', attachments: [] }], 'test');
    const group = await services.tags.createGroup(org.corpId, { name: '会员等级' });
    const gold = (await services.tags.addTag(org.corpId, group.groupId, { name: '金卡' })).tagId;
    // Four gold members: one per store, one of two stores (counted in both per-store rows), one opted out, one without staff.
    const people: Array<{ name: string; staff: string[]; optedOut?: boolean }> = [
      { name: 'one-store', staff: [org.staff.a2] },
      { name: 'two-stores', staff: [org.staff.a2, org.staff.b1] },
      { name: 'opted-out', staff: [org.staff.a2], optedOut: true },
      { name: 'no-staff', staff: [] },
    ];
    for (const p of people) {
      const { contact } = await services.identities.upsert(org.corpId, { identities: [{ kind: 'wecom', externalUserId: `wm-gold-${p.name}` }], profile: { name: p.name, lifecycle: 'friend', homeStoreId: org.stores.a } });
      for (const staffId of p.staff) await services.follows.upsert(org.corpId, { contactId: contact.id, staff: await services.org.getStaff(scope, staffId), addedAt: new Date('2026-11-01T00:00:00Z') });
      await t.db.models.Contact.updateOne({ _id: contact.id }, { $set: { tagIds: [gold], ...(p.optedOut ? { 'consent.optedOut': true } : {}) } });
    }
    api = http(services);
  });

  it('refuses a missing template and an unknown audience tag by name, in zh-CN, writing nothing', async () => {
    const bad = audienceSop('gold-typo', { trigger: { type: 'audience', tags: { all: ['不存在的标签'] } }, steps: [{ id: 'hello', type: 'send', channel: 'wecom_1to1', template: 'tpl-does-not-exist' }] });
    const res = await api.post(`/api/sops${q()}`, { definition: bad }, org.tokens.marketer).expect(400);
    expect(res.body.error.message).to.match(CJK).and.include('模板「tpl-does-not-exist」').and.include('标签「不存在的标签」');
    expect(res.body.error.details).to.have.length(2);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['steps[0].template', 'trigger.tags.all[0]']);
    for (const d of res.body.error.details) expect(d.message).to.match(CJK);
    expect(await t.db.models.Sop.countDocuments({ corpId: org.corpId, sopId: 'gold-typo' })).to.equal(0);
    expect(await tagNames(), 'the typo is not created as a tag').not.to.include('不存在的标签');
  });

  it('create_tags: true creates the missing audience tags and lists them', async () => {
    const res = await api.post(`/api/sops${q()}`, { definition: audienceSop('gold-new-tag', { create_tags: true, trigger: { type: 'audience', tags: { any: ['金卡', '黑金卡'] } } }) }, org.tokens.marketer).expect(201);
    expect(res.body.createdTags).to.deep.equal(['黑金卡']);
    expect(await tagNames()).to.include('黑金卡');
    const again = await api.post(`/api/sops${q()}`, { definition: audienceSop('gold-new-tag', { create_tags: true, trigger: { type: 'audience', tags: { any: ['金卡', '黑金卡'] } } }) }, org.tokens.marketer).expect(201);
    expect(again.body.createdTags).to.deep.equal([]);
  });

  it('enabling refuses a draft whose template has no published version', async () => {
    await services.sops.publish(org.corpId, audienceSop('gold-file', { steps: [{ id: 'hello', type: 'send', channel: 'wecom_1to1', template: 'tpl-not-yet' }] }), 'file');
    const res = await api.post(`/api/sops/gold-file/enable${q()}`, {}, org.tokens.marketer).expect(400);
    expect(res.body.error.message).to.include('模板「tpl-not-yet」');
    expect((await services.sops.get(org.corpId, 'gold-file')).status).to.equal('draft');
  });

  it('the dry run counts what enabling enrolls, and both explain the difference in zh-CN and English', async () => {
    await api.post(`/api/sops${q()}`, { definition: audienceSop('gold-care') }, org.tokens.marketer).expect(201);
    const dry = await api.get(`/api/sops/gold-care/dry-run${q()}`, org.tokens.marketer).expect(200);
    expect(dry.body.audience).to.deep.include({ matched: 4, enrolled: 3, skipped: { opted_out: 1 }, noStaff: 1 });
    expect(dry.body.perStore.reduce((s: number, x: { contacts: number }) => s + x.contacts, 0), 'per-store rows overlap').to.not.equal(dry.body.audience.matched);
    expect(await t.db.models.Enrollment.countDocuments({ corpId: org.corpId, sopId: 'gold-care' }), 'a dry run writes nothing').to.equal(0);

    const enabled = await api.post(`/api/sops/gold-care/enable${q()}`, {}, org.tokens.marketer).expect(200);
    expect(enabled.body.audience).to.deep.include({ matched: 4, enrolled: 3, skipped: { opted_out: 1 }, noStaff: 1 });
    expect(enabled.body.audience.explanation.zh).to.equal('匹配 4 人，已加入 3 人；未加入 1 人：已退订 1；其中 1 人没有负责员工，1:1 触达无法发送。');
    expect(enabled.body.audience.explanation.en).to.include('opted out 1').and.include('without a staff member');
    expect(await t.db.models.Enrollment.countDocuments({ corpId: org.corpId, sopId: 'gold-care' })).to.equal(3);

    const after = await api.get(`/api/sops/gold-care/dry-run${q()}`, org.tokens.marketer).expect(200);
    expect(after.body.audience).to.deep.include({ matched: 4, enrolled: 0, skipped: { opted_out: 1, reentry_never: 3 } });
    expect(after.body.audience.explanation.zh).to.include('按再次进入规则抑制（不允许再次进入） 3');
  });
});
