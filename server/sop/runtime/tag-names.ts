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

/**
 * Tag ids for an audience, creating nothing: a name the corp does not have becomes an id no contact carries,
 * so a dry run or an enrollment never adds a typo to the tag library (publishing refuses it by name).
 */
export async function knownTagIds(services: { tags: Pick<SopTags, 'list'> }, corpId: string, names: readonly string[]): Promise<string[]> {
  const byName = new Map((await services.tags.list(corpId)).flatMap((g) => g.tags.map((t) => [t.name, t.tagId] as const)));
  return names.map((name) => byName.get(name) ?? `unknown-tag:${name}`);
}
