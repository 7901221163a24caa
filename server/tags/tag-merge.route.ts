/**
 * What the console's tag page adds to the tag library: how many customers carry each tag (counted by the
 * contacts domain), and merging one tag into another. WeCom-owned tags (WeCom's ids; ours start `siyu_`) are
 * merged at WeCom first — each relation carrying X is re-marked with mark_tag, then X is deleted with
 * del_corp_tag — and only then locally: a WeCom refusal answers 502 with the refusal in zh-CN and changes
 * nothing here. WeCom may have applied some relations before refusing; those carry Y already, and a retry
 * re-marks the rest (mark_tag is idempotent).
 */
import { z } from 'zod';
import type { ChannelAdapter } from '../../adapters/channel-adapter.ts';
import { BadRequestError } from '../errors.ts';
import { corpIdQuery } from '../http/corp-scope.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import type { Clock } from '../shared/clock.ts';
import { ROLES } from '../shared/principal.ts';
import type { Scope } from '../shared/scope.ts';
import type { TagRepository } from './tag.repository.ts';
import { isLocal, VendorRefusedError } from './tag-wecom.ts';

/** The contacts domain's part of a merge and of usage counts (its face: contacts and follows). */
export type TagMergeDeps = {
  tags: Pick<TagRepository, 'list' | 'assertExist' | 'deleteTag'>;
  contacts: {
    tagUsage(scope: Scope): Promise<Map<string, number>>;
    replaceTag(corpId: string, fromTagId: string, toTagId: string, at: Date): Promise<number>;
  };
  follows: {
    liveWithTag(corpId: string, tagId: string): Promise<Array<{ staffUserId: string; externalUserId: string | null }>>;
    replaceRelationTag(corpId: string, fromTagId: string, toTagId: string | null): Promise<void>;
  };
  /** The corp's WeCom adapter, or null when the corp has no WeCom account. */
  wecom(corpId: string): Promise<Pick<ChannelAdapter, 'markTags' | 'deleteCorpTags'> | null>;
  clock: Clock;
};

export type TagMirrorOutcome = { status: 'mirrored'; relations: number } | { status: 'local' | 'no_wecom' };

export function tagMergeRoutes(deps: TagMergeDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/tags/usage',
      tag: 'tags',
      summary: '标签使用量 How many customers (within the caller’s stores) carry each live tag, and whether it is mirrored with WeCom',
      scoped: true,
      roles: ROLES,
      query: z.strictObject({ ...corpIdQuery }),
      async handler(_input, { scope }) {
        const [groups, usage] = await Promise.all([deps.tags.list(scope.corpId), deps.contacts.tagUsage(scope)]);
        return { items: groups.flatMap((g) => g.tags.map((t) => ({ tagId: t.tagId, groupId: g.groupId, customers: usage.get(t.tagId) ?? 0, mirrored: !isLocal(t.tagId) }))) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/tags/:tagId/merge',
      tag: 'tags',
      summary: '合并标签 Merge tag X into Y: every customer with X gets Y, then X is deleted (mirrored to WeCom first); `dryRun` only counts what would change',
      scoped: true,
      roles: ['hq_admin', 'marketer'],
      params: z.strictObject({ tagId: z.string().min(1).max(64) }),
      query: z.strictObject({ ...corpIdQuery }),
      body: z.strictObject({ into: z.string().min(1).max(64), dryRun: z.boolean().optional() }),
      async handler({ params, body }, { scope }) {
        const from = params.tagId;
        const into = body.into;
        if (from === into) throw new BadRequestError('不能把标签合并到自身 A tag cannot be merged into itself', [{ path: 'body.into', message: 'same as the tag merged' }]);
        await deps.tags.assertExist(scope.corpId, [from, into]);
        if (body.dryRun) {
          // The same counts the merge itself acts on: every customer of the corp carrying X, every live relation carrying X.
          const [usage, relations] = await Promise.all([deps.contacts.tagUsage({ corpId: scope.corpId, storeIds: null }), deps.follows.liveWithTag(scope.corpId, from)]);
          return { from, into, dryRun: true, customers: usage.get(from) ?? 0, relations: relations.length, mirrored: !isLocal(from) };
        }
        const mirror = await mergeAtWecom(deps, scope.corpId, from, into);
        const customers = await deps.contacts.replaceTag(scope.corpId, from, into, deps.clock.now());
        // Relations hold WeCom's per-relation tags: a local tag never appears there.
        await deps.follows.replaceRelationTag(scope.corpId, from, isLocal(into) ? null : into);
        await deps.tags.deleteTag(scope.corpId, from, deps.clock.now());
        return { from, into, customers, mirror };
      },
    }),
  ];
}

async function mergeAtWecom(deps: TagMergeDeps, corpId: string, from: string, into: string): Promise<TagMirrorOutcome> {
  if (isLocal(from)) return { status: 'local' };
  const wecom = await deps.wecom(corpId);
  if (!wecom?.markTags || !wecom.deleteCorpTags) return { status: 'no_wecom' };
  const relations = (await deps.follows.liveWithTag(corpId, from)).filter((r) => r.externalUserId);
  const add = isLocal(into) ? [] : [into];
  try {
    for (const r of relations) await wecom.markTags(r.staffUserId, r.externalUserId!, add, [from]);
    await wecom.deleteCorpTags([from]);
  } catch (err) {
    throw new VendorRefusedError('合并标签', err);
  }
  return { status: 'mirrored', relations: relations.length };
}
