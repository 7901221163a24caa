/** Helpers shared by the parser specs (WeCom and official account): fixtures, field removal, ParseError checks. */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { ParseError } from '../../channel-adapter.ts';

/** Reads `{name}.xml` from a fixtures folder given as a URL relative to the calling spec. */
export function fixtureReader(folder: URL): (name: string) => string {
  return (name) => readFileSync(new URL(`${name}.xml`, folder), 'utf8');
}

/** The XML with the first element of each tag removed. */
export function without(xml: string, ...tags: string[]): string {
  return tags.reduce((text, tag) => text.replace(new RegExp(`<${tag}>[\\s\\S]*?</${tag}>\\n?`), ''), xml);
}

/** The XML with the text of the first element of `tag` replaced (as CDATA). */
export function withField(xml: string, tag: string, value: string): string {
  return xml.replace(new RegExp(`<${tag}>[\\s\\S]*?</${tag}>`), `<${tag}><![CDATA[${value}]]></${tag}>`);
}

/** Runs `fn`, expects a ParseError and returns it. */
export function expectParseError(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ParseError);
    return err as ParseError;
  }
  expect.fail('expected a ParseError');
}
