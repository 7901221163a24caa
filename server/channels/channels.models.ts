/** The collections the channels domain owns: accounts, the inbox, replay keys, kf cursors, owed details, sync runs. */
import type { Connection } from 'mongoose';
import { callbackReplaySchema } from './callback-replay.schema.ts';
import { channelAccountSchema } from './channel-account.schema.ts';
import { detailDueSchema } from './detail-due.schema.ts';
import { inboundRawSchema } from './inbound-raw.schema.ts';
import { kfCursorSchema } from './kf-cursor.schema.ts';
import { syncRunSchema } from './sync/sync-run.schema.ts';

export function registerChannelsModels(conn: Connection) {
  return {
    ChannelAccount: conn.model('ChannelAccount', channelAccountSchema),
    InboundRaw: conn.model('InboundRaw', inboundRawSchema),
    CallbackReplay: conn.model('CallbackReplay', callbackReplaySchema),
    KfCursor: conn.model('KfCursor', kfCursorSchema),
    DetailDue: conn.model('DetailDue', detailDueSchema),
    SyncRun: conn.model('SyncRun', syncRunSchema),
  };
}

export type ChannelsModels = ReturnType<typeof registerChannelsModels>;
