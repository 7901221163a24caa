/**
 * Renders `{{path}}` variables in a template's text. Pure: the text and the context decide the output (the
 * caller passes `now`; nothing here reads a clock or the database).
 *
 * Syntax
 * - `{{contact.name}}`: the value; empty when the value is missing or blank.
 * - `{{contact.name|亲爱的顾客}}`: the fallback after `|` when the value is missing or blank. Spaces around
 *   the path and the fallback are ignored; a fallback cannot contain `{`, `}` or a line break.
 * - `\{{` is a literal `{{` (the backslash is dropped). There is no other escape.
 * - Only the variables in `VARIABLES` and `custom.<key>` exist. An unknown variable or a malformed `{{…`
 *   stays in the output as written and is reported; the publish checks refuse both, so only a draft preview
 *   can show them.
 *
 * Output rules (every channel takes plain text, none takes HTML)
 * - Values and fallbacks are inserted as plain text, never HTML-entity encoded (`&` stays `&`).
 * - Values are not scanned again: a contact named `{{staff.name}}` is printed as those characters.
 * - Control characters in values are dropped and line breaks or tabs become one space, so a value cannot
 *   add lines to a message.
 * - A value longer than its variable's `maxChars` is cut to `maxChars` characters ending in `…`, which makes
 *   the worst-case size the publish checks compute a real upper bound.
 */
import { DEFAULT_TIMEZONE } from '../org/index.ts';

export type RenderContext = {
  contact?: { name?: string | null; remark?: string | null };
  staff?: { name?: string | null };
  store?: { name?: string | null; city?: string | null };
  /** The send (or preview) time, for `now.*`. */
  now?: Date;
  /** IANA zone for `now.*`; default the product's zone (org/timezone.ts). */
  timeZone?: string;
  /**
   * Values the sender supplies per send, e.g. a coupon code: `{{custom.coupon_code}}`. The publish checks
   * never see them (words, link domains), so senders must only pass values they generated themselves.
   */
  custom?: Readonly<Record<string, string | number | null | undefined>>;
};

export type VariableDef = {
  label: string;
  /** Longest value inserted (in characters); longer values are cut. */
  maxChars: number;
  /** The value differs per contact, so it cannot be used where one message reaches many people. */
  perContact: boolean;
  read(ctx: RenderContext): string | number | null | undefined;
};

const WEEKDAYS: Record<string, string> = { Sun: '周日', Mon: '周一', Tue: '周二', Wed: '周三', Thu: '周四', Fri: '周五', Sat: '周六' };

function localParts(now: Date, timeZone = DEFAULT_TIMEZONE) {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, month: 'numeric', day: 'numeric', weekday: 'short' }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { month: part('month'), day: part('day'), weekday: WEEKDAYS[part('weekday')] ?? '' };
}

function localDate(now: Date, timeZone?: string): string {
  const { month, day } = localParts(now, timeZone);
  return `${month}月${day}日`;
}

/** The whitelist. */
export const VARIABLES: Readonly<Record<string, VariableDef>> = {
  'contact.name': { label: '客户昵称', maxChars: 32, perContact: true, read: (c) => c.contact?.name },
  'contact.remark': { label: '客户备注名', maxChars: 32, perContact: true, read: (c) => c.contact?.remark },
  'staff.name': { label: '导购姓名', maxChars: 32, perContact: false, read: (c) => c.staff?.name },
  'store.name': { label: '门店名称', maxChars: 100, perContact: false, read: (c) => c.store?.name },
  'store.city': { label: '门店城市', maxChars: 50, perContact: false, read: (c) => c.store?.city },
  'now.date': { label: '今天日期（11月22日）', maxChars: 6, perContact: false, read: (c) => c.now && localDate(c.now, c.timeZone) },
  'now.weekday': { label: '今天星期（周日）', maxChars: 2, perContact: false, read: (c) => c.now && localParts(c.now, c.timeZone).weekday },
};

