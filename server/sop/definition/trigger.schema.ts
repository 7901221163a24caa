/**
 * What makes a contact (or group, or staff member) enter an SOP: a domain event, membership of an
 * audience, or a cron schedule evaluated in each store's own time zone.
 */
import { z } from 'zod';
import { cronProblem } from '../schedule/cron.ts';
import { clockTimeSchema, nameList, nonEmptyText } from './common.schema.ts';

export const LIFECYCLE_STAGES = ['lead', 'friend', 'customer', 'vip', 'lost'] as const;

/** Contacts matching every criterion given; at least one criterion is required (no accidental "everyone"). */
export const audienceFilterShape = {
  tags: z
    .strictObject({ all: nameList.optional(), any: nameList.optional(), none: nameList.optional() })
    .refine((t) => t.all ?? t.any ?? t.none, 'all、any、none 至少给出一项 Give at least one of all, any, none')
    .optional(),
  stores: nameList.optional(),
  lifecycle: z.array(z.enum(LIFECYCLE_STAGES)).min(1, '至少列出一项 List at least one').optional(),
};
export type AudienceFilter = {
  tags?: { all?: string[]; any?: string[]; none?: string[] };
  stores?: string[];
  lifecycle?: (typeof LIFECYCLE_STAGES)[number][];
};
const hasCriterion = (a: AudienceFilter) => Boolean(a.tags ?? a.stores ?? a.lifecycle);
const NO_CRITERION = '受众至少需要 tags、stores、lifecycle 之一 An audience needs at least one of tags, stores, lifecycle';

const event = <E extends string, S extends z.core.$ZodLooseShape>(name: E, shape: S) =>
  z.strictObject({ type: z.literal('event'), event: z.literal(name), ...shape });

/** Contact events from WeCom, the official account and kf; each with its own optional filter. */
export const eventTriggerSchema = z.discriminatedUnion('event', [
  /** `state_prefix` matches the channel QR code's `state`, e.g. `store-sh001-`. */
  event('friend_added', { state_prefix: nonEmptyText.optional() }),
  event('tag_added', { tag: nonEmptyText }),
  event('joined_group', { group_name_prefix: nonEmptyText.optional() }),
  event('oa_subscribed', { scene_prefix: nonEmptyText.optional() }),
  event('kf_session_started', { scene: nonEmptyText.optional() }),
]);

/** Evaluated when the SOP is enabled and, with `daily_at`, again every day at that local time. */
export const audienceTriggerSchema = z
  .strictObject({ type: z.literal('audience'), ...audienceFilterShape, daily_at: clockTimeSchema.optional() })
  .refine(hasCriterion, NO_CRITERION);

/**
 * A 5-field cron (`minute hour day-of-month month day-of-week`) in each store's time zone; `stores`
 * narrows the stores, `audience` the contacts (contact SOPs only).
 */
export const scheduleTriggerSchema = z.strictObject({
  type: z.literal('schedule'),
  cron: z.string().superRefine((expr, ctx) => {
    const problem = cronProblem(expr);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  stores: nameList.optional(),
  audience: z.strictObject(audienceFilterShape).refine(hasCriterion, NO_CRITERION).optional(),
});

export const triggerSchema = z.discriminatedUnion('type', [
  eventTriggerSchema,
  audienceTriggerSchema,
  scheduleTriggerSchema,
]);
export type Trigger = z.output<typeof triggerSchema>;
export type EventTrigger = z.output<typeof eventTriggerSchema>;
