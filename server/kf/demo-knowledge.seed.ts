/** The demo corp's knowledge base and kf settings (server/demo/ seeds them with the rest of the demo). */
import { DEMO_KF_VOCABULARY, DEMO_KNOWLEDGE } from './fixtures/demo-knowledge.ts';
import { DEFAULT_KF_SETTINGS } from './kf-settings.repository.ts';
import type { KfModule } from './kf.module.ts';

export async function seedDemoKnowledge(kf: KfModule, corpId: string): Promise<{ entries: number }> {
  await kf.putSettings(corpId, {
    ...DEFAULT_KF_SETTINGS,
    handoverKeywords: [...DEFAULT_KF_SETTINGS.handoverKeywords],
    dictionary: [...DEMO_KF_VOCABULARY.dictionary],
    synonyms: DEMO_KF_VOCABULARY.synonyms.map((g) => [...g]),
  });
  for (const e of DEMO_KNOWLEDGE) await kf.createEntry(corpId, { question: e.question, similar: e.similar, answer: { text: e.answer }, category: e.category }, 'demo-seed');
  return { entries: DEMO_KNOWLEDGE.length };
}
