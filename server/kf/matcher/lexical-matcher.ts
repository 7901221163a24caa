/**
 * The local matcher: normalise → synonyms → segment (jieba + corp dictionary) → BM25 over every standard
 * question and paraphrase, and over answers with a low boost (minisearch), for the candidates → re-rank each
 * candidate entry.
 *
 * The re-rank score is bounded (by the weights’ sum, under 1), so thresholds mean the same whatever the corp's size. For the
 * entry's best text (standard question or paraphrase):
 *   W.query  · IDF share of the question's words that text has
 *   W.text   · IDF share of that text's words the question has
 *   W.bigram · character-bigram Dice of the two (stopwords out) — carries typos and odd segmentation
 * and for the entry as a whole:
 *   W.entry  · IDF share of the question's words found anywhere in the entry, answer included
 * Words the knowledge base has never seen weigh as much as its rarest word: a question about something the
 * base does not cover keeps a low score even when it shares a common word ("鲜奶") with an entry.
 */
import MiniSearch from 'minisearch';
import type { KnowledgeIndex, KnowledgeMatcher, MatchableEntry, MatchCandidate, MatchContext, MatchVocabulary } from './knowledge-matcher.ts';
import { bigrams, dice, normalise, synonymRewriter } from './normalise.ts';
import { createSegmenter } from './segmenter.ts';

export type RerankWeights = { query: number; text: number; bigram: number; entry: number };
/** Chosen on the tuning half of the evaluation set (server/kf/fixtures/evaluation.ts). */
export const RERANK_WEIGHTS: RerankWeights = { query: 0.25, text: 0.1, bigram: 0.2, entry: 0.35 };
/** BM25 hits looked at; their entries are re-ranked on all their texts. */
const RETRIEVE = 40;
/**
 * Retrieval skips words found in more than this share of the entries ("鲜奶" in a dairy brand's base): they
 * rank nothing, and their long posting lists are most of the cost of a search. The re-rank still counts them.
 */
const COMMON_SHARE = 0.04;
const COMMON_MIN = 30;
const ANSWER_BOOST = 0.3;

type Text = { tokens: Set<string>; grams: Set<string> };
type Prepared = { tokens: string[]; grams: Set<string> };

export function lexicalMatcher(weights: RerankWeights = RERANK_WEIGHTS): KnowledgeMatcher {
  return { build: (entries, vocabulary) => new LexicalIndex(entries, vocabulary, weights) };
}

class LexicalIndex implements KnowledgeIndex {
  private readonly texts: Text[][] = [];
  /** Every word of the entry: its questions and its answer. */
  private readonly words: Set<string>[] = [];
  private readonly idf = new Map<string, number>();
  private readonly df = new Map<string, number>();
  private readonly commonDf: number;
  private readonly unknownIdf: number;
  private readonly bm25: MiniSearch<{ id: number; q: string; a: string }>;
  private readonly prepare: (text: string) => Prepared;

  constructor(
    private readonly entries: readonly MatchableEntry[],
    vocabulary: MatchVocabulary,
    private readonly weights: RerankWeights,
  ) {
    const rewrite = synonymRewriter(vocabulary.synonyms);
    const seg = createSegmenter(vocabulary.dictionary.map((w) => rewrite(normalise(w))));
    this.prepare = (text) => {
      const n = rewrite(normalise(text));
      return { tokens: seg.tokens(n), grams: bigrams(seg.core(n)) };
    };
    this.bm25 = new MiniSearch({ fields: ['q', 'a'], tokenize: (s) => (s ? s.split(' ') : []), processTerm: (t) => t });
    const df = new Map<string, number>();
    const rows: Array<{ id: number; q: string; a: string }> = [];
    entries.forEach((e, i) => {
      const texts = [e.question, ...e.similar].map((t) => this.prepare(t)).filter((p) => p.tokens.length);
      const answer = this.prepare(e.answer).tokens;
      const words = new Set([...texts.flatMap((t) => t.tokens), ...answer]);
      this.texts.push(texts.map((t) => ({ tokens: new Set(t.tokens), grams: t.grams })));
      this.words.push(words);
      for (const w of words) df.set(w, (df.get(w) ?? 0) + 1);
      rows.push({ id: i, q: [...new Set(texts.flatMap((t) => t.tokens))].join(' '), a: answer.join(' ') });
    });
    const n = Math.max(1, entries.length);
    for (const [t, k] of df) this.idf.set(t, Math.log(1 + n / k));
    this.df = df;
    this.commonDf = Math.max(COMMON_MIN, n * COMMON_SHARE);
    this.unknownIdf = Math.log(1 + n);
    this.bm25.addAll(rows);
  }

  get size(): number {
    return this.entries.length;
  }

  search(text: string, opts: MatchContext & { limit?: number } = {}): MatchCandidate[] {
    const q = this.prepare(text);
    if (!q.tokens.length) return [];
    const hits = this.bm25.search(this.retrievalTerms(q.tokens).join(' '), { combineWith: 'OR', boost: { q: 1, a: ANSWER_BOOST } });
    const out: MatchCandidate[] = [];
    for (const hit of hits.slice(0, RETRIEVE)) {
      const i = hit.id as number;
      const entry = this.entries[i]!;
      if (!appliesTo(entry, opts)) continue;
      out.push({ entryId: entry.id, version: entry.version, question: entry.question, score: Math.round(this.score(q, i) * 1000) / 1000 });
    }
    out.sort((a, b) => b.score - a.score);
    return out.slice(0, opts.limit ?? 5);
  }

  /** The question's words minus the common ones; the two rarest when all are common. */
  private retrievalTerms(tokens: string[]): string[] {
    const rare = tokens.filter((t) => (this.df.get(t) ?? 0) <= this.commonDf);
    if (rare.length) return rare;
    return [...tokens].sort((a, b) => (this.df.get(a) ?? 0) - (this.df.get(b) ?? 0)).slice(0, 2);
  }

  private weight(t: string): number {
    return this.idf.get(t) ?? this.unknownIdf;
  }

  /** IDF share of `of` found in `in_`. */
  private share(of: Iterable<string>, in_: Set<string>): number {
    let total = 0;
    let hit = 0;
    for (const t of of) {
      const w = this.weight(t);
      total += w;
      if (in_.has(t)) hit += w;
    }
    return total ? hit / total : 0;
  }

  private score(q: Prepared, entry: number): number {
    const W = this.weights;
    const qTokens = new Set(q.tokens);
    let best = 0;
    for (const t of this.texts[entry]!) {
      best = Math.max(best, W.query * this.share(qTokens, t.tokens) + W.text * this.share(t.tokens, qTokens) + W.bigram * dice(q.grams, t.grams));
    }
    return best + W.entry * this.share(qTokens, this.words[entry]!);
  }
}

function appliesTo(entry: MatchableEntry, ctx: MatchContext): boolean {
  if (entry.storeIds.length && ctx.storeId !== undefined && !entry.storeIds.includes(ctx.storeId)) return false;
  if (entry.tagIds.length && ctx.tagIds !== undefined && !entry.tagIds.some((t) => ctx.tagIds!.includes(t))) return false;
  return true;
}
