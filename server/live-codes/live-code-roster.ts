/**
 * Who a live code shows right now. Pure: the code's staff, their status, the day's adds and the time decide.
 * A member is eligible when active, on duty (the code's duty hours in their store's zone) and under the code's
 * daily add limit. With nobody eligible the fallback members take over (active ones, whatever the hour or count:
 * the fallback exists so that a printed QR never leads nowhere); with no active fallback either, every active
 * member of the code. `rotate` codes show one eligible member at a time, in list order, one step per add.
 */
import { DateTime } from 'luxon';
import type { StaffRef } from './live-code.repository.ts';

export type RosterInput = {
  mode: 'all' | 'rotate';
  staff: StaffRef[];
  fallback: StaffRef[];
  dutyHours: { from: string; to: string } | null;
  dailyAddLimit: number | null;
  /** Adds so far on this code. */
  rotation: number;
  activeStaffIds: ReadonlySet<string>;
  timezoneOfStore: (storeId: string) => string;
  addsToday: ReadonlyMap<string, number>;
  now: Date;
};

export type Roster = { userIds: string[]; source: 'staff' | 'fallback' | 'any_active' | 'none' };

const minutes = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** Inside `from`–`to` (local time); a window that ends before it starts runs over midnight. */
export function onDuty(hours: { from: string; to: string } | null, now: Date, timezone: string): boolean {
  if (!hours) return true;
  const local = DateTime.fromJSDate(now, { zone: timezone });
  const t = local.hour * 60 + local.minute;
  const from = minutes(hours.from);
  const to = minutes(hours.to);
  return from <= to ? t >= from && t < to : t >= from || t < to;
}

/** The start of the store-local day containing `now`. */
export function startOfLocalDay(now: Date, timezone: string): Date {
  return DateTime.fromJSDate(now, { zone: timezone }).startOf('day').toJSDate();
}

export function computeRoster(input: RosterInput): Roster {
  const active = (s: StaffRef) => input.activeStaffIds.has(s.staffId);
  const eligible = input.staff.filter(
    (s) => active(s) && onDuty(input.dutyHours, input.now, input.timezoneOfStore(s.storeId)) && (input.dailyAddLimit === null || (input.addsToday.get(s.userId) ?? 0) < input.dailyAddLimit),
  );
  const pick = (list: StaffRef[], source: Roster['source']): Roster => {
    const ids = [...new Set(list.map((s) => s.userId))];
    if (input.mode === 'rotate') return { userIds: [ids[input.rotation % ids.length]!], source };
    return { userIds: ids, source };
  };
  if (eligible.length) return pick(eligible, 'staff');
  const fallback = input.fallback.filter(active);
  if (fallback.length) return pick(fallback, 'fallback');
  const anyActive = input.staff.filter(active);
  if (anyActive.length) return pick(anyActive, 'any_active');
  return { userIds: [], source: 'none' };
}
