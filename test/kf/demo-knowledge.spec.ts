import { expect } from 'chai';
import { seedDemo } from '../../server/demo/seed-demo.ts';
import { DEMO_KNOWLEDGE } from '../../server/kf/fixtures/demo-knowledge.ts';
import { useTestDatabase } from '../support/database.ts';
import { testServices } from '../support/test-app.ts';

describe('demo seed: the knowledge base', () => {
  const t = useTestDatabase('kf_demo_seed');

  it('seeds the demo brand’s entries and vocabulary, so the demo kf account answers its customers', async () => {
    const services = testServices(t.db);
    const summary = await seedDemo(services, { contacts: 20 });
    const corpId = summary!.corpId;
    const page = await services.kf.listEntries(corpId, { page: 1, pageSize: 1 });
    expect(page.total).to.equal(DEMO_KNOWLEDGE.length);
    expect((await services.kf.getSettings(corpId)).synonyms).to.not.be.empty;
    const asked = await services.kf.match(corpId, '静安寺店几点关门呀');
    expect(asked.decision).to.equal('answer');
    expect(asked.candidates[0]?.question).to.equal('门店营业时间是几点到几点？');
    expect((await services.kf.match(corpId, '你们招不招兼职')).decision).to.equal('handover');
  });
});
