/**
 * JSON bodies read with an explicit byte limit. Kept apart from any global body parser because the callback
 * routes (channels) must see the raw bytes to verify signatures.
 */
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { BadRequestError, ErrorCode, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors.ts';

export async function readRawBody(ctx: Context, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) throw new PayloadTooLargeError(limit);
  try {
    return await getRawBody(ctx.req, { limit, length: ctx.get('content-length') || undefined });
  } catch (err) {
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') throw new PayloadTooLargeError(limit);
    if (type === 'request.size.invalid') throw new BadRequestError('请求体长度与 Content-Length 不符 Request body length does not match Content-Length');
    throw err;
  }
}

export async function readJsonBody(ctx: Context, limit: number): Promise<unknown> {
  const raw = await readRawBody(ctx, limit);
  if (!raw.length) return undefined;
  if (!ctx.is('application/json', 'application/*+json')) throw new UnsupportedMediaTypeError('application/json');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new BadRequestError(`JSON 格式错误 Malformed JSON: ${(err as Error).message}`, undefined, ErrorCode.MalformedJson);
  }
}
