/** Vendor client errors → the channel-neutral ChannelError stored on touches (principle 5: a failed send is data). */
import { ChannelError, type ChannelErrorKind } from '../../channel-adapter.ts';
import { WecomApiError, WecomTransportError, type WecomErrorKind } from './wecom-api-error.ts';

const KINDS: Record<WecomErrorKind, ChannelErrorKind> = {
  token: 'auth',
  rate_limit: 'rate_limited',
  config: 'config',
  window: 'window_closed',
  invalid: 'invalid',
  other: 'unknown',
};

/** Maps a thrown client error (WeCom and official-account clients share the error classes) to a ChannelError. */
export function toChannelError(err: unknown): ChannelError {
  if (err instanceof ChannelError) return err;
  if (err instanceof WecomApiError) return new ChannelError({ errcode: err.errcode, message: `${err.api}: ${err.errmsg}`, kind: KINDS[err.kind], cause: err });
  if (err instanceof WecomTransportError) return new ChannelError({ errcode: null, message: `${err.api}: ${err.message}`, kind: 'unavailable', cause: err });
  return new ChannelError({ errcode: null, message: (err as Error)?.message ?? String(err), kind: 'unknown', cause: err });
}