const CUSTOM = /^custom\.([a-z][a-z0-9_]{0,31})$/;
/** Supplied by the sender for each send (one value for a whole group send), so not per contact. */
const CUSTOM_DEF: Omit<VariableDef, 'read'> = { label: '发送时提供的值', maxChars: 100, perContact: false };

/** The definition of a whitelisted variable, or null for an unknown one. */
export function variableDef(path: string): VariableDef | null {
  const known = VARIABLES[path];
  if (known) return known;
  const key = CUSTOM.exec(path)?.[1];
  return key ? { ...CUSTOM_DEF, read: (c) => c.custom?.[key] } : null;
}

export type Segment =
  | { kind: 'text'; text: string }
  | { kind: 'variable'; raw: string; path: string; fallback: string | null; offset: number }
  | { kind: 'malformed'; raw: string; offset: number };

const INNER = /^\s*([A-Za-z_]\w*(?:\.\w+)*)\s*(?:\|([^{}\n]*))?$/;

/** Splits text into literal text, variables and malformed `{{…` (kept as written). */
export function parseTemplate(text: string): Segment[] {
  const out: Segment[] = [];
  let literal = '';
  const flush = () => {
    if (literal) out.push({ kind: 'text', text: literal });
    literal = '';
  };
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('\\{{', i)) {
      literal += '{{';
      i += 3;
      continue;
    }
    if (!text.startsWith('{{', i)) {
      literal += text[i];
      i += 1;
      continue;
    }
    flush();
    const close = text.indexOf('}}', i + 2);
    // A token never spans lines: `{{` without `}}` on its line is malformed and the rest is read as text.
    const unclosed = close === -1 || text.slice(i + 2, close).includes('\n');
    const match = unclosed ? null : INNER.exec(text.slice(i + 2, close));
    if (!match?.[1]) {
      const end = unclosed ? i + 2 : close + 2;
      out.push({ kind: 'malformed', raw: text.slice(i, end), offset: i });
      i = end;
      continue;
    }
    out.push({ kind: 'variable', raw: text.slice(i, close + 2), path: match[1], fallback: match[2] === undefined ? null : match[2].trim(), offset: i });
    i = close + 2;
  }
  flush();
  return out;
}

/** The distinct variable paths in `text`, in order of first use (known or not). */
export function variablesOf(text: string): string[] {
  return [...new Set(parseTemplate(text).flatMap((s) => (s.kind === 'variable' ? [s.path] : [])))];
}

/** A value as plain, single-line text of at most `maxChars` characters. */
export function cleanValue(value: string | number | null | undefined, maxChars: number): string {
  if (value === null || value === undefined) return '';
  const text = String(value)
    .replace(/[\r\n\t\u2028\u2029]+/g, ' ')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .trim();
  const chars = [...text];
  return chars.length > maxChars ? `${chars.slice(0, maxChars - 1).join('')}…` : text;
}

export type RenderResult = {
  text: string;
  /** Known variables used. */
  used: string[];
  /** Variables outside the whitelist (left as written). */
  unknown: string[];
  /** Known variables that were empty and had no fallback (rendered as nothing). */
  missing: string[];
  /** Malformed `{{…` tokens (left as written). */
  malformed: string[];
};

export function renderText(text: string, ctx: RenderContext): RenderResult {
  const used = new Set<string>();
  const unknown = new Set<string>();
  const missing = new Set<string>();
  const malformed: string[] = [];
  let out = '';
  for (const seg of parseTemplate(text)) {
    if (seg.kind === 'text') {
      out += seg.text;
    } else if (seg.kind === 'malformed') {
      malformed.push(seg.raw);
      out += seg.raw;
    } else {
      const def = variableDef(seg.path);
      if (!def) {
        unknown.add(seg.path);
        out += seg.raw;
        continue;
      }
      used.add(seg.path);
      const value = cleanValue(def.read(ctx), def.maxChars);
      if (value) out += value;
      else if (seg.fallback !== null) out += seg.fallback;
      else missing.add(seg.path);
    }
  }
  return { text: out, used: [...used], unknown: [...unknown], missing: [...missing], malformed };
}
