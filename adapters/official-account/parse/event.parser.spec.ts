import { expect } from 'chai';
import type { InboundEvent } from '../../channel-adapter.ts';
import { expectParseError, fixtureReader, without, withField } from '../../wecom/parse/spec-support.ts';
import { parseOfficialAccountXml } from './inbound.parser.ts';

const fixture = fixtureReader(new URL('../fixtures/', import.meta.url));
const ACCOUNT = { corpId: 'wx5823bf96d3bd56c7' };
const GH = 'gh_10f6c3c3ac5a';
const OPENID = 'oyORnuP8q7ou2gfYjqLzSIWZf0rs';
const parse = (xml: string) => parseOfficialAccountXml(xml, ACCOUNT);

function common<K extends string>(kind: K, idempotencyKey: string, createTime = 1409735669) {
  return {
    kind,
    channel: 'official_account' as const,
    corpId: ACCOUNT.corpId,
    idempotencyKey,
    occurredAt: new Date(createTime * 1000),
    accountId: GH,
    openId: OPENID,
  };
}
const key = (event: string, createTime = 1409735669) => `oa:${GH}:${event}:${OPENID}:${createTime}`;

const EXPECTED: Record<string, InboundEvent> = {
  subscribe: { ...common('oa_subscribed', key('subscribe')), scene: null, ticket: null },
  'subscribe.qrscene': {
    ...common('oa_subscribed', key('subscribe', 1409735670), 1409735670),
    scene: '123123',
    ticket: 'TICKET',
  },
  unsubscribe: common('oa_unsubscribed', key('unsubscribe')),
  SCAN: { ...common('oa_scanned', key('SCAN')), scene: 'SCENE_VALUE', ticket: 'TICKET' },
  CLICK: { ...common('oa_menu_click', key('CLICK')), eventKey: 'V1001_TODAY_MUSIC' },
  VIEW: { ...common('oa_menu_view', key('VIEW')), eventKey: 'http://www.qq.com/', menuId: '412748651' },
  TEMPLATESENDJOBFINISH: {
    ...common('oa_template_send_finished', `oa:${GH}:TEMPLATESENDJOBFINISH:200163836`),
    msgId: '200163836',
    status: 'success',
    delivered: true,
  },
};

describe('parseOfficialAccountXml: events', () => {
  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`parses the event.${name} fixture into ${expected.kind}`, () => {
      expect(parse(fixture(`event.${name}`))).to.deep.equal([expected]);
    });
  }

  it('gives no scene to a subscribe whose EventKey is empty or not a qrscene_ key', () => {
    const xml = fixture('event.subscribe.qrscene');
    expect(parse(withField(xml, 'EventKey', ''))[0]).to.include({ scene: null });
    expect(parse(withField(xml, 'EventKey', 'qrscene_'))[0]).to.include({ scene: null });
    expect(parse(withField(xml, 'EventKey', 'last_trade_no'))[0]).to.include({ scene: null });
  });

  it('reports a failed template delivery with its status verbatim', () => {
    const xml = fixture('event.TEMPLATESENDJOBFINISH');
    expect(parse(withField(xml, 'Status', 'failed:user block'))[0]).to.include({ status: 'failed:user block', delivered: false });
    expect(parse(withField(xml, 'Status', 'failed: system failed'))[0]).to.include({ delivered: false });
  });

  it('keeps an event it does not handle raw as an unknown event', () => {
    const [event] = parse(fixture('event.LOCATION'));
    expect(event).to.include({ kind: 'unknown', channel: 'official_account', msgType: 'event', event: 'LOCATION', changeType: null });
    expect(event?.idempotencyKey).to.equal(key('LOCATION'));
    expect(event?.kind === 'unknown' && event.raw.Latitude).to.equal('23.137466');
  });

  it('throws a ParseError naming a missing EventKey on SCAN, CLICK and VIEW', () => {
    for (const name of ['SCAN', 'CLICK', 'VIEW']) {
      const err = expectParseError(() => parse(without(fixture(`event.${name}`), 'EventKey')));
      expect(err.missing, name).to.deep.equal(['EventKey']);
      expect(err.vendorType).to.equal(`event/${name}`);
    }
  });

  it('throws a ParseError naming a missing MsgID and Status on TEMPLATESENDJOBFINISH', () => {
    const err = expectParseError(() => parse(without(fixture('event.TEMPLATESENDJOBFINISH'), 'MsgID', 'Status')));
    expect(err.missing).to.deep.equal(['MsgID|MsgId', 'Status']);
  });

  it('throws a ParseError for an event push without Event', () => {
    expect(expectParseError(() => parse(without(fixture('event.unsubscribe'), 'Event'))).missing).to.deep.equal(['Event']);
  });
});
