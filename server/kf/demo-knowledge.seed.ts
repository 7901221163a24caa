/** The demo corp's knowledge base and kf settings (server/demo/ seeds them with the rest of the demo). */
import { DEMO_KF_VOCABULARY, DEMO_KNOWLEDGE } from './fixtures/demo-knowledge.ts';
import { DEFAULT_KF_SETTINGS } from './kf-settings.repository.ts';
import type { KfModule } from './kf.module.ts';

/**
 * The demo's answer A/B test: the delivery-time entry, among the questions the demo's kf customers ask most
 * (server/demo/demo-data.ts), answers in two wordings, so /experiments lists 「知识库：每天几点送奶？」 and its
 * exposures grow while the demo runs. Arm A is the entry's own answer.
 */
export const DEMO_ANSWER_TEST = {
  key: 'delivery-time',
  /** Arm B: the same facts, said warmer and in fewer symbols. */
  otherAnswer: '早上 7 点前鲜奶就在您家奶箱里啦～今天 14 点前下单的，晚上 6 点到 9 点送到。',
} as const;

export async function seedDemoKnowledge(kf: KfModule, corpId: string): Promise<{ entries: number }> {
  await kf.putSettings(corpId, {
    ...DEFAULT_KF_SETTINGS,
    handoverKeywords: [...DEFAULT_KF_SETTINGS.handoverKeywords],
    dictionary: [...DEMO_KF_VOCABULARY.dictionary],
    synonyms: DEMO_KF_VOCABULARY.synonyms.map((g) => [...g]),
  });
  for (const e of DEMO_KNOWLEDGE) {
    const variants = e.key === DEMO_ANSWER_TEST.key ? { variants: [{ key: 'A', answer: e.answer }, { key: 'B', answer: DEMO_ANSWER_TEST.otherAnswer }] } : {};
    await kf.createEntry(corpId, { question: e.question, similar: e.similar, answer: { text: e.answer }, category: e.category, ...variants }, 'demo-seed');
  }
  return { entries: DEMO_KNOWLEDGE.length };
}
