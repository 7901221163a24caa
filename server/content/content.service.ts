/**
 * The content library (内容中心): HQ and marketers write templates once for every store; publishing runs the
 * content checks for every channel the template is for and writes an immutable version; store managers and
 * staff read published content only. Every method takes the caller's Scope; content is corp-wide, the scope's
 * stores only limit which contacts a preview may use.
 */
import { AppError, ConflictError, ErrorCode, NotFoundError } from '../errors.ts';
import { zoneOf, type OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Page } from '../shared/pagination.ts';
import { corpScope, type Scope } from '../shared/scope.ts';
import type { Channel } from '../shared/send-channels.ts';
import { sameBody, type ContentBody } from './content-body.ts';
import { charCount, checkContent, DEFAULT_CONTENT_SETTINGS, normalizeDomain, normalizeForMatch, utf8Bytes, type ContentProblem, type ContentSettings } from './content-checks.ts';
import { renderText, type RenderContext } from './content-render.ts';
import type { ContentModels } from './content.models.ts';
import { ContentRepository, type ContentTemplate, type ContentVersion, type TemplateFilter, type TemplateMeta, type TemplatePatch } from './content.repository.ts';

/** Who is asking: writers (hq_admin, marketer) see drafts; everyone else sees published content only. */
export type ContentViewer = { canEdit: boolean; staffId: string | null; actor: string };

/** 422: the draft fails the content checks; `details` lists every problem as `{ code, path, message }`. */
export class ContentRejectedError extends AppError {
  constructor(templateId: string, problems: ContentProblem[]) {
    super(422, ErrorCode.ValidationFailed, `content template ${templateId} cannot be published: ${problems.length} problem(s)`, problems);
  }
}

/** The built-in preview sample when no contact (or no staff or store) is given. */
export const SAMPLE_CONTEXT = { contact: { name: '张三', remark: '张三' }, staff: { name: '示例导购' }, store: { name: '示例门店', city: '上海' } } as const;

export type NewTemplate = TemplateMeta & ContentBody & { templateId: string };

/** What a preview reads of a contact the scope can see: names, and whose and which store's it is. */
export type PreviewContact = {
  _id: unknown;
  name?: string | null;
  remarks?: readonly string[] | null;
  staffIds?: readonly string[] | null;
  homeStoreId?: string | null;
  storeIds?: readonly string[] | null;
};

export type ContentDeps = {
  models: ContentModels;
  contacts: { findRow(scope: Scope, id: string): Promise<PreviewContact | null> };
  org: Pick<OrgModule, 'getStaff' | 'getStore'>;
  clock: Clock;
};

export class ContentService {
  private readonly repo: ContentRepository;

  constructor(private readonly deps: ContentDeps) {
    this.repo = new ContentRepository(deps.models);
  }

  async create(scope: Scope, input: NewTemplate, viewer: ContentViewer) {
    return toTemplateDto(await this.repo.create(scope.corpId, input, viewer.actor), viewer);
  }

  async update(scope: Scope, templateId: string, patch: TemplatePatch, viewer: ContentViewer) {
    const row = await this.repo.update(scope.corpId, templateId, patch, viewer.actor);
    if (!row) throw new NotFoundError('content template', templateId);
    return toTemplateDto(row, viewer);
  }

  /** Hides the template from the library; published versions stay readable for SOP runs that pinned them. */
  async archive(scope: Scope, templateId: string, viewer: ContentViewer): Promise<void> {
    if (!(await this.repo.archive(scope.corpId, templateId, this.deps.clock.now(), viewer.actor))) throw new NotFoundError('content template', templateId);
  }

  async get(scope: Scope, templateId: string, viewer: ContentViewer) {
    const row = await this.readable(scope, templateId, viewer);
    return { ...toTemplateDto(row, viewer), versions: await this.repo.listVersions(scope.corpId, templateId) };
  }

  async list(scope: Scope, filter: Omit<TemplateFilter, 'publishedOnly'>, page: { limit: number; cursor?: string }, viewer: ContentViewer): Promise<Page<TemplateDto>> {
    const rows = await this.repo.list(scope.corpId, { ...filter, publishedOnly: !viewer.canEdit }, page);
    return { items: rows.items.map((t) => toTemplateDto(t, viewer)), nextCursor: rows.nextCursor };
  }

