/** Tag groups and tags, mirroring WeCom corp tags. Ids never change; deletion is soft. */
import { randomBytes } from 'node:crypto';
import { BadRequestError, ConflictError, NotFoundError, isDuplicateKeyError } from '../errors.ts';
import type { Clock } from '../shared/clock.ts';
import type { TagsModels } from './tags.models.ts';

export type TagGroupDto = { groupId: string; name: string; order: number; tags: Array<{ tagId: string; name: string; order: number }> };

/** Local ids until the tag is created in WeCom; WeCom's own ids start with "et", ours never collide with them. */
export function newLocalTagId(prefix: 'tg' | 'tag'): string {
  return `siyu_${prefix}_${randomBytes(6).toString('hex')}`;
}

export class TagRepository {
  constructor(
    private readonly models: TagsModels,
    private readonly clock: Clock,
  ) {}

  async list(corpId: string): Promise<TagGroupDto[]> {
    const [groups, tags] = await Promise.all([
      this.models.TagGroup.find({ corpId, deletedAt: null }).sort({ order: 1, name: 1 }).lean(),
      this.models.Tag.find({ corpId, deletedAt: null }).sort({ order: 1, name: 1 }).lean(),
    ]);
    return groups.map((g) => ({
      groupId: g.groupId,
      name: g.name,
      order: g.order,
      tags: tags.filter((t) => t.groupId === g.groupId).map((t) => ({ tagId: t.tagId, name: t.name, order: t.order })),
    }));
  }

  async createGroup(corpId: string, input: { name: string; order?: number; groupId?: string; tags?: Array<{ name: string; order?: number; tagId?: string }> }): Promise<TagGroupDto> {
    const groupId = input.groupId ?? newLocalTagId('tg');
    try {
      await this.models.TagGroup.create({ corpId, groupId, name: input.name, order: input.order ?? 0 });
      // Without an explicit order, tags keep the order they were given in.
      for (const [i, t] of (input.tags ?? []).entries()) await this.models.Tag.create({ corpId, groupId, tagId: t.tagId ?? newLocalTagId('tag'), name: t.name, order: t.order ?? i });
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new ConflictError('标签组或标签 id 已存在 Tag group or tag id already exists');
      throw err;
    }
    return this.getGroup(corpId, groupId);
  }

  async getGroup(corpId: string, groupId: string): Promise<TagGroupDto> {
    const group = (await this.list(corpId)).find((g) => g.groupId === groupId);
    if (!group) throw new NotFoundError('tag group', groupId);
    return group;
  }

  async renameGroup(corpId: string, groupId: string, patch: { name?: string; order?: number }): Promise<TagGroupDto> {
    const res = await this.models.TagGroup.updateOne({ corpId, groupId, deletedAt: null }, { $set: patch });
    if (!res.matchedCount) throw new NotFoundError('tag group', groupId);
    return this.getGroup(corpId, groupId);
  }

  async deleteGroup(corpId: string, groupId: string, at: Date): Promise<void> {
    const res = await this.models.TagGroup.updateOne({ corpId, groupId, deletedAt: null }, { $set: { deletedAt: at } });
    if (!res.matchedCount) throw new NotFoundError('tag group', groupId);
    await this.models.Tag.updateMany({ corpId, groupId, deletedAt: null }, { $set: { deletedAt: at } });
  }

  async addTag(corpId: string, groupId: string, input: { name: string; order?: number; tagId?: string }) {
    const group = await this.getGroup(corpId, groupId);
    const tagId = input.tagId ?? newLocalTagId('tag');
    const order = input.order ?? Math.max(-1, ...group.tags.map((t) => t.order)) + 1;
    try {
      await this.models.Tag.create({ corpId, groupId, tagId, name: input.name, order });
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new ConflictError(`标签 ${tagId} 已存在 Tag ${tagId} already exists`);
      throw err;
    }
    return { tagId, groupId, name: input.name, order };
  }

  async updateTag(corpId: string, tagId: string, patch: { name?: string; order?: number }) {
    const row = await this.models.Tag.findOneAndUpdate({ corpId, tagId, deletedAt: null }, { $set: patch }, { returnDocument: 'after' }).lean();
    if (!row) throw new NotFoundError('tag', tagId);
    return { tagId: row.tagId, groupId: row.groupId, name: row.name, order: row.order };
  }

  async deleteTag(corpId: string, tagId: string, at: Date): Promise<void> {
    const res = await this.models.Tag.updateOne({ corpId, tagId, deletedAt: null }, { $set: { deletedAt: at } });
    if (!res.matchedCount) throw new NotFoundError('tag', tagId);
  }

  /** Replaces the mirror with WeCom's full tag list: upserts by WeCom id; groups and tags WeCom no longer lists are marked deleted. */
  async mirror(corpId: string, groups: Array<{ groupId: string; name: string; order: number; tags: Array<{ tagId: string; name: string; order: number }> }>): Promise<void> {
    const now = this.clock.now();
    for (const g of groups) {
      await this.models.TagGroup.updateOne({ corpId, groupId: g.groupId }, { $set: { name: g.name, order: g.order, deletedAt: null } }, { upsert: true });
      for (const t of g.tags) {
        await this.models.Tag.updateOne({ corpId, tagId: t.tagId }, { $set: { groupId: g.groupId, name: t.name, order: t.order, deletedAt: null } }, { upsert: true });
      }
    }
    const liveGroups = groups.map((g) => g.groupId);
    const liveTags = groups.flatMap((g) => g.tags.map((t) => t.tagId));
    // Only WeCom-owned ids are reconciled; tags created here and not yet pushed to WeCom keep their siyu_ ids.
    await this.models.TagGroup.updateMany({ corpId, deletedAt: null, groupId: { $nin: liveGroups, $not: /^siyu_/ } }, { $set: { deletedAt: now } });
    await this.models.Tag.updateMany({ corpId, deletedAt: null, tagId: { $nin: liveTags, $not: /^siyu_/ } }, { $set: { deletedAt: now } });
  }

  /** Throws a 404 unless the tag is live in the corp: checked before a change goes to WeCom. */
  async assertLive(corpId: string, tagId: string): Promise<void> {
    if (!(await this.models.Tag.exists({ corpId, tagId, deletedAt: null }))) throw new NotFoundError('tag', tagId);
  }

  /** Throws a 400 listing every id that is not a live tag of the corp. */
  async assertExist(corpId: string, tagIds: string[]): Promise<void> {
    if (!tagIds.length) return;
    const found = await this.models.Tag.find({ corpId, tagId: { $in: tagIds }, deletedAt: null }).select('tagId').lean();
    const known = new Set(found.map((t) => t.tagId));
    const unknown = tagIds.filter((t) => !known.has(t));
    if (unknown.length) throw new BadRequestError(`标签不存在：${unknown.join('、')} Unknown tag ids: ${unknown.join(', ')}`, unknown.map((t) => ({ path: 'tagIds', message: `标签 ${t} 不存在 Unknown tag ${t}` })));
  }
}
