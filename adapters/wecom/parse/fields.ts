/**
 * Reads the fields of one parsed Tencent XML payload (WeCom and official accounts share the layout) and
 * collects every missing or unreadable field, so that one {@link ParseError} names them all.
 */
import { ParseError } from '../../channel-adapter.ts';
import type { ChannelKind } from '../../channel-adapter.ts';
import type { XmlNode, XmlValue } from '../../shared/xml.ts';

const DIGITS = /^\d+$/;

/** Typed reads over one payload's fields; call {@link FieldReader.check} before using what was read. */
export class FieldReader {
  private readonly missing: string[] = [];
  private readonly invalid: string[] = [];

  constructor(private readonly node: XmlNode) {}

  /** The raw value of a tag, when the tag is a real child (not an inherited property name). */
  private value(name: string): XmlValue | undefined {
    return Object.hasOwn(this.node, name) ? this.node[name] : undefined;
  }

  /** A text field that may be absent or empty: null then. */
  optional(name: string): string | null {
    const value = this.value(name);
    if (value === undefined || value === '') return null;
    if (typeof value === 'string') return value;
    this.invalid.push(name);
    return null;
  }

  /** A non-empty text field, read from the first of `names` that is present (e.g. `ToUserName`, `AuthCorpId`). */
  required(...names: string[]): string {
    for (const name of names) {
      const value = this.value(name);
      if (value === undefined || value === '') continue;
      if (typeof value === 'string') return value;
      this.invalid.push(name);
      return '';
    }
    this.missing.push(names.join('|'));
    return '';
  }

  /** A text field that must be present but may be empty, such as a message's `Content`. */
  present(name: string): string {
    return this.value(name) === '' ? '' : this.required(name);
  }

  /**
   * A list of ids: `<Item>` children (current WeCom format) or one comma-joined string (older pushes).
   * Null when absent.
   */
  list(name: string): string[] | null {
    const value = this.value(name);
    if (value === undefined) return null;
    if (typeof value === 'string') return value.split(',').map((id) => id.trim()).filter((id) => id !== '');
    const items = !Array.isArray(value) && Object.hasOwn(value, 'Item') ? [value.Item].flat() : [];
    if (items.length > 0 && items.every((id) => typeof id === 'string')) return items.filter((id) => id !== '');
    this.invalid.push(name);
    return null;
  }

  /** An unsigned integer field; null when absent or empty. */
  optionalInt(name: string): number | null {
    const text = this.optional(name);
    if (text === null) return null;
    if (DIGITS.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
    this.invalid.push(name);
    return null;
  }

  /** A required field whose value must be one of `values`. */
  oneOf<T extends string>(name: string, values: readonly T[]): T {
    const text = this.optional(name);
    if (text === null) this.missing.push(name);
    else if ((values as readonly string[]).includes(text)) return text as T;
    else this.invalid.push(name);
    return values[0] as T;
  }

  /** A required time in seconds since the epoch (`CreateTime`), as its text and as a Date. */
  seconds(...names: string[]): { text: string; date: Date } {
    const text = this.required(...names);
    if (text !== '' && !DIGITS.test(text)) this.invalid.push(names.join('|'));
    return { text, date: new Date(Number(text) * 1000) };
  }

  /** Throws a ParseError naming every field that was missing or unreadable so far. */
  check(channel: ChannelKind, vendorType: string): void {
    if (this.missing.length || this.invalid.length) {
      throw new ParseError(channel, vendorType, [...new Set(this.missing)], [...new Set(this.invalid)]);
    }
  }
}
