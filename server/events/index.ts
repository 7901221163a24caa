/**
 * The events face: the append-only event log (`events`). Every domain records what happened through `append`
 * (idempotent on the key) and reads a contact's timeline; the only file of server/events/ other domains import.
 */
import type { Clock } from '../shared/clock.ts';
import { EventLogRepository } from './event-log.repository.ts';
import type { EventsModels } from './events.models.ts';

export { registerEventsModels, type EventsModels } from './events.models.ts';
export type { EventDto, NewEvent } from './event-log.repository.ts';
export type { EventDoc } from './event.schema.ts';

export type EventsModule = EventLogRepository;

export type EventsDeps = {
  models: EventsModels;
  clock: Clock;
  /** Called once per append (metrics count events by channel and type, duplicates apart). */
  onAppend?: (e: { channel: string; type: string; duplicate: boolean }) => void;
};

export function createEventsModule(deps: EventsDeps): EventsModule {
  return new EventLogRepository(deps.models, deps.clock, deps.onAppend);
}
