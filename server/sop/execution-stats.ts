/**
 * Execution numbers for HQ across every SOP, as pure functions over rows the database has already counted:
 * completion of staff tasks by region → store → staff, and touches by status and reason per store.
 * `server/sop/execution.route.ts` feeds them; the spec checks them on hand-counted rows.
 */

export const TASK_STATUSES = ['done', 'skipped', 'open'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * Every touch status, in the order reports show them (sending is a touch a worker holds right now; awaiting, a
 * moment or group send WeCom accepted that the staff member has not published yet).
 */
export const TOUCH_STATUSES = ['sent', 'skipped', 'failed', 'scheduled', 'held', 'sending', 'awaiting'] as const;
export type TouchStatus = (typeof TOUCH_STATUSES)[number];

/** Staff tasks counted per store, staff member and status. */
export type TaskCountRow = { storeId: string; staffId: string; status: string; n: number };
/** Touches counted per store (null: the contact had no store), status and reason. */
export type TouchCountRow = { storeId: string | null; status: string; reason: string | null; n: number };
/** Deferrals (quiet hours, caps) counted per store and reason. */
export type DeferralCountRow = { storeId: string | null; reason: string; n: number };

export type StoreRef = { id: string; name: string; city: string; region: string };
export type StaffRef = { id: string; name: string };

/** done / skipped / open, their total and rate = done / total (null when there is nothing to rate). */
export type Completion = { done: number; skipped: number; open: number; total: number; rate: number | null };

export type StaffCompletion = Completion & { staffId: string; name: string };
export type StoreCompletion = Completion & { storeId: string; name: string; city: string; staff: StaffCompletion[] };
export type RegionCompletion = Completion & { region: string; stores: StoreCompletion[] };

export type ReasonCount = { status: string; reason: string; count: number };
export type StoreTouches = { storeId: string | null; name: string; region: string; counts: Record<TouchStatus, number>; total: number; topReasons: ReasonCount[] };

/** Names of places the org list no longer knows (a closed store, a row without a store). */
export const UNKNOWN_REGION = '未分区';
export const NO_STORE = '无门店';

const collator = new Intl.Collator('zh-CN');
const byName = <T extends { name: string }>(a: T, b: T) => collator.compare(a.name, b.name);

export function completion(counts: Partial<Record<TaskStatus, number>> = {}): Completion {
  const done = counts.done ?? 0;
  const skipped = counts.skipped ?? 0;
  const open = counts.open ?? 0;
  const total = done + skipped + open;
  return { done, skipped, open, total, rate: total === 0 ? null : done / total };
}

function sum(items: readonly Completion[]): Completion {
  return completion({
    done: items.reduce((a, c) => a + c.done, 0),
    skipped: items.reduce((a, c) => a + c.skipped, 0),
    open: items.reduce((a, c) => a + c.open, 0),
  });
}

const isTaskStatus = (s: string): s is TaskStatus => (TASK_STATUSES as readonly string[]).includes(s);
const isTouchStatus = (s: string): s is TouchStatus => (TOUCH_STATUSES as readonly string[]).includes(s);

/**
 * Completion by region → store → staff. Every store given appears (with zero counts when it had no tasks);
 * staff appear when they had tasks. A store id missing from `stores` is listed by its id under 未分区.
 */
export function completionTree(rows: readonly TaskCountRow[], stores: readonly StoreRef[], staff: readonly StaffRef[]) {
  const staffName = new Map(staff.map((s) => [s.id, s.name]));
  const perStaff = new Map<string, Map<string, Partial<Record<TaskStatus, number>>>>();
  for (const r of rows) {
    if (!isTaskStatus(r.status)) continue;
    const ofStore = perStaff.get(r.storeId) ?? new Map<string, Partial<Record<TaskStatus, number>>>();
    const counts = ofStore.get(r.staffId) ?? {};
    counts[r.status] = (counts[r.status] ?? 0) + r.n;
    ofStore.set(r.staffId, counts);
    perStaff.set(r.storeId, ofStore);
  }
  const known = new Map(stores.map((s) => [s.id, s]));
  for (const id of perStaff.keys()) if (!known.has(id)) known.set(id, { id, name: id, city: '', region: UNKNOWN_REGION });

  const regions = new Map<string, StoreCompletion[]>();
  for (const store of known.values()) {
    const members = [...(perStaff.get(store.id) ?? new Map<string, Partial<Record<TaskStatus, number>>>()).entries()]
      .map(([staffId, counts]): StaffCompletion => ({ staffId, name: staffName.get(staffId) ?? staffId, ...completion(counts) }))
      .sort(byName);
    const row: StoreCompletion = { storeId: store.id, name: store.name, city: store.city, ...sum(members), staff: members };
    regions.set(store.region, [...(regions.get(store.region) ?? []), row]);
  }
  const tree: RegionCompletion[] = [...regions.entries()]
    .map(([region, list]) => ({ region, ...sum(list), stores: list.sort(byName) }))
    .sort((a, b) => collator.compare(a.region, b.region));
  return { total: sum(tree), regions: tree };
}

const zeroCounts = (): Record<TouchStatus, number> => Object.fromEntries(TOUCH_STATUSES.map((s) => [s, 0])) as Record<TouchStatus, number>;

/** Reasons by count (then status, then reason, so ties have one order), at most `limit`. */
export function rankReasons(items: readonly ReasonCount[], limit: number): ReasonCount[] {
  const merged = new Map<string, ReasonCount>();
  for (const r of items) {
    const key = `${r.status}\u0000${r.reason}`;
    const prev = merged.get(key);
    merged.set(key, { status: r.status, reason: r.reason, count: (prev?.count ?? 0) + r.count });
  }
  return [...merged.values()]
    .sort((a, b) => b.count - a.count || a.status.localeCompare(b.status) || a.reason.localeCompare(b.reason))
    .slice(0, limit);
}

/**
 * Touches by status per store, with each store's top reasons and the top reasons overall (rows without a
 * reason, such as sent touches, count for their status only). Deferrals are moves, not outcomes: a touch
 * deferred by quiet hours and later sent counts as sent here and once under `deferrals`.
 */
export function touchesByStore(rows: readonly TouchCountRow[], stores: readonly StoreRef[], deferralRows: readonly DeferralCountRow[] = [], limit = 5) {
  const byStore = new Map<string | null, { counts: Record<TouchStatus, number>; reasons: ReasonCount[] }>();
  for (const s of stores) byStore.set(s.id, { counts: zeroCounts(), reasons: [] });
  const total = zeroCounts();
  const allReasons: ReasonCount[] = [];
  for (const r of rows) {
    if (!isTouchStatus(r.status)) continue;
    const entry = byStore.get(r.storeId) ?? { counts: zeroCounts(), reasons: [] };
    entry.counts[r.status] += r.n;
    total[r.status] += r.n;
    if (r.reason) {
      entry.reasons.push({ status: r.status, reason: r.reason, count: r.n });
      allReasons.push({ status: r.status, reason: r.reason, count: r.n });
    }
    byStore.set(r.storeId, entry);
  }
  const known = new Map(stores.map((s) => [s.id, s]));
  const list: StoreTouches[] = [...byStore.entries()].map(([storeId, { counts, reasons }]) => {
    const store = storeId === null ? undefined : known.get(storeId);
    return {
      storeId,
      name: store?.name ?? (storeId === null ? NO_STORE : storeId),
      region: store?.region ?? UNKNOWN_REGION,
      counts,
      total: TOUCH_STATUSES.reduce((a, s) => a + counts[s], 0),
      topReasons: rankReasons(reasons, limit),
    };
  });
  list.sort((a, b) => collator.compare(a.region, b.region) || byName(a, b));
  const deferrals = rankReasons(
    deferralRows.map((d) => ({ status: 'deferred', reason: d.reason, count: d.n })),
    limit,
  ).map(({ reason, count }) => ({ reason, count }));
  return {
    statuses: TOUCH_STATUSES,
    total: { ...total, all: TOUCH_STATUSES.reduce((a, s) => a + total[s], 0) },
    stores: list,
    reasons: rankReasons(allReasons, limit),
    deferrals,
  };
}
