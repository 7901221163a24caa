import { z } from 'zod';

/** An official account's (公众号/服务号) credentials, as stored in a channel account's `config`. */
export const officialAccountConfigSchema = z.strictObject({
  appId: z.string().min(1).max(64),
  appSecret: z.string().min(1).max(256),
  token: z.string().min(1).max(64),
  /** Set for safe mode (encrypt_type=aes); plain mode needs none. */
  encodingAESKey: z.string().regex(/^[A-Za-z0-9+/]{43}$/, 'must be 43 base64 characters').optional(),
  apiBase: z.url().optional(),
});

export type OfficialAccountConfig = z.infer<typeof officialAccountConfigSchema>;
