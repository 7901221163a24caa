/**
 * XML for vendor envelopes (WeCom, WeChat official accounts). Everything stays a string: ids such as MsgId
 * exceed 2^53, and the adapters' own schemas decide what is a number.
 */
import { XMLParser } from 'fast-xml-parser';

/** A parsed element: child elements by tag name; repeated tags become arrays; leaves are strings. */
export type XmlNode = { [tag: string]: XmlValue };
export type XmlValue = string | XmlNode | XmlValue[];

/** Tencent's envelopes are a few KiB; anything far larger is not a callback. */
export const DEFAULT_MAX_XML_BYTES = 256 * 1024;

export type XmlErrorCode = 'too_large' | 'doctype' | 'malformed' | 'no_root';

/** Raised for input that must not or cannot be parsed; `code` says which rule it broke. */
export class XmlError extends Error {
  override readonly name = 'XmlError';
  constructor(
    readonly code: XmlErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** fast-xml-parser's settings (exported for xml.spec.ts, which checks the hand-read shape against the parser). */
export const XML_PARSER_OPTIONS = {
  ignoreAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  // Off: entity expansion is the billion-laughs vector, and Tencent wraps free text in CDATA anyway.
  processEntities: false,
  htmlEntities: false,
  // Trims only text outside CDATA, so a user's leading/trailing spaces in <Content> survive.
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: 32,
  // No callbacks need the element path, and building it for every tag costs ~15% of parse time.
  jPath: false,
} as const;
const parser = new XMLParser(XML_PARSER_OPTIONS);

const DECLARATION = /<!(?:DOCTYPE|ENTITY)/i;
const DECLARATION_AT = /DOCTYPE|ENTITY/iy;

function utf8Length(text: string, limit: number): number {
  // UTF-8 needs 1–3 bytes per UTF-16 unit, so most inputs are decided without encoding them.
  if (text.length > limit) return text.length;
  if (text.length * 3 <= limit) return text.length;
  return Buffer.byteLength(text, 'utf8');
}

const QUOTES = [
  ['<!--', '-->'],
  ['<![CDATA[', ']]>'],
] as const;

function hasDeclaration(text: string): boolean {
  if (!DECLARATION.test(text)) return false;
  // A chat message may quote "<!DOCTYPE" inside CDATA, so skip CDATA and comments the way a tokenizer does:
  // left to right with indexOf, which stays linear where a lazy regex would backtrack on unclosed openers.
  let i = text.indexOf('<!');
  while (i >= 0) {
    const at = i;
    const quote = QUOTES.find(([open]) => text.startsWith(open, at));
    if (quote) {
      const close = text.indexOf(quote[1], at + quote[0].length);
      // Unclosed, the rest is malformed anyway; refuse it as a declaration if it carries one.
      if (close < 0) return DECLARATION.test(text.slice(at));
      i = text.indexOf('<!', close + quote[1].length);
    } else {
      DECLARATION_AT.lastIndex = at + 2;
      if (DECLARATION_AT.test(text)) return true;
      i = text.indexOf('<!', at + 2);
    }
  }
  return false;
}

/**
 * Parses an XML document whose root element is `<xml>` and returns that root's children.
 * Rejects (with {@link XmlError}) input over `maxBytes`, any DOCTYPE/ENTITY declaration, markup the parser
 * cannot read (unclosed CDATA, illegal or prototype-polluting names, nesting past 32) and documents without
 * exactly one `<xml>` element root. CDATA is unwrapped; entities are left verbatim. Like fast-xml-parser
 * itself, it tolerates a mismatched or missing closing tag.
 */
export function parseXml(text: string, options: { maxBytes?: number } = {}): XmlNode {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  if (utf8Length(text, maxBytes) > maxBytes) throw new XmlError('too_large', `XML exceeds ${maxBytes} bytes`);
  if (hasDeclaration(text)) throw new XmlError('doctype', 'XML with DOCTYPE or ENTITY declarations is refused');

  const flat = quickParse(text);
  if (flat) return flat;
  let doc: unknown;
  try {
    // No separate well-formedness pass (XMLValidator costs ~20% of callback throughput): a hostile document
    // that is well formed is no safer than one that is not, and the checks that protect the process — size,
    // declarations, nesting depth, prototype names — run either way.
    doc = parser.parse(text);
  } catch (err) {
    throw new XmlError('malformed', `malformed XML: ${(err as Error).message}`);
  }

  const root = (doc as Record<string, unknown>).xml;
  if (root === '') return {};
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw new XmlError('no_root', 'expected a single <xml> root element');
  }
  return root as XmlNode;
}

const NAME = /[A-Za-z_][A-Za-z0-9_.-]*/y;
const UNSAFE_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 32;

/** Whether text[from, to) is only XML whitespace (anything else, even what String#trim drops, goes the long way). */
function blank(text: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return false;
  }
  return true;
}

