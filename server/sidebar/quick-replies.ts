/**
 * Quick replies (话术) for the chat sidebar: the corp's published content templates written for WeCom chats,
 * grouped by their `scene`, with the variables filled for this customer, staff member and store. Text only:
 * sendChatMessage sends the text; attachments are listed so staff know the template carries more.
 */
import type { Models } from '../db/models.ts';
import { renderText, type RenderContext } from '../content/index.ts';
import { escapeRegExp } from '../contacts/contact.repository.ts';

/** Templates for these channels (or for none in particular) can be sent into a 1:1 or group chat. */
const CHAT_CHANNELS = ['wecom_1to1', 'wecom_group'];
export const QUICK_REPLY_LIMIT = 200;

export type QuickReply = { templateId: string; name: string; text: string; attachments: number };
export type QuickReplyScene = { scene: string; items: QuickReply[] };

export async function quickReplies(models: Pick<Models, 'ContentTemplate'>, corpId: string, context: RenderContext, filter: { q?: string; scene?: string } = {}): Promise<QuickReplyScene[]> {
  const and: Record<string, unknown>[] = [
    { corpId },
    { archivedAt: null },
    { publishedVersion: { $ne: null } },
    { $or: [{ 'published.channels': { $in: CHAT_CHANNELS } }, { 'published.channels': { $size: 0 } }] },
  ];
  if (filter.scene) and.push({ scene: filter.scene });
  if (filter.q) {
    const re = new RegExp(escapeRegExp(filter.q), 'i');
    and.push({ $or: ['name', 'scene', 'tags', 'published.text'].map((field) => ({ [field]: re })) });
  }
  const rows = await models.ContentTemplate.find({ $and: and }).select('templateId name scene published').sort({ scene: 1, name: 1 }).limit(QUICK_REPLY_LIMIT).lean();
  const scenes = new Map<string, QuickReply[]>();
  for (const r of rows) {
    const text = renderText(r.published?.text ?? '', context).text;
    const list = scenes.get(r.scene) ?? [];
    list.push({ templateId: r.templateId, name: r.name, text, attachments: r.published?.attachments?.length ?? 0 });
    scenes.set(r.scene, list);
  }
  return [...scenes].map(([scene, items]) => ({ scene, items }));
}
