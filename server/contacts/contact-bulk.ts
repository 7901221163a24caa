/**
 * Bulk tag / untag of everything a filter selects. Two calls: a dry run answers how many contacts the filter
 * selects now; the real call carries the count the user confirmed and is refused when the selection has since
 * moved by more than a little (new customers arrived, someone else retagged) or is over the bound, so nobody
 * retags 80,000 customers believing they retag 800.
 *
 * Each changed contact is treated as the single-contact edit treats it: tags stored with atomic updates, one
 * `contact.tags_changed` event (SOP tag triggers and experiment outcomes read it), and WeCom tags (ids not
 * starting `siyu_`) mirrored with mark_tag as the customer's oldest live relation, like the sidebar's tag edit.
 * A WeCom refusal does not undo the local change; it is counted and the first reasons are reported.
 */
import { ChannelError, type ChannelAdapter } from '../../adapters/channel-adapter.ts';
import { BadRequestError, ConflictError } from '../errors.ts';
import type { EventsModule } from '../events/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Scope } from '../shared/scope.ts';
import type { TagsModule } from '../tags/index.ts';
import type { BulkTagChange, ContactFilter, ContactRepository } from './contact.repository.ts';
import type { FollowRepository } from './follow.repository.ts';

/** The most contacts one bulk edit may change: beyond it, a mistaken filter costs more than splitting the work. */
export const BULK_TAG_BOUND = 50_000;

/** How far the selection may move between preview and confirmation: 1 %, at least 5 contacts. */
export function countTolerance(confirmed: number): number {
  return Math.max(5, Math.ceil(confirmed * 0.01));
}

export type BulkTagDeps = {
  contacts: Pick<ContactRepository, 'count' | 'bulkChangeTags'>;
  follows: Pick<FollowRepository, 'liveOfContacts' | 'changeRelationTags'>;
  tags: Pick<TagsModule, 'assertExist' | 'list'>;
  events: Pick<EventsModule, 'append'>;
  /** The corp's WeCom adapter (default account, else the first), or null when it has none. */
  wecomAdapter(corpId: string): Promise<ChannelAdapter | null>;
  clock: Clock;
  /** BULK_TAG_BOUND unless given (specs lower it rather than seed 50,000 contacts). */
  bound?: number;
};

export type BulkTagRequest = { add: string[]; remove: string[]; dryRun: boolean; confirmedCount?: number; by: string | null };

export type BulkTagResult =
  | { dryRun: true; count: number; bound: number }
  | { dryRun: false; count: number; changed: number; mirror: { mirrored: number; failed: number; skipped: number; errors: Array<{ contactId: string; errcode: number | null; message: string }> } };

const isLocal = (tagId: string) => tagId.startsWith('siyu_');
const MIRROR_CONCURRENCY = 8;

export async function bulkTag(deps: BulkTagDeps, scope: Scope, filter: ContactFilter, req: BulkTagRequest): Promise<BulkTagResult> {
  await deps.tags.assertExist(scope.corpId, req.add);
  const bound = deps.bound ?? BULK_TAG_BOUND;
  const count = await deps.contacts.count(scope, filter);
  if (req.dryRun) return { dryRun: true, count, bound };
  if (count > bound) {
    throw new BadRequestError(`筛选命中 ${count} 位客户，超过单次批量上限 ${bound} 位，请缩小筛选范围后重试 The filter selects ${count} contacts, over the bound of ${bound}`, [{ path: 'body.filter', message: `over ${bound}` }]);
  }
  if (req.confirmedCount === undefined) {
    throw new BadRequestError('请先预览人数并确认 Preview the count (dryRun) and send it back as confirmedCount', [{ path: 'body.confirmedCount', message: 'required unless dryRun' }]);
  }
  if (Math.abs(count - req.confirmedCount) > countTolerance(req.confirmedCount)) {
    throw new ConflictError(`筛选结果已从确认时的 ${req.confirmedCount} 位变为 ${count} 位，请重新预览后再确认 The selection changed from ${req.confirmedCount} to ${count} contacts`, { confirmedCount: req.confirmedCount, count });
  }

  const at = deps.clock.now();
  const names = new Map((await deps.tags.list(scope.corpId)).flatMap((g) => g.tags.map((t) => [t.tagId, t.name] as const)));
  const wecomTouched = [...req.add, ...req.remove].some((t) => !isLocal(t));
  const adapter = wecomTouched ? await deps.wecomAdapter(scope.corpId) : null;
  const mirror = { mirrored: 0, failed: 0, skipped: 0, errors: [] as Array<{ contactId: string; errcode: number | null; message: string }> };
  let changed = 0;
  for await (const batch of deps.contacts.bulkChangeTags(scope, filter, req.add, req.remove, at)) {
    changed += batch.length;
    await inChunks(batch, 50, (c) =>
      deps.events.append(scope.corpId, {
        key: `tags:${c.contactId}:bulk:${at.getTime()}:${c.added.join(',')}:${c.removed.join(',')}`,
        direction: 'internal',
        channel: 'siyu',
        type: 'contact.tags_changed',
        contactId: c.contactId,
        occurredAt: at,
        payload: { added: c.added, removed: c.removed, addedNames: c.added.map((id) => names.get(id) ?? id), by: req.by, via: 'bulk' },
      }),
    );
    if (wecomTouched) await mirrorBatch(deps, scope.corpId, adapter, batch, mirror);
  }
  return { dryRun: false, count, changed, mirror };
}

async function mirrorBatch(deps: BulkTagDeps, corpId: string, adapter: ChannelAdapter | null, batch: BulkTagChange[], out: Extract<BulkTagResult, { dryRun: false }>['mirror']): Promise<void> {
  const wanted = batch
    .map((c) => ({ ...c, add: c.added.filter((t) => !isLocal(t)), remove: c.removed.filter((t) => !isLocal(t)) }))
    .filter((c) => c.add.length || c.remove.length);
  if (!wanted.length) return;
  const follows = await deps.follows.liveOfContacts(corpId, wanted.map((c) => c.contactId));
  const oldest = new Map<string, { staffId: string; staffUserId: string }>();
  for (const f of follows) if (!oldest.has(f.contactId)) oldest.set(f.contactId, { staffId: f.staffId, staffUserId: f.staffUserId });
  await inChunks(wanted, MIRROR_CONCURRENCY, async (c) => {
    const follow = oldest.get(c.contactId);
    if (!adapter?.markTags || !follow || !c.externalUserId) {
      out.skipped += 1;
      return;
    }
    try {
      await adapter.markTags(follow.staffUserId, c.externalUserId, c.add, c.remove);
      await deps.follows.changeRelationTags(corpId, c.contactId, follow.staffId, c.add, c.remove);
      out.mirrored += 1;
    } catch (err) {
      out.failed += 1;
      if (out.errors.length < 20) out.errors.push({ contactId: c.contactId, errcode: err instanceof ChannelError ? err.errcode : null, message: (err as Error).message });
    }
  });
}

async function inChunks<T>(items: readonly T[], size: number, work: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}
