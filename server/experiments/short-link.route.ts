/**
 * Tracked short links. Marketers (later the SOP content renderer, one link per touch) create `/r/<code>`;
 * opening it records `link.clicked` for the link's contact, with the touch's SOP step, experiment and
 * variant (what branch conditions and experiment clicks read), and redirects. Clicks on one code are
 * recorded once a minute (reloads and link previews are not new clicks). Only http(s) targets are stored.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { BadRequestError, NotFoundError } from '../errors.ts';
import { corpIdQuery } from '../http/corp-scope.ts';
import { defineRoute, reply, type RouteDef } from '../http/route.ts';
import type { Clock } from '../shared/clock.ts';
import { objectIdString } from '../shared/object-id.ts';
import { pageHeaders } from '../web/web.route.ts';
import type { ContactLookup, EventAppender, TouchLookup } from './experiment-deps.ts';
import type { ShortLinkRepository } from './short-link.repository.ts';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CODE_LENGTH = 8;
const CODE = /^[0-9A-Za-z]{4,32}$/;

/** A random base62 code; bytes ≥ 248 are dropped so every character is equally likely. */
export function randomCode(length = CODE_LENGTH): string {
  let code = '';
  while (code.length < length) {
    for (const b of randomBytes(length * 2)) if (b < 248 && code.length < length) code += ALPHABET[b % 62];
  }
  return code;
}

export function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

const name = z.string().min(1).max(200);
const body = z.strictObject({
  url: z.string().max(2048).refine(isHttpUrl, 'must be an absolute http or https URL'),
  touchKey: z.string().min(1).max(300).optional(),
  contactId: objectIdString.optional(),
  experiment: name.optional(),
  variant: name.optional(),
});

const notFoundPage = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>链接不存在 · 私域</title></head>
<body><main><h1>链接不存在或已失效</h1><p lang="en">This link does not exist or has expired.</p></main></body></html>`;

export type ShortLinkRouteDeps = {
  experiments: { links: ShortLinkRepository };
  ledger: { touches: TouchLookup };
  contacts: ContactLookup;
  events: EventAppender;
  clock: Clock;
};

export function shortLinkRoutes(deps: ShortLinkRouteDeps): RouteDef[] {
  return [
  defineRoute({
    method: 'post',
    path: '/api/links',
    tag: 'experiments',
    summary: '创建追踪短链 Create a tracked short link /r/<code> (for a touch, a contact, an experiment arm)',
    roles: ['hq_admin', 'marketer'],
    query: z.strictObject({ ...corpIdQuery }),
    body,
    status: 201,
    scoped: true,
    async handler({ body: b }, { principal, scope }) {
      const touch = b.touchKey ? await deps.ledger.touches.findByKey(scope.corpId, b.touchKey) : null;
      if (b.touchKey && !touch) throw new NotFoundError('touch', b.touchKey);
      const fields = { contactId: touch?.contactId ?? b.contactId ?? null, experiment: touch?.experiment ?? b.experiment ?? null, variant: touch?.variant ?? b.variant ?? null };
      const clash = (['contactId', 'experiment', 'variant'] as const).filter((k) => b[k] !== undefined && b[k] !== fields[k]);
      if (clash.length) throw new BadRequestError('与触达记录不一致 The touch says otherwise', clash.map((k) => ({ path: `body.${k}`, message: `the touch has ${fields[k] ?? 'none'}` })));
      if (fields.contactId && !touch && !(await deps.contacts.findRow(scope, fields.contactId))) throw new NotFoundError('contact', fields.contactId);
      const stored = { url: b.url, touchKey: b.touchKey ?? null, ...fields, storeId: touch?.storeId ?? null, sopId: touch?.sopId ?? null, stepId: touch?.stepId ?? null, createdBy: principal.tokenId };
      const code = await deps.experiments.links.create(scope.corpId, stored, () => randomCode());
      return { code, shortUrl: `/r/${code}`, url: b.url, touchKey: b.touchKey ?? null, ...fields };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/r/:code',
    tag: 'experiments',
    summary: '短链跳转 Open a tracked short link: records link.clicked and redirects (302)',
    roles: 'public',
    params: z.object({ code: z.string().max(64) }),
    async handler({ params }, { koa }) {
      pageHeaders(koa);
      koa.set('Cache-Control', 'no-store');
      const link = CODE.test(params.code) ? await deps.experiments.links.findByCode(params.code) : null;
      if (!link || !isHttpUrl(link.url)) {
        koa.type = 'text/html; charset=utf-8';
        return reply(404, notFoundPage);
      }
      const now = deps.clock.now();
      await deps.events.append(link.corpId, {
        key: `click:${link.code}:${Math.floor(now.getTime() / 60_000)}`,
        direction: 'inbound',
        channel: 'web',
        type: 'link.clicked',
        contactId: link.contactId,
        storeId: link.storeId,
        occurredAt: now,
        payload: { code: link.code, url: link.url, touchKey: link.touchKey, sopId: link.sopId, stepId: link.stepId, experiment: link.experiment, variant: link.variant },
      });
      koa.redirect(link.url);
      return undefined;
    },
  }),
];
}
