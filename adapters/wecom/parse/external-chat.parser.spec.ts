import { expect } from 'chai';
import type { InboundEvent } from '../../channel-adapter.ts';
import { parseWecomCallback } from './callback.parser.ts';
import { expectParseError, fixtureReader, without, withField } from './spec-support.ts';

const fixture = fixtureReader(new URL('../fixtures/events/', import.meta.url));
const CORP = 'wx5823bf96d3bd56c7';
const CHAT = 'wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA';
const PREFIX = `wecom:${CORP}:change_external_chat`;

function common<K extends string>(kind: K, keyIds: string) {
  return {
    kind,
    channel: 'wecom' as const,
    corpId: CORP,
    idempotencyKey: `${PREFIX}:${keyIds}:1403610513`,
    occurredAt: new Date(1403610513 * 1000),
    chatId: CHAT,
  };
}

const NO_MEMBERS = {
  joinScene: null,
  quitScene: null,
  memberChangeCnt: null,
  memberChangeList: null,
  lastMemberVersion: null,
  currentMemberVersion: null,
};

const EXPECTED: Record<string, InboundEvent> = {
  create: common('group_created', `create:${CHAT}`),
  dismiss: common('group_dismissed', `dismiss:${CHAT}`),
  'update.add_member': {
    ...common('group_updated', `update:${CHAT}:add_member:v71217227bbd112ecfe3a49c482195cb4`),
    updateDetail: 'add_member',
    joinScene: 3,
    quitScene: null,
    memberChangeCnt: 2,
    memberChangeList: ['Jack', 'Rose'],
    lastMemberVersion: '9c3f97c2ada667dfb5f6d03308d963e1',
    currentMemberVersion: '71217227bbd112ecfe3a49c482195cb4',
  },
  'update.del_member': {
    ...common('group_updated', `update:${CHAT}:del_member:va0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5`),
    updateDetail: 'del_member',
    joinScene: null,
    quitScene: 0,
    memberChangeCnt: 1,
    memberChangeList: ['woAJ2GCAAAXtWyujaWJHDDGi0mAAAA'],
    lastMemberVersion: '71217227bbd112ecfe3a49c482195cb4',
    currentMemberVersion: 'a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5',
  },
  'update.change_owner': { ...common('group_updated', `update:${CHAT}:change_owner`), updateDetail: 'change_owner', ...NO_MEMBERS },
  'update.change_name': { ...common('group_updated', `update:${CHAT}:change_name`), updateDetail: 'change_name', ...NO_MEMBERS },
  'update.change_notice': { ...common('group_updated', `update:${CHAT}:change_notice`), updateDetail: 'change_notice', ...NO_MEMBERS },
};

describe('parseWecomCallback: change_external_chat', () => {
  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`parses the ${name} fixture into ${expected.kind}`, () => {
      expect(parseWecomCallback(fixture(`change_external_chat.${name}`))).to.deep.equal([expected]);
    });
  }

  it('reads MemChangeList as <Item> elements, as a comma-joined string, and empty', () => {
    const xml = fixture('change_external_chat.update.add_member');
    const list = (text: string) => (parseWecomCallback(text)[0] as { memberChangeList: unknown }).memberChangeList;
    expect(list(xml)).to.deep.equal(['Jack', 'Rose']);
    expect(list(withField(xml, 'MemChangeList', 'Jack, Rose'))).to.deep.equal(['Jack', 'Rose']);
    expect(list(xml.replace(/<MemChangeList>[\s\S]*<\/MemChangeList>/, '<MemChangeList></MemChangeList>'))).to.deep.equal([]);
    expect(list(xml.replace(/<Item><!\[CDATA\[Rose]]><\/Item>\n/, ''))).to.deep.equal(['Jack']);
  });

  it('keys two changes in the same second apart by member version, or by members when there is none', () => {
    const xml = fixture('change_external_chat.update.add_member');
    const key = (text: string) => parseWecomCallback(text)[0]?.idempotencyKey;
    expect(key(xml)).to.not.equal(key(withField(xml, 'CurMemVer', 'ffffffffffffffffffffffffffffffff')));
    const noVersion = without(xml, 'CurMemVer', 'LastMemVer');
    const other = noVersion.replace('Rose', 'Lucy');
    expect(key(noVersion)).to.match(new RegExp(`^${PREFIX}:update:${CHAT}:add_member:m[0-9a-f]{16}:1403610513$`));
    expect(key(noVersion)).to.not.equal(key(other));
    expect(key(noVersion)).to.equal(key(noVersion));
  });

  it('keeps an unknown UpdateDetail raw as an unknown event', () => {
    const xml = withField(fixture('change_external_chat.update.change_name'), 'UpdateDetail', 'change_admin');
    const [event] = parseWecomCallback(xml);
    expect(event).to.include({ kind: 'unknown', event: 'change_external_chat', changeType: 'update' });
    expect(event?.kind === 'unknown' && event.raw.UpdateDetail).to.equal('change_admin');
  });

  it('keeps an unknown ChangeType raw as an unknown event', () => {
    const [event] = parseWecomCallback(withField(fixture('change_external_chat.create'), 'ChangeType', 'archive'));
    expect(event).to.include({ kind: 'unknown', changeType: 'archive' });
  });

  it('throws a ParseError naming a missing ChatId and UpdateDetail', () => {
    const xml = without(fixture('change_external_chat.update.change_owner'), 'ChatId', 'UpdateDetail');
    const err = expectParseError(() => parseWecomCallback(xml));
    expect(err.missing).to.deep.equal(['ChatId', 'UpdateDetail']);
    expect(err.vendorType).to.equal('change_external_chat/update');
    expect(expectParseError(() => parseWecomCallback(without(fixture('change_external_chat.dismiss'), 'ChatId'))).missing).to.deep.equal(['ChatId']);
  });

  it('throws a ParseError naming a non-numeric scene or count as invalid', () => {
    const xml = withField(withField(fixture('change_external_chat.update.add_member'), 'JoinScene', 'qr'), 'MemChangeCnt', '-1');
    const err = expectParseError(() => parseWecomCallback(xml));
    expect(err.invalid).to.deep.equal(['JoinScene', 'MemChangeCnt']);
    expect(err.missing).to.deep.equal([]);
  });

  it('throws a ParseError naming a MemChangeList of another shape as invalid', () => {
    const xml = fixture('change_external_chat.update.add_member').replace(/<MemChangeList>[\s\S]*<\/MemChangeList>/, '<MemChangeList><Member>Jack</Member></MemChangeList>');
    expect(expectParseError(() => parseWecomCallback(xml)).invalid).to.deep.equal(['MemChangeList']);
  });
});
