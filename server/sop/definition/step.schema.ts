/**
 * SOP steps: a discriminated union on `type`, each type with its own strict config. Unless a step says
 * `next` (a step id or `end`), a run continues with the following step in file order.
 */
import { z } from 'zod';
import { CHANNELS, type Channel } from '../../shared/send-channels.ts';
import {
  durationSchema,
  clockTimeSchema,
  nameList,
  nonEmptyText,
  stepIdSchema,
  targetSchema,
  templateIdSchema,
  KEBAB,
} from './common.schema.ts';

const base = {
  id: stepIdSchema,
  /** Display name for people (zh-CN), e.g. 第 3 天回访. */
  title: nonEmptyText.optional(),
};
const linear = { ...base, next: targetSchema.optional() };

/**
 * Either `duration` (from the previous step), or `day` + `at`: local time `at` on the N-th local calendar
 * day counted from entry (day 0 is the entry day). A day-N time already past resumes at once.
 */
export const waitStepSchema = z
  .strictObject({
    ...linear,
    type: z.literal('wait'),
    duration: durationSchema.optional(),
    day: z.number().int().min(0).max(366).optional(),
    at: clockTimeSchema.optional(),
  })
  .superRefine((s, ctx) => {
    const dayAt = s.day !== undefined || s.at !== undefined;
    if (s.duration !== undefined && dayAt) {
      ctx.addIssue({ code: 'custom', message: 'duration 与 day/at 只能给一种 Give either duration, or day and at, not both' });
    } else if (!dayAt && s.duration === undefined) {
      ctx.addIssue({ code: 'custom', message: '请给出 duration（如 2h、3d），或 day 与 at（如 day: 3, at: "10:00"） Give a duration (e.g. 2h, 3d), or day and at (e.g. day: 3, at: "10:00")' });
    } else if (dayAt && (s.day === undefined || s.at === undefined)) {
      ctx.addIssue({ code: 'custom', path: [s.day === undefined ? 'day' : 'at'], message: 'day 与 at 须同时给出 Day and at go together' });
    }
  });

export { CHANNELS, type Channel };
/** Channels that can only message a contact inside a service window opened by the contact. */
export const WINDOWED_CHANNELS: readonly Channel[] = ['kf', 'official_account'];
/** Channels that touch one contact, so they count against the per-contact frequency cap. */
export const CONTACT_CHANNELS: readonly Channel[] = ['wecom_1to1', 'kf', 'official_account'];

export const variantSchema = z.strictObject({
  id: z.string().regex(KEBAB, '须为短横线小写格式，如 coupon Must be kebab-case, e.g. coupon'),
  /** What the experiment dashboard calls this arm (zh-CN), e.g. 优惠券版; the id when absent. */
  label: nonEmptyText.optional(),
  template: templateIdSchema,
  weight: z.number().positive('权重须为正数 Weight must be positive').finite(),
});
export type Variant = z.output<typeof variantSchema>;

/**
 * One template, or A/B `variants` (a contact's variant is a deterministic hash of `experiment`, which
 * defaults to `<sop id>/<step id>`, and the contact id). `wecom_1to1` becomes a mass-send task that the
 * staff member confirms. `outside_window` says what a windowed channel does when the window is closed.
 */
export const sendStepSchema = z
  .strictObject({
    ...linear,
    type: z.literal('send'),
    channel: z.enum(CHANNELS),
    template: templateIdSchema.optional(),
    variants: z.array(variantSchema).min(2, 'A/B 发送至少需要 2 个版本 An A/B send needs at least 2 variants').optional(),
    experiment: nonEmptyText.optional(),
    outside_window: z.enum(['skip', 'fallback_wecom_1to1']).optional(),
  })
  .superRefine((s, ctx) => {
    if ((s.template === undefined) === (s.variants === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'template 与 variants 只能给一种 Give either template or variants' });
    }
    if (s.experiment !== undefined && s.variants === undefined) {
      ctx.addIssue({ code: 'custom', path: ['experiment'], message: 'experiment 需要配合 variants 使用 Experiment needs variants' });
    }
    if (s.outside_window !== undefined && !WINDOWED_CHANNELS.includes(s.channel)) {
      ctx.addIssue({ code: 'custom', path: ['outside_window'], message: '只有 kf 和 official_account 有会话窗口 Only kf and official_account have a window' });
    }
  });

export const tagStepSchema = z.strictObject({ ...linear, type: z.literal('tag'), tags: nameList });
export const untagStepSchema = z.strictObject({ ...linear, type: z.literal('untag'), tags: nameList });

/** A task on the staff member's mobile list; `custom` needs its own `text`. */
export const taskStepSchema = z
  .strictObject({
    ...linear,
    type: z.literal('task'),
    kind: z.enum(['call', 'visit', 'custom']),
    text: nonEmptyText.optional(),
    due_in: durationSchema.optional(),
  })
  .refine((s) => s.kind !== 'custom' || s.text !== undefined, { message: '自定义任务需要 text A custom task needs text', path: ['text'] });

export const conditionSchema = z.discriminatedUnion('kind', [
  /** The contact replied since step `since` ran (default: since entry). */
  z.strictObject({ kind: z.literal('replied'), since: stepIdSchema.optional() }),
  z.strictObject({ kind: z.literal('has_tag'), tag: nonEmptyText }),
  /** The contact opened a link in the message of send step `step`. */
  z.strictObject({ kind: z.literal('clicked'), step: stepIdSchema }),
]);
export type Condition = z.output<typeof conditionSchema>;

export const branchStepSchema = z.strictObject({
  ...base,
  type: z.literal('branch'),
  condition: conditionSchema,
  then: targetSchema,
  else: targetSchema,
});

export const stepSchema = z.discriminatedUnion('type', [
  waitStepSchema,
  sendStepSchema,
  tagStepSchema,
  untagStepSchema,
  taskStepSchema,
  branchStepSchema,
]);
export type Step = z.output<typeof stepSchema>;
export type StepType = Step['type'];
export type WaitStep = z.output<typeof waitStepSchema>;
export type SendStep = z.output<typeof sendStepSchema>;
