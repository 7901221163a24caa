/** The events face (so far the part the channels domain uses; the events slice owns and completes it). */
import type { EventLogRepository } from './event-log.repository.ts';

export type { NewEvent } from './event-log.repository.ts';
export type EventsModule = EventLogRepository;
