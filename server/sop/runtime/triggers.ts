/**
 * What starts a run. Event triggers fire from the inbound pipeline after an event is stored (friend added with a
 * `state` prefix, official-account subscription with a scene prefix, kf session entered, tag added, group
 * joined); audience triggers enroll every matching contact when the SOP is enabled and, with `daily_at`, every
 * day — streamed with a cursor, never loaded into memory.
 */
import type { OrgModule } from '../../org/index.ts';
import type { AudienceFilter, Sop } from '../definition/sop.schema.ts';
import { bulkEnroll, type BulkEnrollDeps } from './bulk-enroll.ts';
import { enroll, type EnrollDeps } from './enroll.ts';
import type { SopContacts, SopTags } from './sop-ports.ts';
import type { SopRecord, SopRegistry } from './sop-registry.ts';
import { knownTagIds } from './tag-names.ts';
import { audienceCount, type AudienceCount } from './audience-count.ts';

/** What turns an SOP's audience into a contact filter: store codes, tag names and the contacts' filter. */
export type AudienceDeps = { contacts: Pick<SopContacts, 'filterFor'>; org: Pick<OrgModule, 'storeIdsByCodes'>; tags: SopTags };

export type TriggerEvent = { corpId: string; type: string; contactId: string | null; occurredAt: Date; payload: Record<string, unknown> };

/** Our event-log types → the SOP trigger event names they can fire. */
function triggerNameOf(e: TriggerEvent): string | null {
  if (e.type === 'friend_added') return 'friend_added';
  if (e.type === 'oa_subscribed') return 'oa_subscribed';
  if (e.type === 'kf.enter_session') return 'kf_session_started';
  if (e.type === 'contact.tags_changed') return 'tag_added';
  if (e.type === 'group_updated' && e.payload.updateDetail === 'add_member') return 'joined_group';
  return null;
}

function matches(sop: Sop, e: TriggerEvent): boolean {
  const t = sop.trigger;
  if (t.type !== 'event') return false;
  const p = e.payload;
  switch (t.event) {
    case 'friend_added':
      return !t.state_prefix || (typeof p.state === 'string' && p.state.startsWith(t.state_prefix));
    case 'oa_subscribed':
      return !t.scene_prefix || (typeof p.scene === 'string' && p.scene.startsWith(t.scene_prefix));
    case 'kf_session_started':
      return !t.scene || (p.raw as { event?: { scene?: string } } | undefined)?.event?.scene === t.scene;
    case 'tag_added':
      return Array.isArray(p.addedNames) && p.addedNames.includes(t.tag);
    case 'joined_group':
      return true;
  }
}

export async function fireEventTriggers(services: EnrollDeps, registry: SopRegistry, e: TriggerEvent): Promise<number> {
  const name = triggerNameOf(e);
  if (!name || !e.contactId) return 0;
  let enrolled = 0;
  for (const sop of await registry.enabledForEvent(e.corpId, name)) {
    if (!matches(sop.definition, e)) continue;
    const r = await enroll(services, sop, e.contactId, e.occurredAt);
    if (r.enrolled) enrolled++;
  }
  return enrolled;
}

/**
 * Enrolls every contact the SOP's audience matches, streaming the contact collection in batches (bulk-enroll.ts);
 * `dryRun` counts the same way and writes nothing. The result explains matched versus enrolled.
 */
export async function enrollAudience(services: AudienceDeps & BulkEnrollDeps, sop: SopRecord, at: Date, opts: { dryRun?: boolean } = {}): Promise<AudienceCount> {
  const t = sop.definition.trigger;
  const audience: AudienceFilter | undefined = t.type === 'audience' ? t : t.type === 'schedule' ? t.audience : undefined;
  const mode = opts.dryRun ? 'dry_run' : 'enable';
  if (!audience) return audienceCount({ matched: 0, enrolled: 0, skipped: {}, noStaff: 0 }, mode);
  return audienceCount(await bulkEnroll(services, sop, await audienceFilter(services, sop.corpId, audience), at, { dryRun: opts.dryRun ?? false }), mode);
}

export async function audienceFilter(services: AudienceDeps, corpId: string, a: AudienceFilter): Promise<Record<string, unknown>> {
  const storeIds = a.stores?.length ? await services.org.storeIdsByCodes(corpId, a.stores) : null;
  return services.contacts.filterFor(
    { corpId, storeIds: null },
    {
      tagsAll: a.tags?.all ? await knownTagIds(services, corpId, a.tags.all) : undefined,
      tagsAny: a.tags?.any ? await knownTagIds(services, corpId, a.tags.any) : undefined,
      tagsNone: a.tags?.none ? await knownTagIds(services, corpId, a.tags.none) : undefined,
      lifecycle: a.lifecycle,
      ...(storeIds ? { storeIds } : {}),
    },
  );
}
