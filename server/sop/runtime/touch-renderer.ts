import type { Attachment } from '../../content/index.ts';
import type { TouchRow } from '../ledger/index.ts';
import type { ContactRouting } from './routing.ts';

/** Renders a touch's pinned template version for its contact; the content library supplies the real one. */
export type TouchRenderer = (
  touch: Pick<TouchRow, 'corpId' | 'templateId' | 'templateVersion' | 'staffId' | 'storeId'>,
  routing: ContactRouting,
) => Promise<RenderedTouch>;

/** The text for the contact, and the template's media as published (a staff task shows them; the send carries them). */
export type RenderedTouch = { text: string; attachments?: Attachment[] };

/** Without a content library entry the touch still goes out with a visible placeholder, never silently empty. */
export const placeholderRenderer: TouchRenderer = async (touch, routing) => ({ text: `【${touch.templateId}】${routing.name ? ` ${routing.name}` : ''}` });
