/** Saved contact filters (人群包) of a corp. The filter is stored in its wire form (contact-filter.ts). */
import { ConflictError, NotFoundError, isDuplicateKeyError } from '../errors.ts';
import { toObjectId } from '../shared/object-id.ts';
import type { ContactsModels } from './contacts.models.ts';

export type SegmentDto = { id: string; name: string; filter: Record<string, string>; createdBy: string | null; createdAt: Date | null };

type SegmentRow = { _id: unknown; name: string; filter: Record<string, string>; createdBy?: string | null; createdAt?: Date };

const toDto = (r: SegmentRow): SegmentDto => ({ id: String(r._id), name: r.name, filter: r.filter ?? {}, createdBy: r.createdBy ?? null, createdAt: r.createdAt ?? null });

export class SegmentRepository {
  constructor(private readonly models: Pick<ContactsModels, 'ContactSegment'>) {}

  async list(corpId: string): Promise<SegmentDto[]> {
    const rows = await this.models.ContactSegment.find({ corpId }).sort({ name: 1 }).lean<SegmentRow[]>();
    return rows.map(toDto);
  }

  async create(corpId: string, input: { name: string; filter: Record<string, string>; createdBy: string | null }): Promise<SegmentDto> {
    try {
      const doc = await this.models.ContactSegment.create({ corpId, ...input });
      return toDto(doc.toObject() as SegmentRow);
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new ConflictError(`已有同名人群包「${input.name}」 A saved filter with this name exists`);
      throw err;
    }
  }

  /** With `createdBy`, only a filter that caller saved (store managers share the corp's list but not its upkeep). */
  async delete(corpId: string, id: string, createdBy?: string): Promise<void> {
    const _id = toObjectId(id);
    const res = _id ? await this.models.ContactSegment.deleteOne({ _id, corpId, ...(createdBy ? { createdBy } : {}) }) : { deletedCount: 0 };
    if (!res.deletedCount) throw new NotFoundError('saved filter', id);
  }
}
