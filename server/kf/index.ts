/**
 * The kf (微信客服) face: the knowledge base, its matcher and the corp's kf settings. The only file of
 * server/kf/ that other domains (and the composition files) import.
 */
export { createKfModule, type KfDeps, type KfModule, type KnowledgeImportReport } from './kf.module.ts';
export type { KfModels } from './kf.models.ts';
export { kfRoutes } from './kf.route.ts';
export { kfDeskRoutes, type KfDeskRouteDeps } from './desk.route.ts';
export type { KfReviewDto, KfSessionDto } from './session/kf-session.repository.ts';
export type { KfSettings } from './kf-settings.repository.ts';
export type { KnowledgeDto, KnowledgeInput, KnowledgePatch, KnowledgeVersionDto } from './knowledge.repository.ts';
export type { MatchDecision, MatchResult } from './matcher/decide.ts';
export type { KnowledgeMatcher, MatchCandidate } from './matcher/knowledge-matcher.ts';
export { seedDemoKnowledge } from './demo-knowledge.seed.ts';
export { registerKfModels } from './kf.models.ts';
