/**
 * What a content template says: text with `{{variables}}` plus attachments. The same shape is the editable
 * draft and every immutable published version. Attachments keep URLs, never WeCom media ids (those expire
 * after three days); the sender uploads at send time.
 */
import { z } from 'zod';

export const ATTACHMENT_TYPES = ['image', 'link', 'miniprogram', 'video'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000);

export const attachmentSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('image'), url: httpUrl }),
  z.strictObject({
    type: z.literal('link'),
    title: z.string().trim().min(1).max(128),
    url: httpUrl,
    desc: z.string().max(512).optional(),
    picUrl: httpUrl.optional(),
  }),
  z.strictObject({
    type: z.literal('miniprogram'),
    title: z.string().trim().min(1).max(64),
    appId: z.string().regex(/^wx[0-9a-f]{16}$/, 'a mini program appid such as wx1234567890abcdef'),
    page: z.string().min(1).max(256),
    picUrl: httpUrl,
  }),
  z.strictObject({ type: z.literal('video'), url: httpUrl }),
]);
export type Attachment = z.output<typeof attachmentSchema>;

/**
 * Size caps here only keep requests sane; the per-channel limits are content checks (content-checks.ts), so
 * an over-long draft can be saved and is refused at publish with every problem listed.
 */
export const contentTextSchema = z.string().max(20_000);
export const attachmentsSchema = z.array(attachmentSchema).max(20);

export type ContentBody = { text: string; attachments: Attachment[] };

type AttachmentRow = { type?: string | null; url?: string | null; title?: string | null; desc?: string | null; picUrl?: string | null; appId?: string | null; page?: string | null };

/** A stored attachment (optional fields may come back as null or absent) → the API shape. */
export function toAttachment(row: AttachmentRow): Attachment {
  const s = (v: string | null | undefined) => v ?? '';
  switch (row.type) {
    case 'link':
      return { type: 'link', title: s(row.title), url: s(row.url), ...(row.desc ? { desc: row.desc } : {}), ...(row.picUrl ? { picUrl: row.picUrl } : {}) };
    case 'miniprogram':
      return { type: 'miniprogram', title: s(row.title), appId: s(row.appId), page: s(row.page), picUrl: s(row.picUrl) };
    case 'video':
      return { type: 'video', url: s(row.url) };
    default:
      return { type: 'image', url: s(row.url) };
  }
}

/** Same text and the same attachments in the same order. */
export function sameBody(a: ContentBody, b: ContentBody): boolean {
  return a.text === b.text && JSON.stringify(a.attachments.map(toAttachment)) === JSON.stringify(b.attachments.map(toAttachment));
}
