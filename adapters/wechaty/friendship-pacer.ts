/**
 * Pacing for `Friendship.add` requests from an RPA-hosted account: only inside working hours (local wall
 * time in an IANA zone, on working days), at most `dailyCap` requests per local calendar day, and at least
 * `minGapMinutes` after the previous request. Pure: the sent history and `now` are inputs.
 * Wechaty's own advice is about one request a minute at most (wechaty user-modules/friendship.ts, `add`).
 */
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
/** The wall time `hhmm` on `day` (luxon moves a time inside a DST gap forward). */
const at = (day: DateTime, hhmm: string) => day.set({ hour: Number(hhmm.slice(0, 2)), minute: Number(hhmm.slice(3, 5)) });

/** A pacing policy as stored in the account config (see wechaty-account.schema.ts). */
export const friendAddPacingSchema = z
  .strictObject({
    timeZone: z.string().refine((tz) => IANAZone.isValidZone(tz), 'must be an IANA time zone'),
    /** Local wall time, `start` inclusive, `end` exclusive; a window does not cross midnight. */
    workingHours: z.strictObject({ start: z.string().regex(HH_MM, 'must be HH:MM'), end: z.string().regex(HH_MM, 'must be HH:MM') }),
    /** ISO weekdays (1 Monday … 7 Sunday) on which requests may go out. */
    workingDays: z.array(z.number().int().min(1).max(7)).min(1).default([1, 2, 3, 4, 5, 6, 7]),
    dailyCap: z.number().int().min(0),
    minGapMinutes: z.number().min(0),
  })
  .refine((p) => minutesOf(p.workingHours.start) < minutesOf(p.workingHours.end), {
    message: 'workingHours.start must be before workingHours.end',
    path: ['workingHours'],
  });

export type FriendAddPacing = z.output<typeof friendAddPacingSchema>;

/** A conservative default for a personal WeChat / WeCom account driven by RPA. */
export const DEFAULT_FRIEND_ADD_PACING: FriendAddPacing = {
  timeZone: 'Asia/Shanghai',
  workingHours: { start: '09:30', end: '18:00' },
  workingDays: [1, 2, 3, 4, 5],
  dailyCap: 20,
  minGapMinutes: 10,
};

/** How far ahead to look for an allowed day before giving up (a year covers any weekday set). */
const HORIZON_DAYS = 370;

/**
 * The earliest instant at or after `now` at which the account may send its next `Friendship.add`: `now`
 * itself when allowed; later today when the gap or the window's opening is still ahead; the start of the
 * next working day's window when today is over or today's cap is used up. Null only when the policy never
 * allows a request (a cap of 0).
 * @param sentAt every request this account already sent (any order; only the latest and today's count matter).
 */
export function nextFriendAddAt(pacing: FriendAddPacing, sentAt: readonly Date[], now: Date): Date | null {
  if (pacing.dailyCap <= 0) return null;
  const zone = pacing.timeZone;
  const lastSent = sentAt.reduce((max, d) => Math.max(max, d.getTime()), -Infinity);
  const perDay = new Map<string, number>();
  for (const d of sentAt) {
    const day = DateTime.fromJSDate(d, { zone }).toISODate() ?? '';
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
  }

  let candidate = DateTime.fromMillis(Math.max(now.getTime(), lastSent + pacing.minGapMinutes * 60_000), { zone });
  for (let i = 0; i < HORIZON_DAYS; i++) {
    const day = candidate.startOf('day');
    const opens = at(day, pacing.workingHours.start);
    const closes = at(day, pacing.workingHours.end);
    const usable =
      pacing.workingDays.includes(day.weekday) && (perDay.get(day.toISODate() ?? '') ?? 0) < pacing.dailyCap && candidate < closes;
    if (usable) return (candidate < opens ? opens : candidate).toJSDate();
    candidate = day.plus({ days: 1 }).startOf('day');
  }
  return null;
}
