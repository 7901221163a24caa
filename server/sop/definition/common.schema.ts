/**
 * Building blocks shared by SOP steps, triggers and store policies: ids, local clock times, durations,
 * quiet hours and frequency caps. Durations stay strings in the typed SOP (so a definition round-trips
 * through YAML and the API unchanged); `parseDuration` turns them into parts for the schedule math.
 */
import { z } from 'zod';
import { KEBAB } from '../../shared/send-channels.ts';

export { KEBAB };

/** Reserved as a jump target meaning "this run ends here"; no step may use it as its id. */
export const END = 'end';

export const sopIdSchema = z.string().regex(KEBAB, '须为短横线小写格式，如 new-friend-onboarding Must be kebab-case, e.g. new-friend-onboarding');
export const stepIdSchema = z
  .string()
  .regex(KEBAB, '须为短横线小写格式，如 day3-send Must be kebab-case, e.g. day3-send')
  .refine((id) => id !== END, `"${END}" 是保留字，表示“到此结束” "${END}" is reserved for "stop here"`);
/** A step id, or `end`. */
export const targetSchema = z.string().regex(KEBAB, `须为步骤 id 或 "${END}" Must be a step id or "${END}"`);

/** A reference to a content template, e.g. `tpl-onboarding-day0`; the content library resolves it. */
export const templateIdSchema = z
  .string()
  .trim()
  .min(1, '模板 id 不能为空 Template id must be a non-empty string')
  .regex(/^\S+$/, '模板 id 不能包含空格 Template id must not contain spaces');

export const nonEmptyText = z.string().trim().min(1, '不能为空 Must not be empty');
export const nameList = z.array(nonEmptyText).min(1, '至少列出一项 List at least one');

/** Local wall-clock time `HH:MM`, 00:00–23:59. (YAML 1.2 reads an unquoted 09:00 as this string.) */
export const clockTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '须为本地时间 HH:MM（00:00–23:59） Must be a local time HH:MM, 00:00–23:59');

/** Minutes after local midnight for an `HH:MM` string that `clockTimeSchema` accepted. */
export function minuteOfDay(hhmm: string): number {
  const [h = 0, m = 0] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

export type DurationParts = { weeks: number; days: number; hours: number; minutes: number };

const DURATION = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/;

/**
 * `90m`, `2h`, `3d`, `1w`, `1d12h`. Weeks and days are calendar days in the store's zone (the local
 * wall time is kept across DST); hours and minutes are elapsed time. Months are deliberately absent.
 */
export function parseDuration(text: string): DurationParts | string {
  if (/^\d+\s*(mo|month|months|y|year|years)$/i.test(text.trim())) {
    return '不支持月和年（1 月 31 日加 1 个月有歧义），请用天数，如 30d，或 day N + at HH:MM Months and years are not supported (Jan 31 + 1 month is ambiguous); use days, e.g. 30d, or day N at HH:MM';
  }
  const match = DURATION.exec(text);
  if (text === '' || !match) return '须为时长，如 90m、2h、3d、1w 或 1d12h Must be a duration like 90m, 2h, 3d, 1w or 1d12h';
  const [weeks = 0, days = 0, hours = 0, minutes = 0] = match.slice(1).map((g) => (g ? Number(g) : 0));
  if (weeks + days + hours + minutes === 0) return '时长须大于零 Must be longer than zero';
  return { weeks, days, hours, minutes };
}

export const durationSchema = z.string().superRefine((text, ctx) => {
  const parsed = parseDuration(text);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

/**
 * A daily window in local time, `[start, end)`, in which no touch is sent; a touch due inside it moves
 * to `end`. `start > end` crosses midnight (the default 21:00–09:00); `start < end` does not.
 */
export const quietHoursSchema = z
  .strictObject({ start: clockTimeSchema, end: clockTimeSchema })
  .refine((q) => q.start !== q.end, '开始与结束时间不能相同；关闭免打扰请写 quiet_hours: false Start and end must differ; use quiet_hours: false to switch quiet hours off');
export type QuietHours = z.output<typeof quietHoursSchema>;
export const DEFAULT_QUIET_HOURS: QuietHours = { start: '21:00', end: '09:00' };

/**
 * Touches per contact across all SOPs, counted in the store's local calendar. `per_month: null` means
 * "as many as the month has days".
 */
export const frequencyCapSchema = z.strictObject({
  per_day: z.number().int().positive().default(1),
  per_month: z.number().int().positive().nullable().default(null),
});
export type FrequencyCap = z.output<typeof frequencyCapSchema>;
export const DEFAULT_FREQUENCY_CAP: FrequencyCap = { per_day: 1, per_month: null };

/** Per-store delivery policy (store settings, not the SOP file); the defaults apply when a store sets none. */
export const storePolicySchema = z.strictObject({
  quiet_hours: z.union([quietHoursSchema, z.literal(false)]).default(DEFAULT_QUIET_HOURS),
  frequency_cap: frequencyCapSchema.default(DEFAULT_FREQUENCY_CAP),
});
export type StorePolicy = z.output<typeof storePolicySchema>;
