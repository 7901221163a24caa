/**
 * The timeline of one run: when each step of an SOP happens for a subject entering at `enteredAt` in
 * a store's zone. The scheduler and `siyu sop plan` both use it.
 *
 * - Steps are planned in file order, as one linear path: a branch does not choose, so the steps of both
 *   its arms appear, each after the steps before it in the file (a preview of every step, not a run).
 * - A cursor starts at `enteredAt`. A wait moves it (`waitEnd`) and is planned at the moment it ends.
 *   Sends and tasks are delivered at the cursor moved out of quiet hours and, when a cap is given, past
 *   the frequency cap; the cursor then moves to that delivery time. Tag, untag and branch steps take
 *   the cursor as it is: they are not seen by anyone, so quiet hours do not hold them back.
 * - Service windows (kf, official account) depend on the contact's own messages and are not planned.
 */
import { DEFAULT_QUIET_HOURS } from '../definition/common.schema.ts';
import type { FrequencyCap, QuietHours } from '../definition/common.schema.ts';
import type { Sop, Step } from '../definition/sop.schema.ts';
import { CONTACT_CHANNELS } from '../definition/step.schema.ts';
import { applyFrequencyCap } from './frequency-cap.ts';
import { applyQuietHours } from './quiet-hours.ts';
import { waitEnd, waitRule } from './wait.ts';

export type PlannedStep = { step: string; type: Step['type']; at: Date };

export type DeliveryPolicy = {
  /** Default 21:00–09:00; `false` switches quiet hours off. */
  quietHours?: QuietHours | false;
  /** Without a cap, touches are not spread out (a preview of this SOP alone). */
  frequencyCap?: FrequencyCap;
  /** The contact's touches from other SOPs, for the cap. */
  touches?: readonly Date[];
};

/**
 * The first instant at or after `at` outside quiet hours and, with a cap, under the cap given
 * `touches`. Alternates the two rules until neither moves the time (each move only goes forward).
 */
export function deliveryTime(at: Date, tz: string, policy: DeliveryPolicy = {}, touches: readonly Date[] = []): Date {
  const quiet = policy.quietHours ?? DEFAULT_QUIET_HOURS;
  let current = at;
  for (;;) {
    const quietOk = applyQuietHours(current, tz, quiet);
    const capped = policy.frequencyCap ? applyFrequencyCap(quietOk, tz, policy.frequencyCap, touches) : quietOk;
    if (capped.getTime() === current.getTime()) return current;
    current = capped;
  }
}

const touchesContact = (s: Step) => s.type === 'send' && CONTACT_CHANNELS.includes(s.channel);

/** Each step of `sop` with its planned instant, for one subject entering at `enteredAt` in zone `tz`. */
export function planSteps(sop: Sop, enteredAt: Date, tz: string, policy: DeliveryPolicy = {}): PlannedStep[] {
  const touches = [...(policy.touches ?? [])];
  let cursor = enteredAt;
  return sop.steps.map((step) => {
    if (step.type === 'wait') {
      cursor = waitEnd(waitRule(step), tz, cursor, enteredAt);
    } else if (step.type === 'send' || step.type === 'task') {
      cursor = deliveryTime(cursor, tz, policy, touchesContact(step) ? touches : []);
      if (touchesContact(step)) touches.push(cursor);
    }
    return { step: step.id, type: step.type, at: cursor };
  });
}
