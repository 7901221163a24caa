/**
 * Customer moments (客户朋友圈): add_moment_task is asynchronous; get_moment_task_result reports status 1 running
 * then 2 done with the moment_id and the senders / tags that were invalid. Nothing is posted until each sender
 * publishes it in their client (`publishMoment`); get_moment_task lists who has (publish_status 0 / 1).
 * https://developer.work.weixin.qq.com/document/path/96351, /96352
 */
import { chars, optionalList, optionalObject, optionalStrings, optionalText, page, pageLimit, requireText } from './sim-input.ts';
import { fail } from './sim-kernel.ts';
import type { ApiRoute } from './sim-kernel.ts';
import { nowSeconds, type WecomSim } from './wecom-sim-context.ts';
import type { SimMomentJob } from './wecom-state.ts';

/** get_moment_task: limit ≤1000, default 500. */
const MOMENT_TASK_MAX_LIMIT = 1000;
const MOMENT_TASK_DEFAULT_LIMIT = 500;

/** The job whose moment this is, once its job has ended (a running job has no moment id yet). */
function momentById(sim: WecomSim, momentId: string): SimMomentJob | undefined {
  const job = [...sim.state.momentJobs.values()].find((j) => j.moment_id === momentId);
  return job && sim.clock.now().getTime() - job.createdAt.getTime() >= sim.settings.momentJobMs ? job : undefined;
}

/** The simulated staff member publishes the moment in their client. Idempotent; throws for an unknown job or sender. */
export function publishMoment(sim: WecomSim, jobidOrMomentId: string, userid: string): void {
  const job = sim.state.momentJobs.get(jobidOrMomentId) ?? [...sim.state.momentJobs.values()].find((j) => j.moment_id === jobidOrMomentId);
  if (!job || !job.senders.includes(userid)) throw new Error(`no moment task ${jobidOrMomentId} for ${userid}`);
  if (!job.published.has(userid)) job.published.set(userid, nowSeconds(sim));
}

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
          // No sender list: every member may publish it.
          senders: senders.length ? senders.filter((u) => state.staff.has(u)) : [...state.staff.keys()],
          published: new Map(),
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
    {
      method: 'POST',
      api: 'externalcontact/get_moment_task',
      auth: true,
      handler: ({ body }) => {
        // The doc names no code for an unknown moment_id; 40058 is WeCom's "parameter does not meet the API's requirements".
        const job = momentById(sim, requireText(body, 'moment_id', 40058));
        if (!job) fail(40058, 'invalid moment_id');
        const rows = job.senders.map((userid) => ({ userid, publish_status: job.published.has(userid) ? 1 : 0 }));
        const slice = page(rows, body.cursor, pageLimit(body, MOMENT_TASK_MAX_LIMIT, MOMENT_TASK_DEFAULT_LIMIT));
        return { task_list: slice.items, next_cursor: slice.next_cursor };
      },
    },
  ];
}
