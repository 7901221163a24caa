/**
 * Checks a template must pass before it is published. Pure: the content, the channels it is for and the
 * corp's content settings in, every problem out (never the first one only).
 *
 * Sizes are checked on the worst case of the source text: literal text as written, each variable at its
 * `maxChars` (4 bytes per character, the UTF-8 maximum) or its fallback if that is longer. The renderer cuts
 * values to `maxChars`, so no rendered message can exceed what passed here.
 */
import type { Channel } from '../shared/send-channels.ts';
import type { AttachmentType, ContentBody } from './content-body.ts';
import { VARIABLES, parseTemplate, variableDef } from './content-render.ts';

export type ContentProblem = { code: ContentProblemCode; path: string; message: string };
export type ContentProblemCode =
  | 'no_channel'
  | 'empty_content'
  | 'unknown_variable'
  | 'malformed_variable'
  | 'variable_not_available'
  | 'variable_outside_text'
  | 'html_markup'
  | 'sensitive_word'
  | 'invalid_url'
  | 'link_domain_not_allowed'
  | 'text_too_long'
  | 'too_many_attachments'
  | 'too_many_messages'
  | 'attachment_not_supported'
  | 'moments_mixed_attachments';

/** Per corp (content_settings); a corp without a row gets the defaults. */
export type ContentSettings = { sensitiveWords: readonly string[]; allowedLinkDomains: readonly string[] };

/**
 * Absolute claims banned in ads by 《广告法》第九条第三项 (国家级、最高级、最佳 and their kin such as 最低价,
 * 第一, NO.1), and 微信红包, which WeChat's rules on inducing shares and adds flag. Short on purpose: each corp
 * edits its own list.
 */
export const DEFAULT_SENSITIVE_WORDS: readonly string[] = ['最低价', '最便宜', '第一', 'NO.1', '国家级', '最高级', '微信红包'];
export const DEFAULT_CONTENT_SETTINGS: ContentSettings = { sensitiveWords: DEFAULT_SENSITIVE_WORDS, allowedLinkDomains: [] };

export type ChannelRule = {
  textBytes?: number;
  textChars?: number;
  maxAttachments?: number;
  /** The text and each attachment are separate messages, and the window allows this many. */
  maxMessages?: number;
  kinds: readonly AttachmentType[];
  /** 客户朋友圈: images only, or one video, or one link. */
  moments?: true;
  /** One message reaches many people, so per-contact variables are unavailable. */
  broadcast?: true;
  source: string;
};

const ALL_KINDS: readonly AttachmentType[] = ['image', 'link', 'miniprogram', 'video'];
const MASS_SEND = 'externalcontact/add_msg_template: text.content ≤ 4000 bytes, attachments ≤ 9 (developer.work.weixin.qq.com/document/path/92135; wecom-protocol.md §3 Mass messaging)';

export const CHANNEL_RULES: Readonly<Record<Channel, ChannelRule>> = {
  wecom_1to1: { textBytes: 4000, maxAttachments: 9, kinds: ALL_KINDS, source: MASS_SEND },
  wecom_group: { textBytes: 4000, maxAttachments: 9, kinds: ALL_KINDS, broadcast: true, source: MASS_SEND },
  wecom_moments: {
    textChars: 2000,
    textBytes: 4000,
    kinds: ['image', 'video', 'link'],
    moments: true,
    broadcast: true,
    source: 'externalcontact/add_moment_task: text.content ≤ 2000 chars / 4000 bytes; ≤ 9 images, or 1 video, or 1 link (path/96351; wecom-protocol.md §3 Moments)',
  },
  kf: {
    textBytes: 2048,
    maxMessages: 5,
    kinds: ALL_KINDS,
    source: 'ASSUMPTION: text ≤ 2048 bytes for kf/send_msg is not in wecom-protocol.md (verify against path/94677); 5 messages per 48 h window: kf/send_msg (wecom-protocol.md §2.4)',
  },
  official_account: {
    textBytes: 2048,
    maxMessages: 5,
    kinds: ALL_KINDS,
    source: 'ASSUMPTION: text ≤ 2048 bytes for message/custom/send is not in wecom-protocol.md (verify); 5 messages per 48 h after a user message (wecom-protocol.md §5.5)',
  },
};

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
/** Characters as people count them: Unicode code points (an emoji is one). */
export const charCount = (s: string): number => [...s].length;

/** Upper bound of the rendered text's size; see the file comment. */
export function worstCaseSize(text: string): { bytes: number; chars: number } {
  let bytes = 0;
  let chars = 0;
  for (const seg of parseTemplate(text)) {
    const def = seg.kind === 'variable' ? variableDef(seg.path) : null;
    if (seg.kind === 'variable' && def) {
      const fb = seg.fallback ?? '';
      bytes += Math.max(def.maxChars * 4, utf8Bytes(fb));
      chars += Math.max(def.maxChars, charCount(fb));
    } else {
      const literal = seg.kind === 'text' ? seg.text : seg.raw;
      bytes += utf8Bytes(literal);
      chars += charCount(literal);
    }
  }
  return { bytes, chars };
}