/**
 * Tencent's envelopes in the one shape they come in (an optional declaration, `<xml>`, elements without
 * attributes holding text, one CDATA section or elements) read by hand: fast-xml-parser costs most of a callback's
 * CPU, more than its SHA-1 and AES together. Answers `undefined` for anything else (comments, attributes, mixed
 * content, mismatched tags, odd names, deep nesting), which then goes to the parser and its checks; where it
 * answers, it answers what the parser would (xml.spec.ts compares the two).
 */
export function quickParse(text: string): XmlNode | undefined {
  let i = 0;
  const n = text.length;
  const space = () => {
    for (let c = text.charCodeAt(i); c === 32 || c === 10 || c === 13 || c === 9; c = text.charCodeAt(++i));
  };
  const name = (): string | undefined => {
    NAME.lastIndex = i;
    const m = NAME.exec(text);
    if (!m) return undefined;
    i += m[0].length;
    return m[0];
  };
  /** The content after `<tag>` up to and including `</tag>`: '' , a string, or child elements. */
  const content = (tag: string, depth: number): XmlValue | undefined => {
    let node: XmlNode | undefined;
    let value: string | undefined;
    for (;;) {
      const start = i;
      const lt = text.indexOf('<', i);
      if (lt < 0) return undefined;
      i = lt;
      if (lt > start && !blank(text, start, lt)) {
        if (node || value !== undefined) return undefined;
        value = text.slice(start, lt).trim();
      }
      if (text.charCodeAt(i + 1) === 47) {
        i += 2;
        if (name() !== tag || text.charCodeAt(i) !== 62) return undefined;
        i++;
        return node ?? value ?? '';
      }
      if (text.charCodeAt(i + 1) === 33 && text.startsWith('<![CDATA[', i)) {
        const end = text.indexOf(']]>', i + 9);
        if (end < 0 || node || value !== undefined) return undefined;
        value = text.slice(i + 9, end);
        i = end + 3;
        continue;
      }
      i++;
      const child = name();
      if (child === undefined || UNSAFE_NAMES.has(child) || depth + 1 > MAX_DEPTH || value !== undefined) return undefined;
      let v: XmlValue | undefined;
      if (text.startsWith('/>', i)) {
        i += 2;
        v = '';
      } else if (text.charCodeAt(i) === 62) {
        i++;
        v = content(child, depth + 1);
      }
      if (v === undefined) return undefined;
      node ??= {};
      const had = node[child];
      node[child] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
    }
  };
  space();
  if (text.startsWith('<?xml', i)) {
    const end = text.indexOf('?>', i);
    if (end < 0) return undefined;
    i = end + 2;
    space();
  }
  if (!text.startsWith('<xml>', i)) return undefined;
  i += 5;
  const root = content('xml', 1);
  space();
  if (i !== n || root === undefined || typeof root !== 'object' || Array.isArray(root)) return root === '' && i === n ? {} : undefined;
  return root;
}

/**
 * A value for {@link buildXml}: strings become CDATA, numbers and bigints (MsgId) stay bare, objects nest,
 * arrays repeat the tag.
 */
export type XmlInput = string | number | bigint | { [tag: string]: XmlInput } | XmlInput[];

const TAG = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function cdata(value: string): string {
  // "]]>" cannot occur inside one CDATA section, so it is split across two.
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

function element(tag: string, value: XmlInput): string {
  if (!TAG.test(tag)) throw new XmlError('malformed', `illegal tag name ${JSON.stringify(tag)}`);
  if (Array.isArray(value)) return value.map((item) => element(tag, item)).join('');
  if (typeof value === 'number' && !Number.isFinite(value)) throw new XmlError('malformed', `${tag} is not finite`);
  if (typeof value === 'number' || typeof value === 'bigint') return `<${tag}>${value}</${tag}>`;
  if (typeof value === 'string') return `<${tag}>${cdata(value)}</${tag}>`;
  return `<${tag}>${children(value)}</${tag}>`;
}

function children(node: { [tag: string]: XmlInput }): string {
  return Object.entries(node)
    .map(([tag, value]) => element(tag, value))
    .join('');
}

/**
 * Serialises an envelope the way Tencent writes them: `<xml>` root, string fields in CDATA, numeric fields
 * (CreateTime, TimeStamp, AgentID) bare. Pass numbers as `number` to keep them out of CDATA.
 */
export function buildXml(root: { [tag: string]: XmlInput }): string {
  return `<xml>${children(root)}</xml>`;
}
