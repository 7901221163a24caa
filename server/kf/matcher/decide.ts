/**
 * From candidates to what the bot does: answer the top entry, offer the top three (「您是不是想问」), or hand
 * over to a person. Keywords that always hand over win over any score: a complaint or a refund needs a person
 * even when the knowledge base has an entry that looks like it.
 */
import type { MatchCandidate } from './knowledge-matcher.ts';
import { normalise } from './normalise.ts';

export type MatchDecision = 'answer' | 'suggest' | 'handover';

export type DecisionPolicy = {
  /** At or above: answer. */
  answerThreshold: number;
  /** At or above (and below answerThreshold): suggest the top three. Below: hand over. */
  suggestThreshold: number;
  handoverKeywords: readonly string[];
};

/** Offered in a suggestion menu. */
export const SUGGESTIONS = 3;
/**
 * Two entries this close at the top are a coin toss: suggest both rather than answer one. Chosen with the
 * thresholds on the tuning half of the evaluation set.
 */
export const AMBIGUITY_MARGIN = 0.04;

export type MatchResult = { decision: MatchDecision; candidates: MatchCandidate[]; keyword?: string };

export function decide(text: string, candidates: readonly MatchCandidate[], policy: DecisionPolicy): MatchResult {
  const top = candidates.slice(0, SUGGESTIONS);
  const n = normalise(text).replace(/\s+/g, '');
  const keyword = policy.handoverKeywords.find((k) => {
    const w = normalise(k).replace(/\s+/g, '');
    return w && n.includes(w);
  });
  if (keyword) return { decision: 'handover', candidates: top, keyword };
  const [first, second] = candidates;
  if (!first || first.score < policy.suggestThreshold) return { decision: 'handover', candidates: top };
  const clear = !second || first.score - second.score >= AMBIGUITY_MARGIN;
  if (first.score >= policy.answerThreshold && clear) return { decision: 'answer', candidates: top };
  return { decision: 'suggest', candidates: top };
}
