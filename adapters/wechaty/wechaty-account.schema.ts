/**
 * The `config` of a wechaty channel account (a bot on an RPA puppet). The development default account is
 * filled from `WECHATY_PUPPET` and `WECHATY_PUPPET_SERVICE_TOKEN` by server/config.ts; stored accounts carry
 * the same fields. https://wechaty.js.org/docs/api/wechaty#new-wechatyoptions
 */
import { z } from 'zod';
import { DEFAULT_FRIEND_ADD_PACING, friendAddPacingSchema } from './friendship-pacer.ts';

/** An npm puppet module name: `wechaty-puppet-service`, `@juzibot/wechaty-puppet-…`. */
const PUPPET_NAME = /^(@[a-z0-9][\w.-]*\/)?wechaty-puppet-[a-z0-9][\w.-]*$/;

export const wechatyAccountConfigSchema = z.strictObject({
  /** Stable id of the bot account; part of every idempotency key (`wechaty:{botId}:…`), so no `:`. */
  botId: z.string().regex(/^[\w.@-]+$/, 'letters, digits, _ . @ - only').max(128),
  /** The wechaty instance name (also the memory-card file name keeping the puppet's login); defaults to botId. */
  name: z.string().min(1).max(128).optional(),
  puppet: z.string().regex(PUPPET_NAME, 'must be a wechaty puppet package name'),
  /** wechaty-puppet-service token (`puppet_workpro_…`). */
  puppetToken: z.string().min(1).optional(),
  /** Skip TLS to the puppet service; WorkPro tokens need it (WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT). */
  puppetTlsDisabled: z.boolean().default(false),
  /** Pacing for add-friend campaigns run through `Friendship.add`. */
  friendAdd: friendAddPacingSchema.default(DEFAULT_FRIEND_ADD_PACING),
});

export type WechatyAccountConfig = z.output<typeof wechatyAccountConfigSchema>;
