/**
 * Checks that span fields, run after the zod schema accepted the shape: unique ids, jump targets that
 * exist, no loop that could spin without waiting, steps reachable from the first, and channels, steps
 * and triggers that make sense for the SOP's subject.
 */
import { END, parseDuration } from './common.schema.ts';
import { CONTACT_CHANNELS } from './step.schema.ts';
import type { Sop, Step, StepType, Channel, Subject, Trigger } from './sop.schema.ts';

export type PathProblem = { path: string; message: string };

const SUBJECT_RULES: Record<Subject, { channels: Channel[]; steps: StepType[]; triggers: Trigger['type'][] }> = {
  contact: {
    channels: [...CONTACT_CHANNELS],
    steps: ['wait', 'send', 'tag', 'untag', 'task', 'branch'],
    triggers: ['event', 'audience', 'schedule'],
  },
  group: { channels: ['wecom_group'], steps: ['wait', 'send', 'task'], triggers: ['schedule'] },
  staff: { channels: ['wecom_moments', 'wecom_group'], steps: ['wait', 'send', 'task'], triggers: ['schedule'] },
};

/** Where a run goes after step `index`: branch targets, else `next`, else the following step, else `end`. */
export function successors(steps: readonly Step[], index: number): string[] {
  const step = steps[index];
  if (!step) return [];
  if (step.type === 'branch') return [step.then, step.else];
  return [step.next ?? steps[index + 1]?.id ?? END];
}

/** A duration wait moves time forward on every pass; a day-N wait is anchored on entry, so it does not. */
const advancesTime = (s: Step) => s.type === 'wait' && s.duration !== undefined && typeof parseDuration(s.duration) !== 'string';

function subjectProblems(sop: Sop): PathProblem[] {
  const rules = SUBJECT_RULES[sop.subject];
  const problems: PathProblem[] = [];
  const zhWhere = `对象为 ${sop.subject} 时`;
  const where = `for subject ${sop.subject}`;
  if (!rules.triggers.includes(sop.trigger.type)) {
    problems.push({ path: 'trigger.type', message: `${zhWhere}不能使用 ${sop.trigger.type} 触发，请用 ${rules.triggers.join('、')} ${sop.trigger.type} triggers are not available ${where}; use ${rules.triggers.join(', ')}` });
  }
  if (sop.subject !== 'contact' && sop.trigger.type === 'schedule' && sop.trigger.audience) {
    problems.push({ path: 'trigger.audience', message: `受众用于选择客户，${zhWhere}不可用 An audience selects contacts; not available ${where}` });
  }
  if (sop.subject !== 'contact' && sop.exit_on.length > 0) {
    problems.push({ path: 'exit_on', message: `退出条件只适用于客户，${zhWhere}不可用 Exit conditions apply to contacts; not available ${where}` });
  }
  sop.steps.forEach((step, i) => {
    if (!rules.steps.includes(step.type)) {
      problems.push({ path: `steps[${i}].type`, message: `${zhWhere}不能使用 ${step.type} 步骤 ${step.type} steps are not available ${where}` });
    } else if (step.type === 'send' && !rules.channels.includes(step.channel)) {
      problems.push({ path: `steps[${i}].channel`, message: `${zhWhere}不能使用渠道 ${step.channel}，请用 ${rules.channels.join('、')} Channel ${step.channel} is not available ${where}; use ${rules.channels.join(', ')}` });
    }
  });
  return problems;
}

