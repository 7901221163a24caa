/**
 * The content face: the template library (drafts, published versions, settings), the render helpers SOP steps,
 * quick replies and welcome messages use, the demo templates, and the content routes. The only file of
 * server/content/ that other domains import.
 */
import { ContentService, type ContentDeps } from './content.service.ts';

/** Templates, versions and settings of a corp; what SOPs pin and send (see content.service.ts). */
export type ContentModule = ContentService;

export function createContentModule(deps: ContentDeps): ContentModule {
  return new ContentService(deps);
}

export type { ContentDeps, ContentViewer, NewTemplate, PreviewContact } from './content.service.ts';
export type { ContentVersion } from './content.repository.ts';
export { registerContentModels, type ContentModels } from './content.models.ts';
export type { Attachment, ContentBody } from './content-body.ts';
export { renderText, type RenderContext, type RenderResult } from './content-render.ts';
export { seedContentTemplates } from './seed-templates.ts';
export { contentRoutes } from './content.route.ts';
