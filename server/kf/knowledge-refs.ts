/**
 * An entry applies to stores and tags of its corp only: ids the corp does not have are refused with a 400 that
 * names each, before anything is written (the API, the import and the review's promotion go through it).
 */
import { BadRequestError, type IssueDetail } from '../errors.ts';
import type { OrgModule } from '../org/index.ts';
import { corpScope } from '../shared/scope.ts';
import type { TagsModule } from '../tags/index.ts';

export type KnowledgeRefDeps = {
  org: Pick<OrgModule, 'listStores'>;
  /** Without it tag ids are not checked (a graph without the tags domain). */
  tags?: Pick<TagsModule, 'assertExist'>;
};

export async function checkKnowledgeRefs(deps: KnowledgeRefDeps, corpId: string, refs: { storeIds?: readonly string[] | undefined; tagIds?: readonly string[] | undefined }): Promise<void> {
  const messages: string[] = [];
  const details: IssueDetail[] = [];
  const storeIds = [...new Set(refs.storeIds ?? [])];
  if (storeIds.length) {
    const known = new Set((await deps.org.listStores(corpScope(corpId))).map((s) => s.id));
    const unknown = storeIds.filter((id) => !known.has(id));
    if (unknown.length) {
      messages.push(`门店不存在：${unknown.join('、')} Unknown store ids: ${unknown.join(', ')}`);
      details.push(...unknown.map((id) => ({ path: 'storeIds', message: `门店 ${id} 不存在 No store ${id}` })));
    }
  }
  const tagIds = [...new Set(refs.tagIds ?? [])];
  if (tagIds.length && deps.tags) {
    try {
      await deps.tags.assertExist(corpId, tagIds);
    } catch (err) {
      if (!(err instanceof BadRequestError)) throw err;
      messages.push(err.message);
      if (Array.isArray(err.details)) details.push(...(err.details as IssueDetail[]));
    }
  }
  if (messages.length) throw new BadRequestError(messages.join('；'), details);
}
