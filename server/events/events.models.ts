/** The events domain's collection: the append-only event log. */
import type { Connection } from 'mongoose';
import { eventSchema } from './event.schema.ts';

export function registerEventsModels(conn: Connection) {
  return {
    Event: conn.model('Event', eventSchema),
  };
}

export type EventsModels = ReturnType<typeof registerEventsModels>;
