/**
 * First-contact resolution (首次联系解决率): a session is resolved at first contact when the same customer of the
 * corp starts no new session on the same question category within 48 h after it ended. A session not ended, or
 * ended less than 48 h before `now`, is not judged yet (null): the answer could still change.
 */

export const FCR_WINDOW_HOURS = 48;
const FCR_WINDOW_MS = FCR_WINDOW_HOURS * 3_600_000;
/** A session whose questions no category describes. */
export const UNCATEGORISED = '未分类';

export type FcrSession = {
  id: string;
  externalUserId: string;
  startedAt: Date;
  endedAt: Date | null;
  /** What the session was about (never empty: see `sessionCategories`). */
  categories: readonly string[];
};

/**
 * What a session was about: the category the servicer picked when ending it, else the categories of the
 * knowledge entries the bot answered from (an answered suggestion click included), else 未分类.
 */
export function sessionCategories(picked: string | null, answered: readonly string[]): string[] {
  if (picked?.trim()) return [picked.trim()];
  const known = [...new Set(answered.map((c) => c.trim()).filter(Boolean))];
  return known.length ? known : [UNCATEGORISED];
}

/**
 * Judges each session of one corp. `sessions` must hold every session that could be a follow-up: those
 * started up to 48 h after the last judged end (the caller loads that much more).
 */
export function judgeFirstContact(sessions: readonly FcrSession[], now: Date): Map<string, boolean | null> {
  const byCustomer = new Map<string, FcrSession[]>();
  for (const s of sessions) {
    const list = byCustomer.get(s.externalUserId);
    if (list) list.push(s);
    else byCustomer.set(s.externalUserId, [s]);
  }
  const verdicts = new Map<string, boolean | null>();
  for (const s of sessions) {
    if (!s.endedAt || now.getTime() - s.endedAt.getTime() < FCR_WINDOW_MS) {
      verdicts.set(s.id, null);
      continue;
    }
    const end = s.endedAt.getTime();
    const repeat = (byCustomer.get(s.externalUserId) ?? []).some((o) => {
      const gap = o.startedAt.getTime() - end;
      return o.id !== s.id && gap >= 0 && gap <= FCR_WINDOW_MS && o.categories.some((c) => s.categories.includes(c));
    });
    verdicts.set(s.id, !repeat);
  }
  return verdicts;
}
