import { z } from 'zod';

/** A WeCom self-built app's credentials, as stored in a channel account's `config`. */
export const wecomAccountConfigSchema = z.strictObject({
  corpId: z.string().min(1).max(64),
  secret: z.string().min(1).max(256),
  token: z.string().min(1).max(64),
  encodingAESKey: z.string().regex(/^[A-Za-z0-9+/]{43}$/, 'must be 43 base64 characters'),
  agentId: z.string().regex(/^\d+$/).optional(),
  /** Server API base; defaults to Tencent's. Tests and demo mode point it at the simulator. */
  apiBase: z.url().optional(),
});

export type WecomAccountConfig = z.infer<typeof wecomAccountConfigSchema>;
