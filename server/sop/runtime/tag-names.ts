/**
 * SOP files name tags (`新好友`); contacts carry tag ids. Names resolve within the corp's tag library; a name
 * that does not exist yet is created in the 「SOP 自动标签」 group so an SOP never fails on a missing tag.
 */
import type { SopTags } from './sop-ports.ts';

const AUTO_GROUP = 'SOP 自动标签';

export async function tagIdsForNames(services: { tags: SopTags }, corpId: string, names: readonly string[]): Promise<string[]> {
  const groups = await services.tags.list(corpId);
  const byName = new Map(groups.flatMap((g) => g.tags.map((t) => [t.name, t.tagId] as const)));
  const ids: string[] = [];
  for (const name of names) {
    let id = byName.get(name);
    if (!id) {
      let group = groups.find((g) => g.name === AUTO_GROUP);
      group ??= await services.tags.createGroup(corpId, { name: AUTO_GROUP });
      groups.push(group);
      id = (await services.tags.addTag(corpId, group.groupId, { name })).tagId;
      byName.set(name, id);
    }
    ids.push(id);
  }
  return ids;
}
