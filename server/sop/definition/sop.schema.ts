/**
 * One SOP definition, as stored in `sop-templates/*.yaml` and accepted by the API. Zod checks the shape
 * of every field; `sop-checks.ts` then checks what spans fields (ids, jump targets, cycles, channels
 * per subject). Delivery policy (quiet hours, frequency caps) belongs to the store: see `storePolicySchema`.
 */
import { z } from 'zod';
import { nonEmptyText, sopIdSchema } from './common.schema.ts';
import { stepSchema } from './step.schema.ts';
import { triggerSchema } from './trigger.schema.ts';

/** Who runs through the SOP: one contact, one customer group, or one staff member. */
export const SUBJECTS = ['contact', 'group', 'staff'] as const;
export type Subject = (typeof SUBJECTS)[number];

/**
 * Conditions that end a contact's run early. `opted_out` and `friend_deleted` always end it, listed or
 * not (compliance); list them anyway for readers.
 */
export const EXIT_CONDITIONS = ['replied', 'converted', 'opted_out', 'friend_deleted'] as const;
export type ExitCondition = (typeof EXIT_CONDITIONS)[number];

/** May a subject that already ran through this SOP enter it again? */
export const reentrySchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('never') }),
  z.strictObject({ mode: z.literal('after_completion') }),
  /** Again once `days` days have passed since the previous entry. */
  z.strictObject({ mode: z.literal('after_days'), days: z.number().int().positive() }),
]);
export type Reentry = z.output<typeof reentrySchema>;

export const sopSchema = z.strictObject({
  id: sopIdSchema,
  name: nonEmptyText,
  description: nonEmptyText.optional(),
  subject: z.enum(SUBJECTS).default('contact'),
  trigger: triggerSchema,
  /** 0–100; when frequency caps leave room for fewer touches than are due, the higher priority goes first. */
  priority: z.number().int().min(0).max(100).default(50),
  reentry: reentrySchema.default({ mode: 'never' }),
  exit_on: z
    .array(z.enum(EXIT_CONDITIONS))
    .refine((list) => new Set(list).size === list.length, '每个退出条件只能列一次 List each exit condition once')
    .default([]),
  steps: z.array(stepSchema).min(1, 'SOP 至少需要一个步骤 An SOP needs at least one step'),
  /** Publishing creates the audience tags the corp does not have yet (listed in the result); else it refuses them. */
  create_tags: z.boolean().optional(),
});
export type Sop = z.output<typeof sopSchema>;
/** What an author writes: defaults not yet applied. */
export type SopInput = z.input<typeof sopSchema>;

export type { Step, StepType, Channel, Condition, Variant, WaitStep, SendStep } from './step.schema.ts';
export type { Trigger, EventTrigger, AudienceFilter } from './trigger.schema.ts';
export type { QuietHours, FrequencyCap, StorePolicy, DurationParts } from './common.schema.ts';
