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
import { decodeTimePoint, encodeTimePoint, type TimePoint } from '../shared/pagination.ts';
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
  leads: { forContact(scope: Scope, contactId: string): Promise<Array<{ id: string; campaignId: string; status: string }>> };
  /** The activity feed's other sources, each newest first after a point (events: replies and channel events). */
  events: { activityBefore(corpId: string, contactId: string, before: TimePoint | null, limit: number): Promise<Array<{ id: string; type: string; channel: string; direction: string; occurredAt: Date; payload: Record<string, unknown> }>> };
  touchFeed: { activityBefore(corpId: string, contactId: string, before: TimePoint | null, limit: number): Promise<Array<{ _id: unknown; sopId: string; channel: string; status: string; reason?: Maybe<string>; sentAt?: Maybe<Date>; dueAt: Date; text?: Maybe<string> }>> };
  tasks: { activityBefore(scope: Scope, contactId: string, before: TimePoint | null, limit: number): Promise<Array<{ id: string; kind: string; title: string; status: string; staffId: string; dueAt: Date }>> };
};

/** One entry of a customer's activity: an event (channel events, replies, tag and consent changes), a touch or a task. */
type Activity = { kind: 'event' | 'touch' | 'task'; id: string; at: Date; [k: string]: unknown };

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
    defineRoute({
      method: 'get',
      path: '/api/contacts/:id/activity',
      tag: 'contacts',
      summary: '客户动态 The customer’s timeline merged from events (messages, replies, changes), SOP touches and staff tasks, newest first, in cursor pages',
      scoped: true,
      roles: ROLES,
      params: z.strictObject({ id: objectIdString }),
      query: z.strictObject({ ...corpIdQuery, limit: z.coerce.number().int().min(1).max(100).default(20), cursor: z.string().max(80).optional() }),
      async handler({ params, query }, { scope }) {
        const contact = await deps.contacts.get(scope, params.id);
        const before = decodeTimePoint(query.cursor);
        // Each source gives its newest `limit + 1` after the point; the page is the newest `limit` of all of them, so
        // nothing is skipped (what a source gave beyond the page comes again on the next one), and a row left over
        // says there is a next page.
        const n = query.limit + 1;
        const [events, touches, tasks] = await Promise.all([
          deps.events.activityBefore(scope.corpId, contact.id, before, n),
          deps.touchFeed.activityBefore(scope.corpId, contact.id, before, n),
          deps.tasks.activityBefore(scope, contact.id, before, n),
        ]);
        const sopNames = await deps.sopNames.names(scope.corpId, [...new Set(touches.map((t) => t.sopId))]);
        const merged: Activity[] = [
          ...events.map((e) => ({ kind: 'event' as const, id: e.id, at: e.occurredAt, type: e.type, channel: e.channel, direction: e.direction, payload: e.payload })),
          ...touches.map((t) => ({ kind: 'touch' as const, id: String(t._id), at: t.dueAt, sopId: t.sopId, sopName: sopNames.get(t.sopId) ?? t.sopId, channel: t.channel, status: t.status, reason: t.reason ?? null, sentAt: t.sentAt ?? null, text: t.text ?? null })),
          ...tasks.map((t) => ({ kind: 'task' as const, id: t.id, at: t.dueAt, taskKind: t.kind, title: t.title, status: t.status, staffId: t.staffId })),
        ].sort((a, b) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
        const items = merged.slice(0, query.limit);
        const last = items[items.length - 1];
        return { items, nextCursor: merged.length > query.limit && last ? encodeTimePoint({ at: last.at, id: last.id }) : null };
      },
    }),
  ];
}
