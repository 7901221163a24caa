/**
 * The count an audience SOP's dry run and its enable both report, and the sentence that explains the gap
 * between matched and enrolled. Both come from one pass of bulk enrollment (the dry run writes nothing), so
 * the two numbers a marketer compares are the same count, and any difference is named with its reason.
 */
import type { BulkEnrollResult } from './bulk-enroll.ts';

/** Why a matched contact is not enrolled, [zh-CN, English]; re-entry refusals are the SOP's suppression. */
const REASONS: Record<string, [string, string]> = {
  opted_out: ['已退订', 'opted out'],
  unreachable: ['无法触达', 'unreachable'],
  already_enrolled: ['已在流程中', 'already enrolled'],
  reentry_never: ['按再次进入规则抑制（不允许再次进入）', 'suppressed: re-entry not allowed'],
  reentry_after_completion: ['按再次进入规则抑制（上一轮未完成）', 'suppressed: previous run not completed'],
  reentry_too_soon: ['按再次进入规则抑制（间隔未到）', 'suppressed: re-entry too soon'],
};

export type AudienceCount = {
  matched: number;
  enrolled: number;
  /** Not enrolled, by reason (opted_out, unreachable, already_enrolled, reentry_*). */
  skipped: Record<string, number>;
  /** Enrolled without a staff member, so their 1:1 touches cannot be sent. */
  noStaff: number;
  explanation: { zh: string; en: string };
};

export function audienceCount(r: Pick<BulkEnrollResult, 'matched' | 'enrolled' | 'skipped' | 'noStaff'>, mode: 'dry_run' | 'enable'): AudienceCount {
  const verb: [string, string] = mode === 'dry_run' ? ['将加入', 'would enroll'] : ['已加入', 'enrolled'];
  const skipped = Object.entries(r.skipped).filter(([, n]) => n > 0);
  const zh = [`匹配 ${r.matched} 人，${verb[0]} ${r.enrolled} 人`];
  const en = [`Matched ${r.matched}, ${verb[1]} ${r.enrolled}`];
  if (skipped.length) {
    zh.push(`未加入 ${r.matched - r.enrolled} 人：${skipped.map(([k, n]) => `${REASONS[k]?.[0] ?? k} ${n}`).join('，')}`);
    en.push(`not enrolled ${r.matched - r.enrolled}: ${skipped.map(([k, n]) => `${REASONS[k]?.[1] ?? k} ${n}`).join(', ')}`);
  }
  if (r.noStaff) {
    zh.push(`其中 ${r.noStaff} 人没有负责员工，1:1 触达无法发送`);
    en.push(`${r.noStaff} enrolled without a staff member: their 1:1 touches cannot be sent`);
  }
  return { matched: r.matched, enrolled: r.enrolled, skipped: r.skipped, noStaff: r.noStaff, explanation: { zh: `${zh.join('；')}。`, en: `${en.join('; ')}.` } };
}
