/**
 * Renders a touch from the content library: the template version the SOP pinned when it was published (or, if
 * the template was published only later, its current published version), filled with the contact, their
 * staff member and store. A template that is not published leaves the touch with a visible placeholder.
 */
import { renderText } from '../../content/index.ts';
import type { OrgModule } from '../../org/index.ts';
import type { Clock } from '../../shared/clock.ts';
import type { SopContent } from './sop-ports.ts';
import { placeholderRenderer, type TouchRenderer } from './touch-renderer.ts';

/** What rendering reads: the content library, the touch's staff member and store, and the clock. */
export type RendererDeps = { content: SopContent; org: Pick<OrgModule, 'findStaff' | 'findStore'>; clock: Clock };

export function contentRenderer(services: RendererDeps): TouchRenderer {
  return async (touch, routing) => {
    const scope = { corpId: touch.corpId, storeIds: null };
    const version = touch.templateVersion ?? (await services.content.pinnedVersions(touch.corpId, [touch.templateId]))[touch.templateId] ?? null;
    if (version === null) return placeholderRenderer(touch, routing);
    const v = await services.content.getVersion(scope, touch.templateId, version).catch(() => null);
    if (!v) return placeholderRenderer(touch, routing);
    const [staff, store] = await Promise.all([touch.staffId ? services.org.findStaff(touch.corpId, touch.staffId) : null, touch.storeId ? services.org.findStore(touch.corpId, touch.storeId) : null]);
    const rendered = renderText(v.text, {
      contact: { name: routing.name },
      staff: { name: staff?.name ?? null },
      store: { name: store?.name ?? null, city: store?.city ?? null },
      now: services.clock.now(),
      timeZone: routing.tz,
    });
    return { text: rendered.text, ...(v.attachments?.length ? { attachments: v.attachments } : {}) };
  };
}
