import type { ContactRouting } from './routing.ts';

/** Renders a touch's pinned template version for its contact; the content library supplies the real one. */
export type TouchRenderer = (
  touch: { corpId: string; templateId: string; templateVersion: number | null; staffId: string | null; storeId: string | null },
  routing: ContactRouting,
) => Promise<{ text: string }>;

/** Without a content library entry the touch still goes out with a visible placeholder, never silently empty. */
export const placeholderRenderer: TouchRenderer = async (touch, routing) => ({ text: `【${touch.templateId}】${routing.name ? ` ${routing.name}` : ''}` });
