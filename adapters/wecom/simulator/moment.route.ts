/**
 * Customer moments (客户朋友圈): add_moment_task is asynchronous; get_moment_task_result reports status 1 running
 * then 2 done with the moment_id and the senders / tags that were invalid.
 * https://developer.work.weixin.qq.com/document/path/96351
 */
import { chars, optionalList, optionalObject, optionalStrings, optionalText, requireText } from './sim-input.ts';
import { fail } from './sim-kernel.ts';
import type { ApiRoute } from './sim-kernel.ts';
import type { WecomSim } from './wecom-sim-context.ts';

/** ≤9 images, or exactly one video, or exactly one link, never mixed. */
function checkAttachments(attachments: unknown[]): void {
  const types = attachments.map((a) => (typeof a === 'object' && a !== null ? (a as { msgtype?: unknown }).msgtype : undefined));
  if (types.some((t) => t !== 'image' && t !== 'video' && t !== 'link')) fail(41065, 'invalid attachment type');
  const kinds = new Set(types);
  if (kinds.size > 1) fail(40058, 'attachments of different types');
  if (kinds.has('image') && types.length > 9) fail(40058, 'more than 9 images');
  if ((kinds.has('video') || kinds.has('link')) && types.length > 1) fail(40058, 'only one video or link');
}

export function momentRoutes(sim: WecomSim): ApiRoute[] {
  const { state, limits } = sim;
  return [
    {
      method: 'POST',
      api: 'externalcontact/add_moment_task',
      auth: true,
      handler: ({ body }) => {
        const text = optionalObject(body, 'text');
        const content = text ? optionalText(text, 'content') : undefined;
        const attachments = optionalList(body, 'attachments') ?? [];
        if (!content && attachments.length === 0) fail(44004, 'empty content');
        if (content && chars(content) > limits.momentTextChars) fail(45002, 'content size out of limit');
        checkAttachments(attachments);
        const range = optionalObject(body, 'visible_range') ?? {};
        const senders = optionalStrings(optionalObject(range, 'sender_list') ?? {}, 'user_list') ?? [];
        if (senders.length > limits.momentSenders) fail(81017, `more than ${limits.momentSenders} senders`);
        const tags = optionalStrings(optionalObject(range, 'external_contact_list') ?? {}, 'tag_list') ?? [];
        const jobid = state.nextId('job');
        state.momentJobs.set(jobid, {
          jobid,
          body,
          createdAt: sim.clock.now(),
          moment_id: state.nextId('moment'),
          invalidSenders: senders.filter((u) => !state.staff.has(u)),
          invalidTags: tags.filter((t) => !state.findTag(t)),
        });
        return { jobid };
      },
    },
    {
      method: 'GET',
      api: 'externalcontact/get_moment_task_result',
      auth: true,
      handler: ({ query }) => {
        const job = state.momentJobs.get(requireText(query, 'jobid', 40088));
        const age = job ? sim.clock.now().getTime() - job.createdAt.getTime() : Infinity;
        if (!job || age > limits.momentJobTtlMs) fail(40088, 'invalid jobid');
        if (age < sim.settings.momentJobMs) return { status: 1, type: 'add_moment_task' };
        return {
          status: 2,
          type: 'add_moment_task',
          result: {
            errcode: 0,
            errmsg: 'ok',
            moment_id: job.moment_id,
            invalid_sender_list: { user_list: job.invalidSenders },
            invalid_external_contact_list: { tag_list: job.invalidTags },
          },
        };
      },
    },
  ];
}
