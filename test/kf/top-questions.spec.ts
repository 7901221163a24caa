import { expect } from 'chai';
import { KnowledgeRepository } from '../../server/kf/knowledge.repository.ts';
import { useTestDatabase } from '../support/database.ts';
import { seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';

const DAY = 86_400_000;

describe('kf greeting menu: the most asked entries of the last 30 days (topQuestions)', () => {
  const t = useTestDatabase('kf_top_questions');
  let services: ReturnType<typeof testServices>;
  let org: TestOrg;
  let repo: KnowledgeRepository;
  const ids: Record<string, string> = {};
  const questions = async (limit = 3) => (await services.kf.topQuestions(org.corpId, limit)).map((e) => e.question);
  /** What the bot does once per answer (a matched question or a clicked menu item), at the clock's time. */
  const asked = async (corpId: string, key: string, times: number) => {
    for (let i = 0; i < times; i++) await repo.countAsked(corpId, ids[key]!, services.clock.now());
  };

  before(async () => {
    services = testServices(t.db, { now: '2026-11-22T02:00:00Z' });
    org = await seedTestOrg(services);
    repo = new KnowledgeRepository(t.db.models, services.clock);
    for (const [key, question] of [['milk', '鲜奶保质期多久？'], ['hours', '门店几点开门？'], ['invoice', '怎么开发票？'], ['points', '会员积分怎么用？']] as const) {
      ids[key] = (await services.kf.createEntry(org.corpId, { question, answer: { text: `${question} 的答案` } }, 'test')).id;
    }
  });

  it('falls back to the newest entries while nothing was asked', async () => {
    expect(await questions()).to.deep.equal(['会员积分怎么用？', '怎么开发票？', '门店几点开门？']);
  });

  it('ranks by answers in the last 30 days, fills up with the newest, and ignores older asks, other corps and disabled entries', async () => {
    services.clock.set('2026-10-10T08:00:00Z');
    await asked(org.corpId, 'milk', 9); // 43 days ago: outside the window
    services.clock.set('2026-11-20T08:00:00Z');
    await asked(org.corpId, 'hours', 3);
    await asked(org.corpId, 'invoice', 1);
    await asked('wwothercorp', 'invoice', 50);
    services.clock.set('2026-11-22T02:00:00Z');
    await asked(org.corpId, 'invoice', 3);
    expect(await questions(), 'invoice 4, hours 3, then the newest not listed').to.deep.equal(['怎么开发票？', '门店几点开门？', '会员积分怎么用？']);
    expect(await questions(1)).to.deep.equal(['怎么开发票？']);

    await services.kf.setEnabled(org.corpId, [ids.invoice!], false);
    expect(await questions(2)).to.deep.equal(['门店几点开门？', '会员积分怎么用？']);
    await services.kf.setEnabled(org.corpId, [ids.invoice!], true);

    // Thirty days on, the asks of 11-20 have aged out and the old milk asks are long gone.
    services.clock.advance(29 * DAY);
    expect(await questions(2)).to.deep.equal(['怎么开发票？', '会员积分怎么用？']);
    services.clock.advance(2 * DAY);
    expect(await questions(2), 'nothing asked in the window: newest again').to.deep.equal(['会员积分怎么用？', '怎么开发票？']);
  });
});
