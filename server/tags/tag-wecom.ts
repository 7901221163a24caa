/**
 * Which tags are WeCom's and how a WeCom refusal reaches the caller. A tag or group whose id does not start
 * `siyu_` was issued by WeCom: every change to it goes to WeCom first and only then here, so a refusal leaves the
 * local library exactly as it was (the next sync would otherwise undo a local-only change).
 */
import { ChannelError, type ChannelAdapter } from '../../adapters/channel-adapter.ts';
import { describeVendorError } from '../../adapters/registry.ts';
import { AppError, ErrorCode } from '../errors.ts';

export const isLocal = (id: string) => id.startsWith('siyu_');

/** The corp's WeCom adapter, or null when the corp has no WeCom account. */
export type CorpTagAdapter = (corpId: string) => Promise<Pick<ChannelAdapter, 'markTags' | 'deleteCorpTags' | 'createCorpTags' | 'editCorpTag' | 'deleteCorpTagGroups'> | null>;

/** A vendor refused the change; `details` carries the errcode and its zh-CN explanation. */
export class VendorRefusedError extends AppError {
  constructor(what: string, err: unknown) {
    const errcode = err instanceof ChannelError ? err.errcode : null;
    const reason = errcode !== null ? describeVendorError(errcode) : (err as Error).message;
    super(502, ErrorCode.Unavailable, `企业微信拒绝了${what}，本地数据未改动：${reason} WeCom refused; nothing was changed here`, { errcode, reason });
  }
}

/** Runs one WeCom call, turning its refusal into a VendorRefusedError naming `what`. */
export async function atWecom<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new VendorRefusedError(what, err);
  }
}
