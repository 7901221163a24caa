/**
 * At most `bound` holders at once, served in arrival order: `take()` resolves when a slot is free, `give()` hands
 * it to the next waiter (or frees it).
 */
export type Slots = { take(): Promise<void>; give(): void };

export function createSlots(bound: number): Slots {
  let free = Math.max(1, bound);
  const queue: Array<() => void> = [];
  return {
    take: () => (free > 0 ? (free--, Promise.resolve()) : new Promise<void>((resolve) => queue.push(resolve))),
    give: () => {
      const next = queue.shift();
      if (next) next();
      else free++;
    },
  };
}
