/**
 * The handover face: what other modules may import from server/handover/. So far its inbound reactions (the rest
 * of the domain moves behind it step by step).
 */
export { wireHandoverReactions, type HandoverReactionDeps } from './handover-wiring.ts';
