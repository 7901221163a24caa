import { expect } from 'chai';
import { DEMO_KF_QUESTIONS } from '../../server/demo/index.ts';
import { seedDemo } from '../../server/demo/seed-demo.ts';
import { DEMO_ANSWER_TEST } from '../../server/kf/demo-knowledge.seed.ts';
import { DEMO_KNOWLEDGE } from '../../server/kf/fixtures/demo-knowledge.ts';
import { useTestDatabase } from '../support/database.ts';
import { testServices } from '../support/test-app.ts';

describe('demo seed: the knowledge base', () => {
  const t = useTestDatabase('kf_demo_seed');
  let services: ReturnType<typeof testServices>;
  let corpId = '';

  before(async () => {
    services = testServices(t.db);
    corpId = (await seedDemo(services, { contacts: 20 }))!.corpId;
  });

  it('seeds the demo brand’s entries and vocabulary, so the demo kf account answers its customers', async () => {
    const page = await services.kf.listEntries(corpId, { page: 1, pageSize: 1 });
    expect(page.total).to.equal(DEMO_KNOWLEDGE.length);
    expect((await services.kf.getSettings(corpId)).synonyms).to.not.be.empty;
    const asked = await services.kf.match(corpId, '静安寺店几点关门呀');
    expect(asked.decision).to.equal('answer');
    expect(asked.candidates[0]?.question).to.equal('门店营业时间是几点到几点？');
    expect((await services.kf.match(corpId, '你们招不招兼职')).decision).to.equal('handover');
  });

  it('runs an answer A/B test on an entry the demo’s kf customers ask often, so /experiments lists it', async () => {
    const source = DEMO_KNOWLEDGE.find((e) => e.key === DEMO_ANSWER_TEST.key)!;
    const { items } = await services.kf.listEntries(corpId, { page: 1, pageSize: 200 });
    const tested = items.filter((e) => e.variants.length >= 2);
    expect(tested.map((e) => e.question), 'one tested entry').to.deep.equal([source.question]);
    expect(tested[0]!.variants).to.deep.equal([{ key: 'A', answer: source.answer }, { key: 'B', answer: DEMO_ANSWER_TEST.otherAnswer }]);
    const experiment = await services.experiments.get(corpId, `kf-knowledge-${tested[0]!.id}`);
    expect(experiment).to.include({ name: `知识库：${source.question}`, status: 'running' });
    expect(experiment.arms.map((a) => a.id)).to.deep.equal(['A', 'B']);

    // The simulated customers ask it in several wordings, each answered (so each asker is exposed to an arm).
    const answeredByIt: string[] = [];
    for (const q of DEMO_KF_QUESTIONS.known) {
      const r = await services.kf.match(corpId, q);
      if (r.decision === 'answer' && r.candidates[0]?.entryId === tested[0]!.id) answeredByIt.push(q);
    }
    expect(answeredByIt.length, `asked as: ${answeredByIt.join(' / ')}`).to.be.at.least(3);
    const others = new Map<string, number>();
    for (const q of DEMO_KF_QUESTIONS.known) {
      const r = await services.kf.match(corpId, q);
      const id = r.decision === 'answer' ? r.candidates[0]!.entryId : null;
      if (id && id !== tested[0]!.id) others.set(id, (others.get(id) ?? 0) + 1);
    }
    expect(Math.max(0, ...others.values()), 'no other entry is asked more often').to.be.at.most(answeredByIt.length);
  });
});
