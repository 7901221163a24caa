/**
 * Tracked short links. Marketers (later the SOP content renderer, one link per touch) create `/r/<code>`;
 * opening it records `link.clicked` for the link's contact, with the touch's SOP step, experiment and
 * variant (what branch conditions and experiment clicks read), and redirects. Clicks on one code are
 * recorded once a minute (reloads and link previews are not new clicks). Only http(s) targets are stored.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { BadRequestError, NotFoundError, isDuplicateKeyError } from '../errors.ts';
import { corpIdQuery, resolveScope } from '../http/corp-scope.ts';
import { defineRoute, reply } from '../http/route.ts';
import { objectIdString } from '../shared/object-id.ts';
import { pageHeaders } from '../web/web.route.ts';

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
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>链接不存在 · 思域</title></head>
<body><main><h1>链接不存在或已失效</h1><p lang="en">This link does not exist or has expired.</p></main></body></html>`;

export const shortLinkRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/links',
    tag: 'experiments',
    summary: '创建追踪短链 Create a tracked short link /r/<code> (for a touch, a contact, an experiment arm)',
    roles: ['hq_admin', 'marketer'],
    query: z.strictObject({ ...corpIdQuery }),
    body,
    status: 201,
    async handler({ query, body: b }, { principal, services }) {
      const scope = await resolveScope(principal, query.corpId, services);
      const m = services.db.models;
      const touch = b.touchKey ? await services.ledger.touches.findByKey(scope.corpId, b.touchKey) : null;
      if (b.touchKey && !touch) throw new NotFoundError('touch', b.touchKey);
      const fields = { contactId: touch?.contactId ?? b.contactId ?? null, experiment: touch?.experiment ?? b.experiment ?? null, variant: touch?.variant ?? b.variant ?? null };
      const clash = (['contactId', 'experiment', 'variant'] as const).filter((k) => b[k] !== undefined && b[k] !== fields[k]);
      if (clash.length) throw new BadRequestError('the touch says otherwise', clash.map((k) => ({ path: `body.${k}`, message: `the touch has ${fields[k] ?? 'none'}` })));
      if (fields.contactId && !touch && !(await services.contacts.findRow(scope, fields.contactId))) throw new NotFoundError('contact', fields.contactId);
      for (let attempt = 0; ; attempt++) {
        const code = randomCode();
        try {
          await m.ShortLink.create({ corpId: scope.corpId, code, url: b.url, touchKey: b.touchKey ?? null, ...fields, storeId: touch?.storeId ?? null, sopId: touch?.sopId ?? null, stepId: touch?.stepId ?? null, createdBy: principal?.tokenId ?? null });
          return { code, shortUrl: `/r/${code}`, url: b.url, touchKey: b.touchKey ?? null, ...fields };
        } catch (err) {
          if (!isDuplicateKeyError(err) || attempt >= 4) throw err;
        }
      }
    },
  }),
  defineRoute({
    method: 'get',
    path: '/r/:code',
    tag: 'experiments',
    summary: '短链跳转 Open a tracked short link: records link.clicked and redirects (302)',
    roles: 'public',
    params: z.object({ code: z.string().max(64) }),
    async handler({ params }, { koa, services }) {
      pageHeaders(koa);
      koa.set('Cache-Control', 'no-store');
      const link = CODE.test(params.code) ? await services.db.models.ShortLink.findOne({ code: params.code }).lean() : null;
      if (!link || !isHttpUrl(link.url)) {
        koa.type = 'text/html; charset=utf-8';
        return reply(404, notFoundPage);
      }
      const now = services.clock.now();
      await services.events.append(link.corpId, {
        key: `click:${link.code}:${Math.floor(now.getTime() / 60_000)}`,
        direction: 'inbound',
        channel: 'web',
        type: 'link.clicked',
        contactId: link.contactId ?? null,
        storeId: link.storeId ?? null,
        occurredAt: now,
        payload: { code: link.code, url: link.url, touchKey: link.touchKey ?? null, sopId: link.sopId ?? null, stepId: link.stepId ?? null, experiment: link.experiment ?? null, variant: link.variant ?? null },
      });
      koa.redirect(link.url);
      return undefined;
    },
  }),
];