/** Full-width forms folded (NFKC), lower-cased, spaces and invisible characters removed. */
export function normalizeForMatch(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/[\s\u200b-\u200d\u2060\ufeff\u00ad]/gu, '');
}

/** The configured words found in `text`, as configured; case- and width-insensitive, spaces ignored. */
export function findSensitiveWords(text: string, words: readonly string[]): string[] {
  const haystack = normalizeForMatch(text);
  return words.filter((w) => {
    const needle = normalizeForMatch(w);
    return needle !== '' && haystack.includes(needle);
  });
}

/** `Example.COM.` / `*.example.com` → `example.com`; IDN → punycode; null when it is not a host name. */
export function normalizeDomain(input: string): string | null {
  const s = input.trim().toLowerCase().replace(/^\*\./, '').replace(/\.$/, '');
  if (!s || /[/:@?#\s]/.test(s)) return null;
  try {
    const host = new URL(`http://${s}`).hostname;
    return /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(host) ? host : null;
  } catch {
    return null;
  }
}

/** The host is an allowed domain or a subdomain of one (`evil-example.com` is not `example.com`). */
export function isAllowedHost(host: string, allowed: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return allowed.some((d) => h === d || h.endsWith(`.${d}`));
}

/** http(s):// and www. links in text (after folding full-width characters), trailing punctuation dropped. */
export function urlsIn(text: string): string[] {
  const found = text.normalize('NFKC').match(/\b(?:https?:\/\/|www\.)[\w\-.~:/?#[\]@!$&'()*+,;=%]+/gi) ?? [];
  return found.map((u) => u.replace(/[.,;:!?'()[\]]+$/, ''));
}

function hostOf(url: string): string | null {
  try {
    const parsed = new URL(/^www\./i.test(url) ? `http://${url}` : url);
    return /^https?:$/.test(parsed.protocol) && parsed.hostname ? parsed.hostname : null;
  } catch {
    return null;
  }
}

type Field = { path: string; text: string };

/** Attachment fields people read (titles, descriptions): checked for words, never rendered. */
function attachmentTexts(body: ContentBody): Field[] {
  return body.attachments.flatMap((a, i) => {
    if (a.type === 'link') return [{ path: `attachments[${i}].title`, text: a.title }, ...(a.desc ? [{ path: `attachments[${i}].desc`, text: a.desc }] : [])];
    if (a.type === 'miniprogram') return [{ path: `attachments[${i}].title`, text: a.title }];
    return [];
  });
}

function variableProblems(body: ContentBody, channels: readonly Channel[]): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const broadcast = channels.filter((c) => CHANNEL_RULES[c].broadcast);
  for (const seg of parseTemplate(body.text)) {
    if (seg.kind === 'malformed') {
      problems.push({ code: 'malformed_variable', path: 'text', message: `第 ${seg.offset} 个字符处的「${seg.raw}」不是变量，请写成 {{contact.name}} 或 {{contact.name|亲爱的顾客}}，字面大括号写 \\{{ "${seg.raw}" at position ${seg.offset} is not a variable; write {{contact.name}} or {{contact.name|亲爱的顾客}}, or \\{{ for literal braces` });
      continue;
    }
    if (seg.kind !== 'variable') continue;
    const def = variableDef(seg.path);
    if (!def) {
      problems.push({ code: 'unknown_variable', path: 'text', message: `未知变量 {{${seg.path}}} unknown variable {{${seg.path}}}; known: ${Object.keys(VARIABLES).join(', ')}, custom.<key>` });
    } else if (def.perContact && broadcast.length) {
      problems.push({ code: 'variable_not_available', path: 'text', message: `{{${seg.path}}} 因人而异，不能用于一条消息发给多人的 ${broadcast.join(', ')} {{${seg.path}}} differs per customer and cannot be used on ${broadcast.join(', ')}, where one message reaches many people` });
    }
  }
  for (const f of attachmentTexts(body)) {
    if (f.text.includes('{{')) problems.push({ code: 'variable_outside_text', path: f.path, message: '变量只在正文中替换，附件按原样发送 Variables are replaced in the text only; attachments are sent as written' });
  }
  return problems;
}

function linkProblems(body: ContentBody, allowed: readonly string[]): ContentProblem[] {
  const links: Field[] = [
    ...urlsIn(body.text).map((url) => ({ path: 'text', text: url })),
    ...body.attachments.flatMap((a, i) => (a.type === 'link' ? [{ path: `attachments[${i}].url`, text: a.url }] : [])),
  ];
  const domains = allowed.length ? allowed.join(', ') : 'none yet (add domains in content settings)';
  return links.flatMap(({ path, text }): ContentProblem[] => {
    const host = hostOf(text);
    if (!host) return [{ code: 'invalid_url', path, message: `${text} 不是有效的 http(s) 链接 ${text} is not a valid http(s) link` }];
    if (!isAllowedHost(host, allowed)) return [{ code: 'link_domain_not_allowed', path, message: `${host} 不在允许的链接域名中（允许：${domains}）${host} is not an allowed link domain; allowed: ${domains}` }];
    return [];
  });
}

/** The limits of one channel (sizes, attachment count and kinds, messages per window). */
export function channelProblems(body: ContentBody, channel: Channel): ContentProblem[] {
  const rule = CHANNEL_RULES[channel];
  const problems: ContentProblem[] = [];
  const size = worstCaseSize(body.text);
  if (rule.textBytes !== undefined && size.bytes > rule.textBytes) {
    problems.push({ code: 'text_too_long', path: 'text', message: `${channel}：正文最长可达 ${size.bytes} 字节，上限 ${rule.textBytes} 字节 ${channel}: the text can reach ${size.bytes} bytes (UTF-8, variables at their longest); the limit is ${rule.textBytes}` });
  }
  if (rule.textChars !== undefined && size.chars > rule.textChars) {
    problems.push({ code: 'text_too_long', path: 'text', message: `${channel}：正文最长可达 ${size.chars} 字，上限 ${rule.textChars} 字 ${channel}: the text can reach ${size.chars} characters (variables at their longest); the limit is ${rule.textChars}` });
  }
  body.attachments.forEach((a, i) => {
    if (!rule.kinds.includes(a.type)) problems.push({ code: 'attachment_not_supported', path: `attachments[${i}]`, message: `${channel} 不能发送 ${a.type} 附件（支持 ${rule.kinds.join('、')}）${channel} cannot send a ${a.type} attachment; it takes ${rule.kinds.join(', ')}` });
  });
  const n = body.attachments.length;
  if (rule.maxAttachments !== undefined && n > rule.maxAttachments) {
    problems.push({ code: 'too_many_attachments', path: 'attachments', message: `${channel}：${n} 个附件，最多 ${rule.maxAttachments} 个 ${channel}: ${n} attachments; at most ${rule.maxAttachments}` });
  }
  const messages = n + (body.text.trim() ? 1 : 0);
  if (rule.maxMessages !== undefined && messages > rule.maxMessages) {
    problems.push({ code: 'too_many_messages', path: 'attachments', message: `${channel}：正文和每个附件各算一条消息（共 ${messages} 条），会话窗口最多允许 ${rule.maxMessages} 条 ${channel}: the text and each attachment are separate messages (${messages}); the service window allows ${rule.maxMessages}` });
  }
  if (rule.moments) problems.push(...momentsProblems(body));
  return problems;
}

function momentsProblems(body: ContentBody): ContentProblem[] {
  const count = (t: AttachmentType) => body.attachments.filter((a) => a.type === t).length;
  const [images, videos, links] = [count('image'), count('video'), count('link')];
  const kinds = [images && 'images', videos && 'video', links && 'link'].filter(Boolean);
  if (kinds.length > 1) return [{ code: 'moments_mixed_attachments', path: 'attachments', message: `朋友圈不能混用 ${kinds.join(' + ')}：最多 9 张图片，或 1 个视频，或 1 个链接 wecom_moments: ${kinds.join(' + ')} cannot be mixed; use up to 9 images, or 1 video, or 1 link` }];
  if (images > 9 || videos > 1 || links > 1) return [{ code: 'too_many_attachments', path: 'attachments', message: '朋友圈最多 9 张图片，或 1 个视频，或 1 个链接 wecom_moments: at most 9 images, or 1 video, or 1 link' }];
  return [];
}

export type CheckOptions = { channels: readonly Channel[]; settings: ContentSettings };

/** Every problem that stops `body` from being published for `channels` under the corp's settings. */
export function checkContent(body: ContentBody, opts: CheckOptions): ContentProblem[] {
  const problems: ContentProblem[] = [];
  if (!opts.channels.length) problems.push({ code: 'no_channel', path: 'channels', message: '请至少选择一个渠道 Name at least one channel the template is for' });
  if (!body.text.trim() && !body.attachments.length) problems.push({ code: 'empty_content', path: 'text', message: '模板既没有正文也没有附件 The template has neither text nor attachments' });
  problems.push(...variableProblems(body, opts.channels));
  if (/<\/?[a-z][a-z0-9]*(?:\s[^<>]*)?\/?>/i.test(body.text)) {
    problems.push({ code: 'html_markup', path: 'text', message: '只能用纯文本，渠道会原样显示 HTML 标签 Plain text only: channels show HTML tags as typed' });
  }
  for (const f of [{ path: 'text', text: body.text }, ...attachmentTexts(body)]) {
    for (const word of findSensitiveWords(f.text, opts.settings.sensitiveWords)) {
      problems.push({ code: 'sensitive_word', path: f.path, message: `包含敏感词「${word}」 contains the sensitive word "${word}"` });
    }
  }
  problems.push(...linkProblems(body, opts.settings.allowedLinkDomains));
  for (const channel of opts.channels) problems.push(...channelProblems(body, channel));
  return problems;
}
