/**
 * The seam between the knowledge base and whatever ranks it. Today a local lexical matcher (lexical-matcher.ts);
 * a packaged embedding model can replace it by implementing the same two calls, nothing else changes.
 */

/** What the matcher indexes of an entry: the standard question, its paraphrases and where it applies. */
export type MatchableEntry = {
  id: string;
  version: number;
  question: string;
  similar: readonly string[];
  /** The answer's text: weak evidence (an answer names what a question may ask about: 押金, 清零, 取货码). */
  answer: string;
  /** Empty: every store / every customer. */
  storeIds: readonly string[];
  tagIds: readonly string[];
};

/** Per-corp vocabulary: words kept whole when segmenting (products, stores) and synonym groups. */
export type MatchVocabulary = {
  dictionary: readonly string[];
  /** Each group's first word is the one the others are read as (["配送", "送货", "送到家"]). */
  synonyms: readonly (readonly string[])[];
};

export type MatchCandidate = { entryId: string; version: number; question: string; score: number };

/** Who is asking: entries limited to stores or tags are only candidates for those customers. */
export type MatchContext = { storeId?: string; tagIds?: readonly string[] };

export type KnowledgeIndex = {
  readonly size: number;
  /** The best candidates, best first, one per entry; scores are in [0, 1]. */
  search(text: string, opts?: MatchContext & { limit?: number }): MatchCandidate[];
};

export type KnowledgeMatcher = {
  build(entries: readonly MatchableEntry[], vocabulary: MatchVocabulary): KnowledgeIndex;
};
