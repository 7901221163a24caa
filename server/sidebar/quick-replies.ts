/**
 * Quick replies (话术) for the chat sidebar: the corp's published content templates written for WeCom chats,
 * grouped by their `scene`, with the variables filled for this customer, staff member and store. Text only:
 * sendChatMessage sends the text; attachments are listed so staff know the template carries more.
 */
import { renderText, type RenderContext } from '../content/index.ts';

export const QUICK_REPLY_LIMIT = 200;

export type QuickReply = { templateId: string; name: string; text: string; attachments: number };
export type QuickReplyScene = { scene: string; items: QuickReply[] };

type ChatTemplate = { templateId: string; name: string; scene: string; published?: { text?: string | null; attachments?: unknown[] | null } | null };
/** The content module's templates for WeCom chats (1:1 or group, or no channel in particular). */
export type ChatTemplates = { publishedForChat(corpId: string, filter: { q?: string; scene?: string }, limit: number): Promise<ChatTemplate[]> };

export async function quickReplies(content: ChatTemplates, corpId: string, context: RenderContext, filter: { q?: string; scene?: string } = {}): Promise<QuickReplyScene[]> {
  const rows = await content.publishedForChat(corpId, filter, QUICK_REPLY_LIMIT);
  const scenes = new Map<string, QuickReply[]>();
  for (const r of rows) {
    const text = renderText(r.published?.text ?? '', context).text;
    const list = scenes.get(r.scene) ?? [];
    list.push({ templateId: r.templateId, name: r.name, text, attachments: r.published?.attachments?.length ?? 0 });
    scenes.set(r.scene, list);
  }
  return [...scenes].map(([scene, items]) => ({ scene, items }));
}
