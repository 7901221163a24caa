import { readdirSync } from 'node:fs';
import { expect } from 'chai';
import { parseXml, XmlError } from '../../shared/xml.ts';
import { W2 } from '../fixtures/crypto-vectors.ts';
import { parseWecomCallback } from './callback.parser.ts';
import { expectParseError, fixtureReader, without, withField } from './spec-support.ts';

const folder = new URL('../fixtures/events/', import.meta.url);
const fixture = fixtureReader(folder);
const NAMES = readdirSync(folder)
  .filter((file) => file.endsWith('.xml'))
  .map((file) => file.slice(0, -'.xml'.length));
const CORP = 'wx5823bf96d3bd56c7';

describe('parseWecomCallback', () => {
  it('gives every fixture one event with the same key on every parse', () => {
    for (const name of NAMES) {
      const first = parseWecomCallback(fixture(name));
      expect(first, name).to.have.length(1);
      expect(parseWecomCallback(fixture(name))[0]?.idempotencyKey, name).to.equal(first[0]?.idempotencyKey);
    }
  });

  it('gives distinct keys to distinct fixtures, whatever their family', () => {
    const own = NAMES.filter((name) => !name.startsWith('suite.'));
    const keys = new Set(own.map((name) => parseWecomCallback(fixture(name))[0]?.idempotencyKey));
    expect(keys.size).to.equal(own.length);
  });

  it('keys one event delivered to a self-built app and to a suite alike', () => {
    const [suite] = parseWecomCallback(fixture('suite.change_external_contact.add_external_contact'));
    const [app] = parseWecomCallback(fixture('change_external_contact.add_external_contact'));
    expect(suite?.idempotencyKey).to.equal(app?.idempotencyKey);
  });

  it('keeps an unknown event raw, keyed by a digest of the payload', () => {
    const xml = fixture('change_contact.create_user');
    const [event] = parseWecomCallback(xml);
    expect(event).to.deep.equal({
      kind: 'unknown',
      channel: 'wecom',
      corpId: CORP,
      idempotencyKey: event?.idempotencyKey,
      occurredAt: new Date(1403610513 * 1000),
      msgType: 'event',
      event: 'change_contact',
      changeType: 'create_user',
      raw: parseXml(xml),
    });
    expect(event?.idempotencyKey).to.match(new RegExp(`^wecom:${CORP}:change_contact:create_user:[0-9a-f]{16}:1403610513$`));
    const [renamed] = parseWecomCallback(withField(xml, 'Name', '李四'));
    expect(renamed?.idempotencyKey).to.not.equal(event?.idempotencyKey);
  });

  it('keys an unknown message by its MsgId, kept as the exact string beyond 2^53', () => {
    expect(fixture('text')).to.equal(W2.plaintext);
    const [event] = parseWecomCallback(fixture('text'));
    expect(event).to.include({ kind: 'unknown', msgType: 'text', event: null, changeType: null });
    expect(event?.idempotencyKey).to.equal(`wecom:${CORP}:msg:4561255354251345929`);
    expect(event?.kind === 'unknown' && event.raw.MsgId).to.equal('4561255354251345929');
  });

  it('does not take an Event named like an Object.prototype member for a family', () => {
    const [event] = parseWecomCallback(withField(fixture('kf_msg_or_event'), 'Event', 'constructor'));
    expect(event).to.include({ kind: 'unknown', event: 'constructor' });
  });

  it('throws a ParseError naming a missing corp id and time', () => {
    const xml = without(fixture('change_external_contact.del_follow_user'), 'ToUserName', 'CreateTime');
    expect(expectParseError(() => parseWecomCallback(xml)).missing).to.deep.equal(['ToUserName|AuthCorpId', 'CreateTime|TimeStamp']);
    const unknown = without(fixture('change_contact.create_user'), 'CreateTime');
    expect(expectParseError(() => parseWecomCallback(unknown)).missing).to.deep.equal(['CreateTime|TimeStamp']);
  });

  it('throws a ParseError naming a CreateTime that is not whole seconds as invalid', () => {
    const xml = withField(fixture('change_external_contact.del_follow_user'), 'CreateTime', '2014-06-24');
    expect(expectParseError(() => parseWecomCallback(xml)).invalid).to.deep.equal(['CreateTime|TimeStamp']);
  });

  it('throws a ParseError, caused by the XmlError, for unreadable XML or a DOCTYPE', () => {
    for (const xml of ['<xml><ToUserName><![CDATA[x</ToUserName></xml>', `<!DOCTYPE xml [<!ENTITY a "b">]>${fixture('kf_msg_or_event')}`]) {
      const err = expectParseError(() => parseWecomCallback(xml));
      expect(err.cause).to.be.instanceOf(XmlError);
      expect(err.vendorType).to.equal('xml');
    }
  });

  it('throws a ParseError naming a nested element where text belongs as invalid', () => {
    const xml = fixture('change_external_contact.del_follow_user').replace('<UserID><![CDATA[zhangsan]]></UserID>', '<UserID><a>1</a></UserID>');
    expect(expectParseError(() => parseWecomCallback(xml)).invalid).to.deep.equal(['UserID']);
  });
});
