import { expect } from 'chai';
import { buildXml, DEFAULT_MAX_XML_BYTES, parseXml, XmlError } from './xml.ts';
import type { XmlErrorCode } from './xml.ts';

function expectXmlError(fn: () => unknown, code: XmlErrorCode): void {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(XmlError);
    expect((err as XmlError).code).to.equal(code);
    return;
  }
  expect.fail(`expected XmlError ${code}`);
}

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<xml><Content>&lol3;</Content></xml>`;

describe('parseXml', () => {
  it('returns the children of <xml> with CDATA unwrapped into plain strings', () => {
    const xml = parseXml('<xml><ToUserName><![CDATA[ww1]]></ToUserName>\n<MsgType><![CDATA[event]]></MsgType>\n</xml>');
    expect(xml).to.deep.equal({ ToUserName: 'ww1', MsgType: 'event' });
  });

  it('keeps a MsgId above 2^53 as the exact string', () => {
    const xml = parseXml('<xml><MsgId>4561255354251345929</MsgId><CreateTime>1409659813</CreateTime></xml>');
    expect(xml.MsgId).to.equal('4561255354251345929');
    expect(xml.CreateTime).to.equal('1409659813');
  });

  it('never turns number-like text into numbers or booleans', () => {
    const xml = parseXml('<xml><A>007</A><B>1e3</B><C>0x10</C><D>true</D><E><![CDATA[12.50]]></E></xml>');
    expect(xml).to.deep.equal({ A: '007', B: '1e3', C: '0x10', D: 'true', E: '12.50' });
  });

  it('keeps whitespace inside CDATA and yields empty strings for empty elements', () => {
    const xml = parseXml('<xml><Content><![CDATA[  hi \n]]></Content><AgentID/><State></State></xml>');
    expect(xml).to.deep.equal({ Content: '  hi \n', AgentID: '', State: '' });
  });

  it('turns repeated tags into arrays and nests child elements', () => {
    const xml = parseXml('<xml><MemChangeList><Item>a</Item><Item>b</Item></MemChangeList><One><Item>c</Item></One></xml>');
    expect(xml).to.deep.equal({ MemChangeList: { Item: ['a', 'b'] }, One: { Item: 'c' } });
  });

  it('leaves entity references verbatim instead of expanding them', () => {
    expect(parseXml('<xml><A>a &amp; b &#x41;</A></xml>').A).to.equal('a &amp; b &#x41;');
  });

  it('ignores attributes and the XML declaration', () => {
    expect(parseXml('<?xml version="1.0" encoding="UTF-8"?><xml><A n="1">x</A></xml>')).to.deep.equal({ A: 'x' });
  });

  it('rejects the billion-laughs document before expanding anything', () => {
    expectXmlError(() => parseXml(BILLION_LAUGHS), 'doctype');
  });

  it('rejects an external entity declaration (XXE)', () => {
    expectXmlError(() => parseXml('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><A>&e;</A></xml>'), 'doctype');
    expectXmlError(() => parseXml('<xml><!ENTITY e "x"><A>1</A></xml>'), 'doctype');
  });

  it('accepts "<!DOCTYPE" quoted as text inside CDATA', () => {
    expect(parseXml('<xml><Content><![CDATA[<!DOCTYPE html>]]></Content></xml>').Content).to.equal('<!DOCTYPE html>');
  });

  it('rejects a declaration smuggled between a comment and a CDATA opener', () => {
    const smuggled = '<!-- <![CDATA[ --><!DOCTYPE x [<!ENTITY a "b">]><!-- ]]> --><xml><A>&a;</A></xml>';
    expectXmlError(() => parseXml(smuggled), 'doctype');
  });

  it('looks for declarations in linear time even with thousands of unclosed comment openers', () => {
    const hostile = `<!DOCTYPE x>${'<!--'.repeat(60_000)}`;
    const started = Date.now();
    expectXmlError(() => parseXml(hostile), 'doctype');
    expectXmlError(() => parseXml(`${'<![CDATA[<!--'.repeat(18_000)}<!DOCTYPE x>`), 'doctype');
    expect(Date.now() - started).to.be.below(500);
  });

  it('rejects input over maxBytes, counting UTF-8 bytes rather than characters', () => {
    expectXmlError(() => parseXml(`<xml><A>${'x'.repeat(100)}</A></xml>`, { maxBytes: 100 }), 'too_large');
    const chinese = `<xml><A>${'中'.repeat(30)}</A></xml>`;
    expect(chinese.length).to.be.below(100);
    expectXmlError(() => parseXml(chinese, { maxBytes: 100 }), 'too_large');
    expect(parseXml(chinese, { maxBytes: 200 }).A).to.equal('中'.repeat(30));
  });

  it(`rejects input over ${DEFAULT_MAX_XML_BYTES} bytes by default`, () => {
    expectXmlError(() => parseXml(`<xml><A>${'x'.repeat(DEFAULT_MAX_XML_BYTES)}</A></xml>`), 'too_large');
  });

  it('rejects an unclosed CDATA section, comment or tag', () => {
    expectXmlError(() => parseXml('<xml><A><![CDATA[1</A></xml>'), 'malformed');
    expectXmlError(() => parseXml('<xml><!-- x </xml>'), 'malformed');
    expectXmlError(() => parseXml('<xml><A'), 'malformed');
  });

  it('rejects nesting deeper than 32 elements', () => {
    expectXmlError(() => parseXml(`<xml>${'<A>'.repeat(40)}x${'</A>'.repeat(40)}</xml>`), 'malformed');
  });

  it('rejects tags that would pollute Object.prototype', () => {
    expectXmlError(() => parseXml('<xml><__proto__><polluted>1</polluted></__proto__></xml>'), 'malformed');
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it('rejects documents without exactly one <xml> element root', () => {
    expectXmlError(() => parseXml('<root><A>1</A></root>'), 'no_root');
    expectXmlError(() => parseXml('<xml>text</xml>'), 'no_root');
    expectXmlError(() => parseXml('<xml><A>1</A></xml><xml><A>2</A></xml>'), 'no_root');
    expectXmlError(() => parseXml('plain text'), 'no_root');
  });

  it('returns an empty object for an empty <xml/>', () => {
    expect(parseXml('<xml/>')).to.deep.equal({});
  });
});

describe('buildXml', () => {
  it('wraps strings in CDATA and leaves numbers and bigints bare, as Tencent does', () => {
    expect(buildXml({ Encrypt: 'abc', TimeStamp: 1409304348, MsgId: 4561255354251345929n })).to.equal(
      '<xml><Encrypt><![CDATA[abc]]></Encrypt><TimeStamp>1409304348</TimeStamp><MsgId>4561255354251345929</MsgId></xml>',
    );
  });

  it('splits "]]>" across CDATA sections so the text round-trips', () => {
    const tricky = 'a]]><b>not a tag</b>';
    expect(parseXml(buildXml({ Content: tricky })).Content).to.equal(tricky);
  });

  it('repeats a tag for arrays and nests objects', () => {
    const xml = buildXml({ MemChangeList: { Item: ['a', 'b'] } });
    expect(xml).to.equal('<xml><MemChangeList><Item><![CDATA[a]]></Item><Item><![CDATA[b]]></Item></MemChangeList></xml>');
    expect(parseXml(xml)).to.deep.equal({ MemChangeList: { Item: ['a', 'b'] } });
  });

  it('refuses tag names that would inject markup and non-finite numbers', () => {
    expect(() => buildXml({ 'A><B': 'x' })).to.throw(XmlError);
    expect(() => buildXml({ A: Number.NaN })).to.throw(XmlError);
  });
});
