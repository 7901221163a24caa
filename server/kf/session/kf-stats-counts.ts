/**
 * The additive counts behind a row of the service numbers: the rollup's schema is built from these keys, and the
 * stats sum them (kf-stats.ts). Kept apart so the schema does not import the session repository's types.
 */
/** The additive parts of a row: what a rollup stores and what two periods sum to. */
export type KfStatsCounts = {
  sessions: number;
  botHits: number;
  suggestions: number;
  suggestionClicks: number;
  handovers: number;
  botResponses: number;
  botResponseSeconds: number;
  humanResponses: number;
  humanResponseSeconds: number;
  ended: number;
  resolutionSeconds: number;
  fcrJudged: number;
  fcrResolved: number;
  rated: number;
  ratingSum: number;
  satisfied: number;
};

export const COUNT_KEYS = ['sessions', 'botHits', 'suggestions', 'suggestionClicks', 'handovers', 'botResponses', 'botResponseSeconds', 'humanResponses', 'humanResponseSeconds', 'ended', 'resolutionSeconds', 'fcrJudged', 'fcrResolved', 'rated', 'ratingSum', 'satisfied'] as const satisfies ReadonlyArray<keyof KfStatsCounts>;
