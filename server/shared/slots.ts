/**
 * At most `bound` holders at once, served in arrival order: `take()` resolves when a slot is free, `give()` hands
 * it to the next waiter (or frees it). `take(true)` goes to the front of the queue: for a holder that already
 * waited its turn elsewhere (the inbound processor's next row of a subject whose previous row just finished, so a
 * long chain of one subject's rows does not queue behind every other row once per link).
 */
export type Slots = { take(first?: boolean): Promise<void>; give(): void };

export function createSlots(bound: number): Slots {
  let free = Math.max(1, bound);
  const queue: Array<() => void> = [];
  return {
    take: (first = false) => (free > 0 ? (free--, Promise.resolve()) : new Promise<void>((resolve) => (first ? queue.unshift(resolve) : queue.push(resolve)))),
    give: () => {
      const next = queue.shift();
      if (next) next();
      else free++;
    },
  };
}
