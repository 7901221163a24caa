import { readdirSync } from 'node:fs';
import { expect } from 'chai';
import type { InboundEvent } from '../../channel-adapter.ts';
import { XmlError } from '../../shared/xml.ts';
import { M2 } from '../../wecom/fixtures/crypto-vectors.ts';
import { expectParseError, fixtureReader, without, withField } from '../../wecom/parse/spec-support.ts';
import { parseOfficialAccountXml } from './inbound.parser.ts';

const folder = new URL('../fixtures/', import.meta.url);
const fixture = fixtureReader(folder);
const NAMES = readdirSync(folder)
  .filter((file) => file.endsWith('.xml'))
  .map((file) => file.slice(0, -'.xml'.length));
const ACCOUNT = { corpId: 'wx5823bf96d3bd56c7' };
const GH = 'gh_10f6c3c3ac5a';
const parse = (xml: string) => parseOfficialAccountXml(xml, ACCOUNT);

describe('parseOfficialAccountXml', () => {
  it('parses the text fixture (the official M2 plaintext) into oa_text_message keyed by MsgId', () => {
    expect(fixture('text')).to.equal(M2.plaintext);
    const expected: InboundEvent = {
      kind: 'oa_text_message',
      channel: 'official_account',
      corpId: ACCOUNT.corpId,
      idempotencyKey: `oa:${GH}:msg:6054768590064713728`,
      occurredAt: new Date(1409735668 * 1000),
      accountId: GH,
      openId: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs',
      msgId: '6054768590064713728',
      content: 'abcdteT',
    };
    expect(parse(fixture('text'))).to.deep.equal([expected]);
  });

  it('keeps a MsgId above 2^53 exact, where Number would round it', () => {
    const [event] = parse(fixture('text'));
    expect(Number('6054768590064713728')).to.be.greaterThan(Number.MAX_SAFE_INTEGER);
    expect(String(Number('6054768590064713728'))).to.not.equal('6054768590064713728');
    expect(event?.kind === 'oa_text_message' && event.msgId).to.equal('6054768590064713728');
  });

  it('keeps the content of a text message verbatim, even blank', () => {
    const xml = fixture('text');
    expect(parse(withField(xml, 'Content', '  你好 '))[0]).to.include({ content: '  你好 ' });
    expect(parse(withField(xml, 'Content', ''))[0]).to.include({ content: '' });
  });

  it('keeps a message type it does not handle raw, keyed by its MsgId', () => {
    const [event] = parse(fixture('image'));
    expect(event).to.include({ kind: 'unknown', msgType: 'image', event: null, idempotencyKey: `oa:${GH}:msg:6054768590064713729` });
    expect(event?.kind === 'unknown' && event.raw.MediaId).to.equal('media_id');
  });

  it('gives every fixture one event, with the same key on every parse and distinct keys across fixtures', () => {
    const keys = NAMES.map((name) => {
      const events = parse(fixture(name));
      expect(events, name).to.have.length(1);
      expect(parse(fixture(name))[0]?.idempotencyKey, name).to.equal(events[0]?.idempotencyKey);
      return events[0]?.idempotencyKey;
    });
    expect(new Set(keys).size).to.equal(NAMES.length);
  });

  it('takes corpId from the account and never from the XML', () => {
    expect(parseOfficialAccountXml(fixture('text'), { corpId: 'wwother' })[0]).to.include({ corpId: 'wwother' });
  });

  it('throws a ParseError naming every missing common field', () => {
    const xml = without(fixture('text'), 'ToUserName', 'FromUserName', 'CreateTime', 'MsgType');
    const err = expectParseError(() => parse(xml));
    expect(err.missing).to.deep.equal(['ToUserName', 'FromUserName', 'CreateTime', 'MsgType']);
    expect(err.channel).to.equal('official_account');
  });

  it('throws a ParseError naming a missing MsgId or Content on a text message', () => {
    const err = expectParseError(() => parse(without(fixture('text'), 'MsgId', 'Content')));
    expect(err.missing).to.deep.equal(['MsgId', 'Content']);
    expect(err.vendorType).to.equal('text');
  });

  it('throws a ParseError, caused by the XmlError, for unreadable XML', () => {
    const err = expectParseError(() => parse('<xml><Content><![CDATA[unclosed</Content></xml>'));
    expect(err.cause).to.be.instanceOf(XmlError);
  });
});
