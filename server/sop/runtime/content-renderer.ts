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

/** How long a read is reused: a mass send renders hundreds of touches of one template, staff member and store. */
const REUSE_MS = 5_000;
const MAX_KEPT = 2_000;

/**
 * Reuses a read for a few seconds (wall time: a cache, not business time). A template version never changes once
 * published, and a renamed store or staff member shows in sends a few seconds later at most.
 */
function shortMemo<T>(): (key: string, read: () => Promise<T>) => Promise<T> {
  const kept = new Map<string, { at: number; value: Promise<T> }>();
  return (key, read) => {
    const now = performance.now();
    const hit = kept.get(key);
    if (hit && now - hit.at < REUSE_MS) return hit.value;
    if (kept.size >= MAX_KEPT) kept.clear();
    const value = read();
    kept.set(key, { at: now, value });
    // A failed read is not reused.
    value.catch(() => kept.delete(key));
    return value;
  };
}

export function contentRenderer(services: RendererDeps): TouchRenderer {
  const versions = shortMemo<Awaited<ReturnType<SopContent['getVersion']>> | null>();
  const pins = shortMemo<Record<string, number | null>>();
  const staffOf = shortMemo<Awaited<ReturnType<OrgModule['findStaff']>>>();
  const storeOf = shortMemo<Awaited<ReturnType<OrgModule['findStore']>>>();
  return async (touch, routing) => {
    const scope = { corpId: touch.corpId, storeIds: null };
    const version = touch.templateVersion ?? (await pins(`${touch.corpId}\u0000${touch.templateId}`, () => services.content.pinnedVersions(touch.corpId, [touch.templateId])))[touch.templateId] ?? null;
    if (version === null) return placeholderRenderer(touch, routing);
    const v = await versions(`${touch.corpId}\u0000${touch.templateId}\u0000${version}`, () => services.content.getVersion(scope, touch.templateId, version).catch(() => null));
    if (!v) return placeholderRenderer(touch, routing);
    const [staff, store] = await Promise.all([
      touch.staffId ? staffOf(`${touch.corpId}\u0000${touch.staffId}`, () => services.org.findStaff(touch.corpId, touch.staffId!)) : null,
      touch.storeId ? storeOf(`${touch.corpId}\u0000${touch.storeId}`, () => services.org.findStore(touch.corpId, touch.storeId!)) : null,
    ]);
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
