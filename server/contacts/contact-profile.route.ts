/**
 * The console's customer detail in one answer: the contact with its identities and channels (each WeCom
 * relation with remark, add way and channel code), tags, groups, notes, SOP runs, recent touches, experiment
 * arms and leads. Each part comes from the domain that owns it, through the narrow readers declared below;
 * this file only joins them. The timeline has its own paged route (GET /api/contacts/:id/timeline).
 */
import { z } from 'zod';
import { corpIdQuery } from '../http/corp-scope.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import { objectIdString } from '../shared/object-id.ts';
import { ROLES } from '../shared/principal.ts';
import type { Scope } from '../shared/scope.ts';
import type { ContactRepository } from './contact.repository.ts';
import type { FollowRepository } from './follow.repository.ts';

type Maybe<T> = T | null | undefined;

export type ContactProfileDeps = {
  contacts: Pick<ContactRepository, 'get'>;
  follows: Pick<FollowRepository, 'listForContact'>;
  groups: { listForContact(scope: Scope, contactId: string): Promise<Array<{ chatId: string; name: string; joinTime: Date | null; quitTime: Date | null; dismissed: boolean }>> };
  tags: { list(corpId: string): Promise<Array<{ name: string; tags: Array<{ tagId: string; name: string }> }>> };
  org: {
    staffByIds(corpId: string, ids: readonly string[]): Promise<Array<{ id: string; name: string }>>;
    storeNames(corpId: string): Promise<Map<string, string>>;
  };
  notes: { notesOf(scope: Scope, contactId: string): Promise<unknown[]> };
  runs: { runsOfSubject(corpId: string, subjectId: string, limit?: number): Promise<Array<{ sopId: string; status: string; stepId?: Maybe<string>; dueAt?: Maybe<Date>; enteredAt: Date; endedAt?: Maybe<Date>; exitReason?: Maybe<string> }>> };
  touches: {
    recentForContact(corpId: string, contactId: string, limit: number): Promise<Array<{ sopId: string; channel: string; status: string; reason?: Maybe<string>; sentAt?: Maybe<Date>; dueAt: Date }>>;
    exposuresOfContact(corpId: string, contactId: string): Promise<Array<{ experiment?: Maybe<string>; variant?: Maybe<string>; sentAt?: Maybe<Date> }>>;
  };
  sopNames: { names(corpId: string, sopIds: readonly string[]): Promise<Map<string, string>> };
  experiments: { assignmentsOfContact(corpId: string, contactId: string): Promise<Array<{ experimentId: string; arm: string; assignedAt: Date }>> };
  leads: { forContact(scope: Scope, contactId: string): Promise<Array<{ id: string; campaignId: string; status: string; createdAt?: Maybe<Date> }>> };
};

export function contactProfileRoutes(deps: ContactProfileDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/contacts/:id/profile',
      tag: 'contacts',
      summary: '客户详情（汇总）The customer detail page in one answer: identities and relations, tags, groups, notes, SOP runs, touches, experiment arms, leads',
      scoped: true,
      roles: ROLES,
      params: z.strictObject({ id: objectIdString }),
      query: z.strictObject({ ...corpIdQuery }),
      async handler({ params }, { scope }) {
        // First, alone: a contact outside the caller's stores answers 404 before anything else is read.
        const contact = await deps.contacts.get(scope, params.id);
        const corpId = scope.corpId;
        const [follows, groups, library, notes, runs, touches, exposures, holdouts, leads, stores] = await Promise.all([
          deps.follows.listForContact(scope, contact.id),
          deps.groups.listForContact(scope, contact.id),
          deps.tags.list(corpId),
          deps.notes.notesOf(scope, contact.id),
          deps.runs.runsOfSubject(corpId, contact.id),
          deps.touches.recentForContact(corpId, contact.id, 20),
          deps.touches.exposuresOfContact(corpId, contact.id),
          deps.experiments.assignmentsOfContact(corpId, contact.id),
          deps.leads.forContact(scope, contact.id),
          deps.org.storeNames(corpId),
        ]);
        const [staff, sopNames] = await Promise.all([
          deps.org.staffByIds(corpId, [...new Set(follows.map((f) => f.staffId))]),
          deps.sopNames.names(corpId, [...new Set([...runs.map((r) => r.sopId), ...touches.map((t) => t.sopId)])]),
        ]);
        const staffName = new Map(staff.map((s) => [s.id, s.name]));
        const tagName = new Map(library.flatMap((g) => g.tags.map((t) => [t.tagId, { tagId: t.tagId, name: t.name, group: g.name }] as const)));
        // An arm is what the contact was exposed to (a touch); holdouts are never sent anything, so their assignment counts.
        const arms = new Map<string, { experimentId: string; arm: string; at: Date | null }>();
        for (const t of exposures) if (t.experiment && !arms.has(t.experiment)) arms.set(t.experiment, { experimentId: t.experiment, arm: t.variant ?? '', at: t.sentAt ?? null });
        for (const h of holdouts) if (!arms.has(h.experimentId)) arms.set(h.experimentId, { experimentId: h.experimentId, arm: h.arm, at: h.assignedAt });
        return {
          contact,
          homeStoreName: contact.homeStoreId ? (stores.get(contact.homeStoreId) ?? null) : null,
          relations: follows.map((f) => ({
            staffId: f.staffId,
            staffUserId: f.staffUserId,
            staffName: staffName.get(f.staffId) ?? f.staffUserId,
            storeId: f.storeId,
            storeName: stores.get(f.storeId) ?? null,
            remark: f.remark,
            description: f.description,
            addWay: f.addWay,
            state: f.state || null,
            addedAt: f.addedAt,
            deletedAt: f.deletedAt,
            deletedBy: f.deletedBy,
          })),
          tags: contact.tagIds.map((id) => tagName.get(id) ?? { tagId: id, name: id, group: null }),
          groups,
          notes,
          sops: runs.map((r) => ({ sopId: r.sopId, name: sopNames.get(r.sopId) ?? r.sopId, status: r.status, stepId: r.stepId ?? null, nextAt: r.dueAt ?? null, enteredAt: r.enteredAt, endedAt: r.endedAt ?? null, exitReason: r.exitReason ?? null })),
          touches: touches.map((t) => ({ sopId: t.sopId, sopName: sopNames.get(t.sopId) ?? t.sopId, channel: t.channel, status: t.status, reason: t.reason ?? null, at: t.sentAt ?? t.dueAt })),
          experiments: [...arms.values()],
          leads,
        };
      },
    }),
  ];
}
