import { z } from 'zod';
import { ROLES } from '../auth/index.ts';
import { BadRequestError } from '../errors.ts';
import type { EventsModule } from '../events/index.ts';
import type { GroupsModule } from '../groups/index.ts';
import { corpIdQuery } from '../http/corp-scope.ts';
import { defineRoute, reply, type RouteDef } from '../http/route.ts';
import type { OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import { objectIdString } from '../shared/object-id.ts';
import { pageQuery } from '../shared/pagination.ts';
import { contactListRoutes, type ContactListRouteDeps } from './contact-list.route.ts';
import { LIFECYCLE_STAGES } from './contact.schema.ts';
import { identitySchema } from './identity.ts';
import type { TagsModule } from '../tags/index.ts';
import type { ContactIdentityRepository } from './contact-identity.repository.ts';
import type { ContactRepository } from './contact.repository.ts';
import type { FollowRepository } from './follow.repository.ts';

const idParams = z.strictObject({ id: objectIdString });
const corpOnly = z.strictObject({ ...corpIdQuery });

const contactBody = z.strictObject({
  identities: z.array(identitySchema).max(20).default([]),
  phone: z.string().min(5).max(32).optional(),
  name: z.string().max(100).optional(),
  avatar: z.url().max(1000).optional(),
  gender: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  lifecycle: z.enum(LIFECYCLE_STAGES).optional(),
  homeStoreId: objectIdString.optional(),
});

/** What the contact routes read and write: the contact store and what a contact's detail page shows. */
export type ContactRouteDeps = ContactListRouteDeps & {
  contacts: ContactRepository;
  identities: Pick<ContactIdentityRepository, 'upsert'>;
  follows: Pick<FollowRepository, 'listForContact' | 'liveOfContacts' | 'changeRelationTags'>;
  groups: Pick<GroupsModule, 'listForContact'>;
  tags: Pick<TagsModule, 'list' | 'assertExist'>;
  events: Pick<EventsModule, 'append' | 'timeline'>;
  org: Pick<OrgModule, 'getStore' | 'listStores' | 'listStaff'>;
  clock: Clock;
};

export function contactRoutes(deps: ContactRouteDeps): RouteDef[] {
  return [
    // The list routes first: /api/contacts/count and /export.csv must not reach /api/contacts/:id.
    ...contactListRoutes(deps),
    defineRoute({
      method: 'post',
      path: '/api/contacts',
      tag: 'contacts',
      summary: '按身份新建或合并客户 Upsert a contact by identity (same unionid / phone → one contact)',
      scoped: true,
      roles: ['hq_admin', 'marketer'],
      query: corpOnly,
      body: contactBody,
      async handler({ body }, { scope }) {
        if (!body.identities.length && !body.phone) throw new BadRequestError('请至少提供一个身份或手机号 Give at least one identity or a phone', [{ path: 'body.identities', message: '为空 Empty' }]);
        if (body.homeStoreId) await deps.org.getStore(scope, body.homeStoreId);
        const result = await deps.identities.upsert(scope.corpId, {
          identities: body.identities,
          phone: body.phone,
          profile: { name: body.name, avatar: body.avatar, gender: body.gender, lifecycle: body.lifecycle, homeStoreId: body.homeStoreId },
        });
        return reply(result.created ? 201 : 200, result);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/contacts/:id',
      tag: 'contacts',
      summary: '客户详情 A contact with channels, follows (with state), tags and groups',
      scoped: true,
      roles: ROLES,
      params: idParams,
      query: corpOnly,
      async handler({ params }, { scope }) {
        const contact = await deps.contacts.get(scope, params.id);
        const [follows, groups, tagGroups] = await Promise.all([
          deps.follows.listForContact(scope, contact.id),
          deps.groups.listForContact(scope, contact.id),
          deps.tags.list(scope.corpId),
        ]);
        const tagNames = new Map(tagGroups.flatMap((g) => g.tags.map((t) => [t.tagId, { tagId: t.tagId, name: t.name, group: g.name }] as const)));
        return { ...contact, follows, groups, tags: contact.tagIds.map((t) => tagNames.get(t) ?? { tagId: t, name: t, group: null }) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/contacts/:id/timeline',
      tag: 'contacts',
      summary: '客户时间线 The contact’s event log, newest first',
      scoped: true,
      roles: ROLES,
      params: idParams,
      query: z.strictObject({ ...corpIdQuery, ...pageQuery }),
      async handler({ params, query }, { scope }) {
        await deps.contacts.get(scope, params.id);
        return deps.events.timeline(scope, params.id, { limit: query.limit, cursor: query.cursor });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/contacts/:id/tags',
      tag: 'contacts',
      summary: '打标签 / 移除标签 Add and remove tags',
      scoped: true,
      roles: ROLES,
      params: idParams,
      query: corpOnly,
      body: z
        .strictObject({ add: z.array(z.string().min(1).max(64)).max(100).default([]), remove: z.array(z.string().min(1).max(64)).max(100).default([]) })
        .refine((b) => b.add.length + b.remove.length > 0, { message: '请至少添加或移除一个标签 Add or remove at least one tag' }),
      async handler({ params, body }, { principal, scope }) {
        await deps.tags.assertExist(scope.corpId, body.add);
        const before = await deps.contacts.get(scope, params.id);
        const after = await deps.contacts.changeTags(scope, params.id, body.add, body.remove, deps.clock.now());
        const added = after.tagIds.filter((t) => !before.tagIds.includes(t));
        const removed = before.tagIds.filter((t) => !after.tagIds.includes(t));
        if (added.length || removed.length) {
          const at = deps.clock.now();
          await deps.events.append(scope.corpId, {
            key: `tags:${params.id}:${principal?.tokenId}:${at.getTime()}:${added.join(',')}:${removed.join(',')}`,
            direction: 'internal',
            channel: 'siyu',
            type: 'contact.tags_changed',
            contactId: params.id,
            occurredAt: at,
            // Names too: SOP tag triggers name tags the way people do.
            payload: { added, removed, addedNames: await tagNames(deps.tags, scope.corpId, added), by: principal?.staffId ?? principal?.tokenId ?? null },
          });
        }
        return after;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/contacts/:id/consent',
      tag: 'contacts',
      summary: '退订 / 恢复接收 Opt a contact out of marketing touches (or back in); recorded as contact.opted_out / contact.opted_in',
      scoped: true,
      roles: ROLES,
      params: idParams,
      query: corpOnly,
      body: z.strictObject({ optedOut: z.boolean(), reason: z.string().min(1).max(200).optional() }),
      async handler({ params, body }, { principal, scope }) {
        const at = deps.clock.now();
        const { changed, contact } = await deps.contacts.setConsent(scope, params.id, body.optedOut, at);
        // Experiments read the opted-out guardrail and SOP exits read opt-outs from the event log.
        if (changed) {
          await deps.events.append(scope.corpId, {
            key: `consent:${params.id}:${at.getTime()}:${body.optedOut ? 'out' : 'in'}`,
            direction: 'internal',
            channel: 'siyu',
            type: body.optedOut ? 'contact.opted_out' : 'contact.opted_in',
            contactId: params.id,
            occurredAt: at,
            payload: { source: 'staff', reason: body.reason ?? null, by: principal?.staffId ?? principal?.tokenId ?? null },
          });
        }
        return { changed, contact };
      },
    }),
  ];
}

async function tagNames(tags: Pick<TagsModule, 'list'>, corpId: string, ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const byId = new Map((await tags.list(corpId)).flatMap((g) => g.tags.map((t) => [t.tagId, t.name] as const)));
  return ids.map((id) => byId.get(id) ?? id);
}
