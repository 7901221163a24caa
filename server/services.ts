/**
 * Builds every repository and service from the database and config: the one place where the object graph
 * is wired. Tests build it with their own clock and keys.
 */
import type { Logger } from 'pino';
import { TokenService } from './auth/token.service.ts';
import type { Config } from './config.ts';
import { ContactIdentityService } from './contacts/contact-identity.service.ts';
import { ContactRepository } from './contacts/contact.repository.ts';
import { FollowRepository } from './contacts/follow.repository.ts';
import { PhoneVault } from './contacts/phone.ts';
import { pingDatabase, type Database } from './db/database.ts';
import { EventLogRepository } from './events/event-log.repository.ts';
import { CustomerGroupRepository } from './groups/customer-group.repository.ts';
import { OrgRepository } from './org/org.repository.ts';
import type { Clock } from './shared/clock.ts';
import type { Metrics } from './system/metrics.ts';
import { TagRepository } from './tags/tag.repository.ts';

export type ServiceDeps = {
  config: Config;
  db: Database;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  keys: { phoneKeyHex: string; hashKeyHex: string };
};

export function buildServices(deps: ServiceDeps) {
  const { db, clock, metrics } = deps;
  const m = db.models;
  const org = new OrgRepository(m);
  const phones = new PhoneVault(deps.keys);
  return {
    ...deps,
    org,
    phones,
    tags: new TagRepository(m),
    contacts: new ContactRepository(m),
    identities: new ContactIdentityService(m, phones, clock),
    follows: new FollowRepository(m, clock),
    groups: new CustomerGroupRepository(m),
    events: new EventLogRepository(m, clock, (e) => metrics.events.inc({ channel: e.channel, type: e.type, duplicate: String(e.duplicate) })),
    tokens: new TokenService(m, org, clock, deps.config.security.adminToken),
    dbUp: () => pingDatabase(db),
  };
}

export type Services = ReturnType<typeof buildServices>;