  /** What a running SOP pins: a version, whether or not the template was archived or republished since. */
  async getVersion(scope: Scope, templateId: string, version: number): Promise<ContentVersion> {
    const v = await this.repo.getVersion(scope.corpId, templateId, version);
    if (!v) throw new NotFoundError('content version', `${templateId}@${version}`);
    return v;
  }

  /**
   * The versions an SOP pins when it is published (matches the SOP registry's ContentPinner): each template's
   * current published version, or null when it is unpublished, archived or unknown.
   */
  async pinnedVersions(corpId: string, templateIds: string[]): Promise<Record<string, number | null>> {
    return this.repo.publishedVersions(corpId, templateIds);
  }

  /**
   * Checks the draft for every channel the template declares and, if nothing is wrong, writes it as version
   * N+1. Refused (422, nothing written) with every problem; 409 when the draft equals the latest version.
   */
  async publish(scope: Scope, templateId: string, viewer: ContentViewer): Promise<ContentVersion> {
    const tpl = await this.repo.find(scope.corpId, templateId);
    if (!tpl) throw new NotFoundError('content template', templateId);
    const problems = checkContent(tpl.draft, { channels: tpl.channels, settings: await this.settings(scope) });
    if (problems.length) throw new ContentRejectedError(templateId, problems);
    const latest = await this.repo.latestVersion(scope.corpId, templateId);
    if (latest && sameBody(latest, tpl.draft) && sameChannels(latest.channels, tpl.channels)) {
      throw new ConflictError(`无需发布：草稿与版本 ${latest.version} 相同 nothing to publish: the draft is the same as version ${latest.version}`);
    }
    const version: ContentVersion = {
      corpId: scope.corpId,
      templateId,
      version: (latest?.version ?? 0) + 1,
      text: tpl.draft.text,
      attachments: tpl.draft.attachments,
      channels: tpl.channels,
      publishedAt: this.deps.clock.now(),
      publishedBy: viewer.actor,
    };
    await this.repo.insertVersion(version);
    return version;
  }

  /**
   * Renders the draft (writers, no version given), a version, or for store-level roles the published version,
   * with a contact from the contact store (within the caller's stores) or the built-in sample, and reports the
   * checks for `channel` or else for the channels the content was written for.
   */
  async preview(scope: Scope, templateId: string, input: { version?: number; contactId?: string; channel?: Channel }, viewer: ContentViewer) {
    const tpl = await this.readable(scope, templateId, viewer);
    let content: ContentBody & { channels: Channel[]; version: number | null };
    if (input.version !== undefined) content = await this.getVersion(scope, templateId, input.version);
    else if (viewer.canEdit) content = { ...tpl.draft, channels: tpl.channels, version: null };
    else content = tpl.published!;
    const { context, sample } = await this.previewContext(scope, input.contactId, viewer.staffId);
    const rendered = renderText(content.text, context);
    const checks = checkContent(content, { channels: input.channel ? [input.channel] : content.channels, settings: await this.settings(scope) });
    return {
      templateId,
      version: content.version,
      channel: input.channel ?? null,
      text: rendered.text,
      attachments: content.attachments,
      size: { bytes: utf8Bytes(rendered.text), chars: charCount(rendered.text) },
      variables: { used: rendered.used, unknown: rendered.unknown, missing: rendered.missing, malformed: rendered.malformed },
      context: sample,
      checks,
    };
  }

  /** The corp's settings, or the defaults while it has none. */
  async settings(scope: Scope): Promise<ContentSettings> {
    const row = await this.repo.findSettings(scope.corpId);
    return row ? { sensitiveWords: row.sensitiveWords, allowedLinkDomains: row.allowedLinkDomains } : DEFAULT_CONTENT_SETTINGS;
  }

  async getSettings(scope: Scope) {
    const row = await this.repo.findSettings(scope.corpId);
    if (!row) return { ...DEFAULT_CONTENT_SETTINGS, source: 'default' as const, updatedAt: null, updatedBy: null };
    return { sensitiveWords: row.sensitiveWords, allowedLinkDomains: row.allowedLinkDomains, source: 'corp' as const, updatedAt: row.updatedAt, updatedBy: row.updatedBy ?? null };
  }