function targetProblems(sop: Sop, index: Map<string, number>): PathProblem[] {
  const problems: PathProblem[] = [];
  const known = (id: string) => id === END || index.has(id);
  sop.steps.forEach((step, i) => {
    const at = `steps[${i}]`;
    const targets: [string, string | undefined][] =
      step.type === 'branch' ? [['then', step.then], ['else', step.else]] : [['next', step.next]];
    for (const [key, id] of targets) {
      if (id !== undefined && !known(id)) problems.push({ path: `${at}.${key}`, message: `没有 id 为 "${id}" 的步骤 No step with id "${id}"` });
    }
    if (step.type === 'branch') {
      const c = step.condition;
      const ref = c.kind === 'replied' ? c.since : c.kind === 'clicked' ? c.step : undefined;
      const key = c.kind === 'replied' ? 'since' : 'step';
      const target = ref === undefined ? undefined : sop.steps[index.get(ref) ?? -1];
      if (ref !== undefined && !target) problems.push({ path: `${at}.condition.${key}`, message: `没有 id 为 "${ref}" 的步骤 No step with id "${ref}"` });
      if (c.kind === 'clicked' && target && target.type !== 'send') {
        problems.push({ path: `${at}.condition.step`, message: `"${ref}" is a ${target.type} step; clicked needs a send step` });
      }
    }
    if (step.type === 'send' && step.variants) {
      const seen = new Set<string>();
      step.variants.forEach((v, k) => {
        if (seen.has(v.id)) problems.push({ path: `${at}.variants[${k}].id`, message: `版本 id "${v.id}" 重复 Duplicate variant id "${v.id}"` });
        seen.add(v.id);
      });
    }
  });
  return problems;
}

/** Depth-first search over steps that do not advance time; any cycle among them could loop forever. */
function cycleProblems(sop: Sop, index: Map<string, number>): PathProblem[] {
  const state = new Map<number, 'open' | 'done'>();
  const trail: number[] = [];
  const visit = (i: number): PathProblem | undefined => {
    state.set(i, 'open');
    trail.push(i);
    for (const id of successors(sop.steps, i)) {
      const j = index.get(id);
      const next = j === undefined ? undefined : sop.steps[j];
      if (j === undefined || !next || advancesTime(next)) continue;
      if (state.get(j) === 'open') {
        const loop = [...trail.slice(trail.indexOf(j)), j].map((k) => sop.steps[k]?.id).join(' → ');
        return { path: `steps[${i}]`, message: `循环中没有按时长等待的步骤：${loop} Loop without a duration wait: ${loop}` };
      }
      const found = state.has(j) ? undefined : visit(j);
      if (found) return found;
    }
    trail.pop();
    state.set(i, 'done');
    return undefined;
  };
  for (let i = 0; i < sop.steps.length; i += 1) {
    const step = sop.steps[i];
    if (!state.has(i) && step && !advancesTime(step)) {
      const found = visit(i);
      if (found) return [found];
    }
  }
  return [];
}

function reachabilityProblems(sop: Sop, index: Map<string, number>): PathProblem[] {
  const reached = new Set<number>([0]);
  const queue = [0];
  for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
    for (const id of successors(sop.steps, i)) {
      const j = index.get(id);
      if (j === undefined || reached.has(j)) continue;
      reached.add(j);
      queue.push(j);
    }
  }
  return sop.steps.flatMap((s, i) =>
    reached.has(i) ? [] : [{ path: `steps[${i}]`, message: `从第一步永远到不了步骤 "${s.id}" Step "${s.id}" is never reached from the first step` }],
  );
}

/** Every cross-field problem of a schema-valid SOP; empty when it is ready to run. */
export function referenceProblems(sop: Sop): PathProblem[] {
  const index = new Map<string, number>();
  const problems: PathProblem[] = [];
  sop.steps.forEach((step, i) => {
    const first = index.get(step.id);
    if (first !== undefined) {
      problems.push({ path: `steps[${i}].id`, message: `步骤 id "${step.id}" 重复（首次出现在 steps[${first}]） Duplicate step id "${step.id}" (first at steps[${first}])` });
    } else index.set(step.id, i);
  });
  problems.push(...targetProblems(sop, index), ...subjectProblems(sop));
  if (problems.length > 0) return problems;
  return [...cycleProblems(sop, index), ...reachabilityProblems(sop, index)];
}
