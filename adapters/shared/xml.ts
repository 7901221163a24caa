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

const parser = new XMLParser({
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
});

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
