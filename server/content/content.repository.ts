/**
 * Content templates, their immutable published versions and the per-corp content settings. Content belongs
 * to the corp (HQ writes it once for every store), so every method takes the corpId and every query carries
 * it; what store-level roles may see is decided by the service (published only).
 */
import type { Types } from 'mongoose';
import { ConflictError, isDuplicateKeyError } from '../errors.ts';
import { escapeRegExp } from '../shared/escape-regexp.ts';
import { cursorFilter, toPage, type Page } from '../shared/pagination.ts';
import type { Channel } from '../shared/send-channels.ts';
import { toAttachment, type Attachment, type ContentBody } from './content-body.ts';
import type { ContentModels } from './content.models.ts';
import type { ContentSettingsDoc } from './content-settings.schema.ts';
import type { ContentTemplateDoc } from './content-template.schema.ts';
import type { ContentVersionDoc } from './content-version.schema.ts';

type TemplateRow = ContentTemplateDoc & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };
type VersionRow = ContentVersionDoc & { _id: Types.ObjectId };

export type ContentTemplate = {
  corpId: string;
  templateId: string;
  name: string;
  scene: string;
  tags: string[];
  channels: Channel[];
  draft: ContentBody;
  publishedVersion: number | null;
  published: (ContentBody & { version: number; channels: Channel[]; publishedAt: Date; publishedBy: string }) | null;
  createdBy: string | null;
  updatedBy: string | null;
  archivedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
};

export type ContentVersion = ContentBody & { corpId: string; templateId: string; version: number; channels: Channel[]; publishedAt: Date; publishedBy: string };

export type TemplateMeta = { name: string; scene: string; tags: string[]; channels: Channel[] };
export type TemplatePatch = Partial<TemplateMeta> & { text?: string; attachments?: Attachment[] };
export type TemplateFilter = { scene?: string; tag?: string; text?: string; publishedOnly: boolean; published?: boolean };

const attachments = (rows: ReadonlyArray<Parameters<typeof toAttachment>[0]> | null | undefined): Attachment[] => (rows ?? []).map(toAttachment);

