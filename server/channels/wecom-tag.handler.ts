/** change_external_tag → the local tag mirror, refreshed from get_corp_tag_list (ids stay WeCom's). */
import type { CorpTagChanged, CorpTagShuffled } from '../../adapters/channel-adapter.ts';
import type { HandledEvent, InboundContext } from './inbound-context.ts';

export async function onCorpTagChanged(event: CorpTagChanged | CorpTagShuffled, ctx: InboundContext): Promise<HandledEvent> {
  const { deps } = ctx;
  if (event.kind === 'corp_tag_deleted') {
    const at = event.occurredAt;
    // Deleting a group sends no callbacks for its tags: deleteGroup marks them too.
    if (event.tagType === 'tag_group') await deps.tags.deleteGroup(event.corpId, event.id, at).catch(ignoreNotFound);
    else await deps.tags.deleteTag(event.corpId, event.id, at).catch(ignoreNotFound);
    return { contactId: null };
  }
  if (!ctx.adapter.fetchCorpTags) return { contactId: null };
  const groups = await ctx.adapter.fetchCorpTags();
  await deps.tags.mirror(event.corpId, groups);
  return { contactId: null };
}

function ignoreNotFound(err: unknown): void {
  if ((err as { status?: number }).status !== 404) throw err;
}
