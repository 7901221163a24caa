/**
 * Schedule triggers (cron) and audience SOPs' `daily_at`, evaluated per store in the store's own time zone.
 * Each tick looks for the latest due firing since the last one (never a backlog storm after downtime: only
 * the most recent missed firing runs), claims it through a unique row, and enrolls the subjects of that store:
 * contacts matching the audience, the store's customer groups (group SOPs) or its staff (staff SOPs).
 */
import type { OrgModule } from '../../org/index.ts';
import type { SopLedger } from '../ledger/index.ts';
import { nextCronRun } from '../schedule/cron.ts';
import { enroll, type EnrollDeps } from './enroll.ts';
import { subjectRunId } from './routing.ts';
import type { SopContacts, SopGroups } from './sop-ports.ts';
import type { SopRecord, SopRegistry } from './sop-registry.ts';
import { audienceFilter, type AudienceDeps } from './triggers.ts';

/** What schedule triggers read: corps and stores, the store's groups, staff and contacts, and what enrolling needs. */
export type ScheduleDeps = EnrollDeps &
  AudienceDeps & {
    ledger: Pick<SopLedger, 'sops' | 'fires'>;
    org: Pick<OrgModule, 'listCorps' | 'listStores' | 'activeStaffOfStores'>;
    groups: Pick<SopGroups, 'liveChatIdsOfStore'>;
    contacts: Pick<SopContacts, 'idsAtHomeStore'>;
  };

const LOOKBACK_MS = 8 * 86_400_000;

/** The cron expression an SOP fires on, or null for event SOPs and audience SOPs without daily_at. */
export function cronOf(sop: SopRecord): string | null {
  const t = sop.definition.trigger;
  if (t.type === 'schedule') return t.cron;
  if (t.type === 'audience' && t.daily_at) {
    const [hh, mm] = t.daily_at.split(':');
    return `${Number(mm)} ${Number(hh)} * * *`;
  }
  return null;
}

export async function fireDueSchedules(services: ScheduleDeps, registry: SopRegistry, now: Date): Promise<number> {
  const { sops, fires } = services.ledger;
  let fired = 0;
  for (const corp of await services.org.listCorps()) {
    for (const sop of await registry.list(corp.corpId)) {
      const cron = sop.status === 'enabled' ? cronOf(sop) : null;
      if (!cron) continue;
      const t = sop.definition.trigger;
      const storeCodes = t.type === 'schedule' ? t.stores : undefined;
      const stores = (await services.org.listStores({ corpId: corp.corpId, storeIds: null })).filter((s) => !storeCodes || storeCodes.includes(s.code));
      const enabledAt = await sops.enabledAt(corp.corpId, sop.sopId);
      for (const store of stores) {
        const lastAt = await fires.lastFireAt(corp.corpId, sop.sopId, store.id);
        const floor = Math.max(lastAt?.getTime() ?? 0, enabledAt?.getTime() ?? 0, now.getTime() - LOOKBACK_MS);
        let due: Date | null = null;
        for (let next = nextCronRun(cron, store.timezone, new Date(floor)); next && next.getTime() <= now.getTime(); next = nextCronRun(cron, store.timezone, next)) due = next;
        if (!due || (lastAt && due.getTime() <= lastAt.getTime())) continue;
        const fire = { corpId: corp.corpId, sopId: sop.sopId, storeId: store.id, fireAt: due };
        if (!(await fires.claim(fire, now))) continue; // another scheduler process fired it
        const enrolled = await enrollStoreSubjects(services, sop, store.id, due);
        await fires.recordEnrolled(fire, enrolled);
        fired++;
      }
    }
  }
  return fired;
}

async function enrollStoreSubjects(services: ScheduleDeps, sop: SopRecord, storeId: string, at: Date): Promise<number> {
  const { corpId } = sop;
  const subject = sop.definition.subject;
  const ids: string[] = [];
  if (subject === 'group') {
    for (const chatId of await services.groups.liveChatIdsOfStore(corpId, storeId)) ids.push(subjectRunId('group', chatId));
  } else if (subject === 'staff') {
    for (const s of await services.org.activeStaffOfStores(corpId, [storeId])) ids.push(subjectRunId('staff', s.id));
  } else {
    const t = sop.definition.trigger;
    const audience = t.type === 'audience' ? t : t.type === 'schedule' ? t.audience : undefined;
    const base = audience ? await audienceFilter(services, corpId, audience) : services.contacts.filterFor({ corpId, storeIds: null }, {});
    for await (const id of services.contacts.idsAtHomeStore(base, storeId)) ids.push(id);
  }
  let enrolled = 0;
  for (const id of ids) if ((await enroll(services, sop, id, at)).enrolled) enrolled++;
  return enrolled;
}
