/**
 * What the experiments routes need from other domains, described by the methods used: the contacts, events
 * and SOP domains have no face yet, and a structural type keeps this folder off their inner files.
 */
import type { Scope } from '../shared/scope.ts';
import type { ExperimentService } from './experiment.service.ts';

export type LoggedEvent = { id: string; key: string; type: string; contactId: string | null; occurredAt: Date; payload: Record<string, unknown> };

export type EventAppender = {
  append(
    corpId: string,
    e: { key: string; direction: 'inbound'; channel: string; type: string; contactId: string | null; storeId: string | null; occurredAt: Date; payload: Record<string, unknown> },
  ): Promise<{ event: LoggedEvent; duplicate: boolean }>;
};

export type ContactLookup = {
  /** A contact the scope can see, by id. */
  findRow(scope: Scope, id: string): Promise<{ _id: unknown; homeStoreId?: string | null } | null>;
};

export type IdentityLookup = { findByIdentity(corpId: string, identityKey: string): Promise<{ id: string; homeStoreId: string | null } | null> };

export type SopLookup = { get(corpId: string, sopId: string): Promise<Parameters<ExperimentService['ensureForSop']>[1]> };

export type TouchLookup = {
  findByKey(corpId: string, key: string): Promise<{ contactId: string; storeId?: string | null; sopId: string; stepId: string; experiment?: string | null; variant?: string | null } | null>;
};