function toTemplate(r: TemplateRow): ContentTemplate {
  const p = r.published;
  return {
    corpId: r.corpId,
    templateId: r.templateId,
    name: r.name,
    scene: r.scene,
    tags: r.tags ?? [],
    channels: (r.channels ?? []) as Channel[],
    draft: { text: r.draft?.text ?? '', attachments: attachments(r.draft?.attachments) },
    publishedVersion: r.publishedVersion ?? null,
    published: p && r.publishedVersion ? { version: r.publishedVersion, text: p.text ?? '', attachments: attachments(p.attachments), channels: (p.channels ?? []) as Channel[], publishedAt: p.publishedAt, publishedBy: p.publishedBy } : null,
    createdBy: r.createdBy ?? null,
    updatedBy: r.updatedBy ?? null,
    archivedAt: r.archivedAt ?? null,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

function toVersion(r: VersionRow): ContentVersion {
  return {
    corpId: r.corpId,
    templateId: r.templateId,
    version: r.version,
    text: r.text ?? '',
    attachments: attachments(r.attachments),
    channels: (r.channels ?? []) as Channel[],
    publishedAt: r.publishedAt,
    publishedBy: r.publishedBy,
  };
}

export class ContentRepository {
  constructor(private readonly models: ContentModels) {}

  async create(corpId: string, input: TemplateMeta & ContentBody & { templateId: string }, by: string): Promise<ContentTemplate> {
    try {
      const doc = await this.models.ContentTemplate.create({
        corpId,
        templateId: input.templateId,
        name: input.name,
        scene: input.scene,
        tags: input.tags,
        channels: input.channels,
        draft: { text: input.text, attachments: input.attachments },
        createdBy: by,
        updatedBy: by,
      });
      return toTemplate(doc.toObject() as TemplateRow);
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new ConflictError(`内容模板 ${input.templateId} 已存在（归档的模板也保留其 ID）content template ${input.templateId} already exists (archived ones keep their id)`);
      throw err;
    }
  }

  /** A live template; archived ones only with `includeArchived`. */
  async find(corpId: string, templateId: string, opts: { includeArchived?: boolean } = {}): Promise<ContentTemplate | null> {
    const row = await this.models.ContentTemplate.findOne({ corpId, templateId, ...(opts.includeArchived ? {} : { archivedAt: null }) }).lean<TemplateRow>();
    return row ? toTemplate(row) : null;
  }

  async update(corpId: string, templateId: string, patch: TemplatePatch, by: string): Promise<ContentTemplate | null> {
    const { text, attachments: atts, ...meta } = patch;
    const set: Record<string, unknown> = { ...meta, updatedBy: by };
    if (text !== undefined) set['draft.text'] = text;
    if (atts !== undefined) set['draft.attachments'] = atts;
    const row = await this.models.ContentTemplate.findOneAndUpdate({ corpId, templateId, archivedAt: null }, { $set: set }, { returnDocument: 'after', runValidators: true }).lean<TemplateRow>();
    return row ? toTemplate(row) : null;
  }

  async archive(corpId: string, templateId: string, at: Date, by: string): Promise<boolean> {
    const res = await this.models.ContentTemplate.updateOne({ corpId, templateId, archivedAt: null }, { $set: { archivedAt: at, updatedBy: by } });
    return res.matchedCount > 0;
  }

  async list(corpId: string, f: TemplateFilter, page: { limit: number; cursor?: string }): Promise<Page<ContentTemplate>> {
    const and: Record<string, unknown>[] = [{ corpId }, { archivedAt: null }, cursorFilter(page.cursor)];
    if (f.scene) and.push({ scene: f.scene });
    if (f.tag) and.push({ tags: f.tag });
    if (f.publishedOnly || f.published === true) and.push({ publishedVersion: { $ne: null } });
    if (f.published === false) and.push({ publishedVersion: null });
    if (f.text) {
      const re = new RegExp(escapeRegExp(f.text), 'i');
      // Store-level roles search what they can read: the published text, never a draft.
      const fields = f.publishedOnly ? ['name', 'tags', 'scene', 'published.text'] : ['name', 'tags', 'scene', 'draft.text', 'published.text'];
      and.push({ $or: fields.map((field) => ({ [field]: re })) });
    }
    const rows = await this.models.ContentTemplate.find({ $and: and })
      .sort({ _id: -1 })
      .limit(page.limit + 1)
      .lean<TemplateRow[]>();
    return toPage(rows, page.limit, toTemplate);
  }

  /** templateId → its published version (null: unpublished, archived or unknown); one query. */
  async publishedVersions(corpId: string, templateIds: readonly string[]): Promise<Record<string, number | null>> {
    const rows = await this.models.ContentTemplate.find({ corpId, templateId: { $in: templateIds }, archivedAt: null }).select('templateId publishedVersion').lean<TemplateRow[]>();
    const found = new Map(rows.map((r) => [r.templateId, r.publishedVersion ?? null]));
    return Object.fromEntries(templateIds.map((id) => [id, found.get(id) ?? null]));
  }

  async latestVersion(corpId: string, templateId: string): Promise<ContentVersion | null> {
    const row = await this.models.ContentVersion.findOne({ corpId, templateId }).sort({ version: -1 }).lean<VersionRow>();
    return row ? toVersion(row) : null;
  }

  async getVersion(corpId: string, templateId: string, version: number): Promise<ContentVersion | null> {
    const row = await this.models.ContentVersion.findOne({ corpId, templateId, version }).lean<VersionRow>();
    return row ? toVersion(row) : null;
  }

  /** Newest first, without the content (GET one template lists its history). */
  async listVersions(corpId: string, templateId: string): Promise<Array<Pick<ContentVersion, 'version' | 'channels' | 'publishedAt' | 'publishedBy'>>> {
    const rows = await this.models.ContentVersion.find({ corpId, templateId }).select('version channels publishedAt publishedBy').sort({ version: -1 }).lean<VersionRow[]>();
    return rows.map((r) => ({ version: r.version, channels: (r.channels ?? []) as Channel[], publishedAt: r.publishedAt, publishedBy: r.publishedBy }));
  }

  /**
   * Writes version `v.version` once; the unique (corpId, templateId, version) index makes a concurrent
   * publish of the same number a 409. Then points the template at it, never backwards: if the process dies
   * in between, the next publish takes the next number and repairs the pointer.
   */
  async insertVersion(v: ContentVersion): Promise<void> {
    try {
      await this.models.ContentVersion.create(v);
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new ConflictError(`内容模板 ${v.templateId} 刚被他人发布（版本 ${v.version} 已存在），请刷新后重试 content template ${v.templateId} was published concurrently; reload and retry`);
      throw err;
    }
    await this.models.ContentTemplate.updateOne(
      { corpId: v.corpId, templateId: v.templateId, $or: [{ publishedVersion: null }, { publishedVersion: { $lt: v.version } }] },
      { $set: { publishedVersion: v.version, published: { text: v.text, attachments: v.attachments, channels: v.channels, publishedAt: v.publishedAt, publishedBy: v.publishedBy }, updatedBy: v.publishedBy } },
    );
  }

  /** Bulk import of templates already published as version 1 (the demo seed); two inserts in all. */
  async insertPublished(corpId: string, items: Array<TemplateMeta & ContentBody & { templateId: string }>, at: Date, by: string): Promise<void> {
    try {
      await this.models.ContentTemplate.insertMany(
        items.map((t) => ({
          corpId,
          templateId: t.templateId,
          name: t.name,
          scene: t.scene,
          tags: t.tags,
          channels: t.channels,
          draft: { text: t.text, attachments: t.attachments },
          publishedVersion: 1,
          published: { text: t.text, attachments: t.attachments, channels: t.channels, publishedAt: at, publishedBy: by },
          createdBy: by,
          updatedBy: by,
        })),
      );
      await this.models.ContentVersion.insertMany(items.map((t) => ({ corpId, templateId: t.templateId, version: 1, text: t.text, attachments: t.attachments, channels: t.channels, publishedAt: at, publishedBy: by })));
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new ConflictError('其中某个内容模板 ID 已存在 A content template with one of these ids already exists');
      throw err;
    }
  }

  async findSettings(corpId: string): Promise<(Pick<ContentSettingsDoc, 'sensitiveWords' | 'allowedLinkDomains' | 'updatedBy'> & { updatedAt: Date }) | null> {
    return this.models.ContentSettings.findOne({ corpId }).lean<ContentSettingsDoc & { updatedAt: Date }>();
  }

  async saveSettings(corpId: string, s: { sensitiveWords: string[]; allowedLinkDomains: string[] }, by: string): Promise<void> {
    await this.models.ContentSettings.updateOne({ corpId }, { $set: { ...s, updatedBy: by } }, { upsert: true });
  }

  /**
   * Published, unarchived templates that can be sent into a WeCom chat (written for wecom_1to1 / wecom_group or
   * for no channel in particular), by scene and name: the chat sidebar's quick replies. `q` searches name,
   * scene, tags and the published text.
   */
  async publishedForChat(corpId: string, filter: { q?: string; scene?: string }, limit: number) {
    const and: Record<string, unknown>[] = [
      { corpId },
      { archivedAt: null },
      { publishedVersion: { $ne: null } },
      { $or: [{ 'published.channels': { $in: ['wecom_1to1', 'wecom_group'] } }, { 'published.channels': { $size: 0 } }] },
    ];
    if (filter.scene) and.push({ scene: filter.scene });
    if (filter.q) {
      const re = new RegExp(escapeRegExp(filter.q), 'i');
      and.push({ $or: ['name', 'scene', 'tags', 'published.text'].map((field) => ({ [field]: re })) });
    }
    return this.models.ContentTemplate.find({ $and: and }).select('templateId name scene published').sort({ scene: 1, name: 1 }).limit(limit).lean();
  }
}
