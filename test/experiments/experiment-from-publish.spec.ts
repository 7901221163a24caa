/**
 * Issue #16 (seams): SOP and campaign experiments exist from publish, named for people. Publishing an SOP
 * with an A/B send step lists its experiment on /api/experiments at once (no sync call), named
 * 「<SOP 名称> · <步骤>」 with the variants' labels; publishing again keeps one row; a campaign's greeting
 * experiment carries the campaign's name and greeting labels, not `text:A`.
 */
import { expect } from 'chai';
import { useTestDatabase } from '../support/database.ts';
import { http, seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';

const SOP = {
  id: 'ab-publish',
  name: '新客欢迎',
  trigger: { type: 'event', event: 'friend_added' },
  steps: [
    {
      id: 'intro',
      title: '首日介绍',
      type: 'send',
      channel: 'wecom_1to1',
      variants: [
        { id: 'story', label: '品牌故事版', template: 'tpl-intro-story', weight: 50 },
        { id: 'coupon', label: '优惠券版', template: 'tpl-intro-coupon', weight: 50 },
      ],
    },
  ],
};

describe('experiments exist from publish, named by their SOP step or campaign', function () {
  this.timeout(60_000);
  const t = useTestDatabase('experiment_from_publish');
  let services: ReturnType<typeof testServices>;
  let org: TestOrg;
  let api: ReturnType<typeof http>;

  before(async () => {
    services = testServices(t.db, { now: '2026-12-01T02:00:00Z' });
    org = await seedTestOrg(services);
    // Publishing refuses templates without a published version.
    const templates = SOP.steps[0]!.variants.map((v) => ({ templateId: v.template, name: v.label, scene: '测试', tags: [], channels: ['wecom_1to1' as const], text: v.label, attachments: [] }));
    await services.content.importPublished({ corpId: org.corpId, storeIds: null }, templates, 'test');
    api = http(services);
  });

  it('publishing an SOP with variants lists its experiment at once, named from the SOP step and the variant labels', async () => {
    await api.post('/api/sops', { definition: SOP }, org.tokens.marketer).expect(201);
    const list = await api.get(`/api/experiments?corpId=${org.corpId}`, org.tokens.marketer).expect(200);
    expect(list.body.items).to.have.length(1);
    const e = list.body.items[0];
    expect(e).to.include({ experimentId: 'ab-publish/intro', name: '新客欢迎 · 首日介绍', status: 'running' });
    expect(e.source).to.deep.equal({ sopId: 'ab-publish', stepId: 'intro', campaignId: null });
    expect(e.arms.map((a: { label: string }) => a.label)).to.deep.equal(['品牌故事版', '优惠券版']);
  });

  it('publishing again and enabling keep one experiment and follow a renamed step', async () => {
    const renamed = { ...SOP, steps: [{ ...SOP.steps[0]!, title: '首日品牌介绍' }] };
    await api.post('/api/sops', { definition: renamed }, org.tokens.marketer).expect(201);
    await api.post('/api/sops/ab-publish/enable', {}, org.tokens.marketer).expect(200);
    const rows = await t.db.models.Experiment.find({ corpId: org.corpId }).lean();
    expect(rows).to.have.length(1);
    expect(rows[0]!.name).to.equal('新客欢迎 · 首日品牌介绍');
  });

  it('a campaign greeting experiment is named by the campaign, its arms by the greetings', async () => {
    const scope = { corpId: org.corpId, storeIds: null };
    const created = await services.campaigns.campaigns.create(scope, {
      name: '双十二老客加粉',
      greetings: [
        { id: 'A', text: '您好，我是上海一店的导购，给您发会员福利～' },
        { id: 'B', text: '您好，会员专属福利' },
      ],
    });
    const campaign = await services.campaigns.withGreetingExperiment(scope, created);
    const e = await services.experiments.get(org.corpId, campaign.experimentId!);
    expect(e.name).to.equal('双十二老客加粉 · 好友申请问候语');
    expect(e.arms.map((a) => a.label)).to.deep.equal(['A「您好，我是上海一店的导购，给…」', 'B「您好，会员专属福利」']);
    expect(e.arms.map((a) => a.label).join(' ')).not.to.include('text:');
  });
});
