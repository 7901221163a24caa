/**
 * Tags changed from the chat sidebar: stored on the contact (atomic add / remove, like the contact API), recorded
 * in the event log (SOP tag triggers read it), and mirrored to WeCom with mark_tag as the staff member of the open
 * chat — or, for a caller without a relation (HQ), the customer's first live relation. Tags created here and not
 * yet in WeCom (`siyu_` ids) stay local. A WeCom refusal does not undo the local change: it is reported.
 */
import { ChannelError } from '../../adapters/channel-adapter.ts';
import type { Scope } from '../shared/scope.ts';
import { corpWecom } from './corp-wecom.ts';
import { findSidebarContact, type Caller, type SidebarDeps } from './sidebar-profile.ts';

export type TagMirror =
  | { status: 'mirrored'; staffUserId: string }
  | { status: 'skipped' | 'not_supported' }
  | { status: 'failed'; errcode: number | null; message: string };

const isLocal = (tagId: string) => tagId.startsWith('siyu_');

export async function changeSidebarTags(services: SidebarDeps, scope: Scope, principal: Caller, externalUserId: string, add: string[], remove: string[]) {
  const row = await findSidebarContact(services, scope, externalUserId);
  const contactId = String(row._id);
  await services.tags.assertExist(scope.corpId, add);
  const at = services.clock.now();
  const after = await services.contacts.changeTags(scope, contactId, add, remove, at);
  const before = row.tagIds ?? [];
  const added = after.tagIds.filter((t) => !before.includes(t));
  const removed = before.filter((t) => !after.tagIds.includes(t));
  if (added.length || removed.length) {
    const names = new Map((await services.tags.list(scope.corpId)).flatMap((g) => g.tags.map((t) => [t.tagId, t.name] as const)));
    await services.events.append(scope.corpId, {
      key: `tags:${contactId}:${principal.tokenId}:${at.getTime()}:${added.join(',')}:${removed.join(',')}`,
      direction: 'internal',
      channel: 'siyu',
      type: 'contact.tags_changed',
      contactId,
      occurredAt: at,
      payload: { added, removed, addedNames: added.map((id) => names.get(id) ?? id), by: principal.staffId ?? principal.tokenId, via: 'sidebar' },
    });
  }
  const wecomAdd = added.filter((t) => !isLocal(t));
  const wecomRemove = removed.filter((t) => !isLocal(t));
  let mirror: TagMirror = { status: 'skipped' };
  if (wecomAdd.length || wecomRemove.length) {
    const follows = (await services.follows.listForContact(scope, contactId)).filter((f) => !f.deletedAt);
    const follow = follows.find((f) => f.staffId === principal.staffId) ?? follows[0];
    const wecom = await corpWecom(services, scope.corpId);
    if (!follow || !wecom?.adapter.markTags) mirror = { status: 'not_supported' };
    else {
      try {
        await wecom.adapter.markTags(follow.staffUserId, externalUserId, wecomAdd, wecomRemove);
        mirror = { status: 'mirrored', staffUserId: follow.staffUserId };
        // The follow keeps WeCom's per-relation tags; an edit_external_contact callback would write the same.
        await services.follows.changeRelationTags(scope.corpId, contactId, follow.staffId, wecomAdd, wecomRemove);
      } catch (err) {
        const e = err instanceof ChannelError ? err : null;
        mirror = { status: 'failed', errcode: e?.errcode ?? null, message: (err as Error).message };
      }
    }
  }
  return { tagIds: after.tagIds, added, removed, mirror };
}
