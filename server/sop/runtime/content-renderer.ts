/**
 * Renders a touch from the content library: the template version the SOP pinned when it was published (or, if
 * the template was published only later, its current published version), filled with the contact, their
 * staff member and store. A template that is not published leaves the touch with a visible placeholder.
 */
import { renderText } from '../../content/index.ts';
import type { Modules } from '../../modules.ts';
import { placeholderRenderer, type TouchRenderer } from './touch-renderer.ts';

export function contentRenderer(services: Modules): TouchRenderer {
  return async (touch, routing) => {
    const scope = { corpId: touch.corpId, storeIds: null };
    const version = touch.templateVersion ?? (await services.content.pinnedVersions(touch.corpId, [touch.templateId]))[touch.templateId] ?? null;
    if (version === null) return placeholderRenderer(touch, routing);
    const v = await services.content.getVersion(scope, touch.templateId, version).catch(() => null);
    if (!v) return placeholderRenderer(touch, routing);
    const m = services.db.models;
    const [staff, store] = await Promise.all([
      touch.staffId ? m.Staff.findOne({ _id: touch.staffId, corpId: touch.corpId }).lean() : null,
      touch.storeId ? m.Store.findOne({ _id: touch.storeId, corpId: touch.corpId }).lean() : null,
    ]);
    const rendered = renderText(v.text, {
      contact: { name: routing.name },
      staff: { name: staff?.name ?? null },
      store: { name: store?.name ?? null, city: store?.city ?? null },
      now: services.clock.now(),
      timeZone: routing.tz,
    });
    return { text: rendered.text };
  };
}
