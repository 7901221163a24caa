/**
 * Which live code an add belongs to. The chain, first match wins (also in docs/ARCHITECTURE.md):
 * 1. `state`: the add's State equals a code's state.
 * 2. `state_prefix`: WeCom or a 获客链接 rewrote the State around ours (prefixed, suffixed or joined with other
 *    text): an `lc:` + 10-character token found inside it names the code.
 * 3. `follow_state`: the event came without State (some clients drop it) but the follow relation fetched from
 *    externalcontact/get carries one; steps 1–2 run on that.
 * 4. `staff_default`: no State at all, or an unknown one that is not another feature's (`c:` campaigns and other
 *    `x:` prefixes are left to their owners): the added member's own code (`staffDefault`), if HQ made one.
 * A code's WeCom config_id would be the natural key for step 2, but neither the event nor externalcontact/get
 * returns it, so it cannot be used; `state` is kept short (13 characters) so that a rewrite rarely cuts it.
 */
import type { LiveCodeDto, LiveCodeRepository } from './live-code.repository.ts';
import { STATE_PREFIX } from './live-code.repository.ts';

export type ResolvedBy = 'state' | 'state_prefix' | 'follow_state' | 'staff_default';
export type Resolution = { code: LiveCodeDto; resolvedBy: ResolvedBy; state: string | null };

const TOKEN = /lc:[a-z2-9]{10}/;
/** Another feature's state (`c:…` campaigns): not ours, and not a reason to fall back to a staff code either. */
const FOREIGN = /^[a-z]{1,8}:/i;

export type ResolveInput = { corpId: string; staffUserId: string; eventState: string | null; followState: () => Promise<string | null> };

async function byState(codes: LiveCodeRepository, corpId: string, state: string): Promise<{ code: LiveCodeDto; exact: boolean } | null> {
  const exact = await codes.findByState(corpId, state);
  if (exact) return { code: exact, exact: true };
  const token = TOKEN.exec(state)?.[0];
  const embedded = token && token !== state ? await codes.findByState(corpId, token) : null;
  return embedded ? { code: embedded, exact: false } : null;
}

export async function resolveLiveCode(codes: LiveCodeRepository, input: ResolveInput): Promise<Resolution | null> {
  let state = input.eventState || null;
  let fromFollow = false;
  if (!state) {
    state = (await input.followState()) || null;
    fromFollow = state !== null;
  }
  if (state) {
    const foreign = FOREIGN.test(state) && !state.startsWith(STATE_PREFIX);
    // Another feature's state with no token of ours in it names no code: codes' states are all `lc:` tokens.
    if (foreign && !TOKEN.test(state)) return null;
    const found = await byState(codes, input.corpId, state);
    if (found) return { code: found.code, resolvedBy: fromFollow ? 'follow_state' : found.exact ? 'state' : 'state_prefix', state };
    if (foreign) return null;
  }
  const own = await codes.findStaffDefault(input.corpId, input.staffUserId);
  return own ? { code: own, resolvedBy: 'staff_default', state } : null;
}