  /** Replaces the corp's settings: words trimmed and deduplicated (as matched), domains normalised. */
  async saveSettings(scope: Scope, input: ContentSettings, viewer: ContentViewer) {
    const words = new Map<string, string>();
    for (const w of input.sensitiveWords.map((x) => x.trim()).filter(Boolean)) if (!words.has(normalizeForMatch(w))) words.set(normalizeForMatch(w), w);
    const domains = [...new Set(input.allowedLinkDomains.map(normalizeDomain).filter((d): d is string => d !== null))];
    await this.repo.saveSettings(scope.corpId, { sensitiveWords: [...words.values()], allowedLinkDomains: domains }, viewer.actor);
    return this.getSettings(scope);
  }

  /** Imports templates straight as published version 1 (demo seed); each must pass the checks. */
  async importPublished(scope: Scope, items: NewTemplate[], actor: string): Promise<number> {
    const settings = await this.settings(scope);
    for (const t of items) {
      const problems = checkContent(t, { channels: t.channels, settings });
      if (problems.length) throw new ContentRejectedError(t.templateId, problems);
    }
    await this.repo.insertPublished(scope.corpId, items, this.deps.clock.now(), actor);
    return items.length;
  }

  private async readable(scope: Scope, templateId: string, viewer: ContentViewer): Promise<ContentTemplate> {
    const row = await this.repo.find(scope.corpId, templateId);
    // Store-level roles do not learn that an unpublished template exists.
    if (!row || (!viewer.canEdit && !row.published)) throw new NotFoundError('content template', templateId);
    return row;
  }

  /** The sender is the caller if they are staff, else the contact's first staff member; the store is theirs. */
  private async previewContext(scope: Scope, contactId: string | undefined, viewerStaffId: string | null) {
    const corp = corpScope(scope.corpId);
    let contact: { id: string | null; name: string; remark: string } = { id: null, ...SAMPLE_CONTEXT.contact };
    let staffId = viewerStaffId;
    let storeId: string | null = null;
    if (contactId) {
      const row = await this.deps.contacts.findRow(scope, contactId);
      if (!row) throw new NotFoundError('contact', contactId);
      contact = { id: String(row._id), name: row.name ?? '', remark: row.remarks?.[0] ?? '' };
      staffId ??= row.staffIds?.[0] ?? null;
      storeId = row.homeStoreId ?? row.storeIds?.[0] ?? null;
    }
    const staff = staffId ? await orNull(this.deps.org.getStaff(corp, staffId)) : null;
    const senderStoreId = staff?.storeId ?? storeId;
    const store = senderStoreId ? await orNull(this.deps.org.getStore(corp, senderStoreId)) : null;
    const context: RenderContext = {
      contact,
      staff: { name: staff?.name ?? SAMPLE_CONTEXT.staff.name },
      store: store ? { name: store.name, city: store.city } : SAMPLE_CONTEXT.store,
      now: this.deps.clock.now(),
      timeZone: zoneOf(store),
    };
    return {
      context,
      sample: {
        contact: { id: contact.id, name: contact.name },
        staff: { id: staff?.id ?? null, name: context.staff!.name },
        store: { id: store?.id ?? null, name: context.store!.name, city: context.store!.city },
      },
    };
  }

  /** Published templates for WeCom chats (the sidebar's quick replies); see ContentRepository.publishedForChat. */
  publishedForChat(corpId: string, filter: { q?: string; scene?: string }, limit: number) {
    return this.repo.publishedForChat(corpId, filter, limit);
  }
}

async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof NotFoundError) return null;
    throw err;
  }
}

const sameChannels = (a: readonly Channel[], b: readonly Channel[]) => [...a].sort().join() === [...b].sort().join();

/** The API shape: writers also get the draft and whether it differs from the published version. */
export function toTemplateDto(t: ContentTemplate, viewer: ContentViewer) {
  const base = {
    templateId: t.templateId,
    name: t.name,
    scene: t.scene,
    tags: t.tags,
    channels: t.channels,
    publishedVersion: t.publishedVersion,
    published: t.published,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
  if (!viewer.canEdit) return base;
  const changed = !t.published || !sameBody(t.draft, t.published) || !sameChannels(t.channels, t.published.channels);
  return { ...base, draft: t.draft, hasUnpublishedChanges: changed, createdBy: t.createdBy, updatedBy: t.updatedBy };
}
export type TemplateDto = ReturnType<typeof toTemplateDto>;
