/**
 * The ledger row a send step plans for one run. The runner (one run at a time) and the bulk enrollment (a batch
 * of new runs) both build touches here, so a touch planned either way is the same row under the same key.
 */
import type { SendStep, Sop } from '../definition/sop.schema.ts';
import { deliveryTime } from '../schedule/plan.ts';
import type { QuietHours } from '../definition/common.schema.ts';
import { assignVariant, variantSeed } from '../../shared/variant.ts';
import { localDate } from '../../shared/local-date.ts';
import type { TouchDoc } from '../ledger/index.ts';

/** When a send reached at `cursorAt` goes out: moved out of quiet hours, on that local day. */
export type DeliverySlot = { at: Date; localDay: string };

export function deliverySlot(cursorAt: Date, tz: string, quietHours: QuietHours | null = null): DeliverySlot {
  const at = deliveryTime(cursorAt, tz, quietHours ? { quietHours } : {});
  return { at, localDay: localDate(at, tz) };
}

/** The idempotency key of a step of a run: `sopId:contactId:rotation:stepId`. */
export function touchKey(sopId: string, contactId: string, rotation: number, stepId: string): string {
  return `${sopId}:${contactId}:${rotation}:${stepId}`;
}

/** The insert-time fields of a planned touch: the ledger's row type, restricted to what planning sets. */
export type TouchFields = Pick<
  TouchDoc,
  'sopId' | 'sopVersion' | 'enrollmentId' | 'contactId' | 'storeId' | 'staffId' | 'stepId' | 'channel' | 'templateId' | 'templateVersion' | 'experiment' | 'variant' | 'priority' | 'tz' | 'dueAt' | 'localDay'
> & { status: 'scheduled' };

export type PlannedTouchInput = {
  sop: Sop;
  version: number;
  priority: number;
  /** Template id → the content version pinned at publish. */
  pins: Record<string, number | null>;
  step: SendStep;
  run: { enrollmentId: string; contactId: string; rotation: number; variants: Record<string, string> };
  routing: { storeId: string | null; staffId: string | null; tz: string };
  slot: DeliverySlot;
};

/**
 * The key and insert-time fields of the touch, and the A/B variant it sends (kept from an earlier assignment in
 * `run.variants`, else drawn deterministically); the caller records the variant on the run.
 */
export function plannedTouch(p: PlannedTouchInput): { key: string; variant: string | null; fields: TouchFields } {
  const { sop, step, run } = p;
  let templateId = step.template;
  let variant: string | null = null;
  if (step.variants) {
    const kept = run.variants[step.id];
    const v = (kept ? step.variants.find((x) => x.id === kept) : undefined) ?? assignVariant(variantSeed(sop.id, step), run.contactId, step.variants);
    variant = v.id;
    templateId = v.template;
  }
  return {
    key: touchKey(sop.id, run.contactId, run.rotation, step.id),
    variant,
    fields: {
      sopId: sop.id,
      sopVersion: p.version,
      enrollmentId: run.enrollmentId,
      contactId: run.contactId,
      storeId: p.routing.storeId,
      staffId: p.routing.staffId,
      stepId: step.id,
      channel: step.channel,
      templateId: templateId!,
      templateVersion: p.pins[templateId!] ?? null,
      experiment: step.variants ? (step.experiment ?? `${sop.id}/${step.id}`) : null,
      variant,
      priority: p.priority,
      tz: p.routing.tz,
      dueAt: p.slot.at,
      localDay: p.slot.localDay,
      status: 'scheduled',
    },
  };
}
