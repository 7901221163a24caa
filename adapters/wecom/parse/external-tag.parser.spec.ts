import { expect } from 'chai';
import type { InboundEvent } from '../../channel-adapter.ts';
import { parseWecomCallback } from './callback.parser.ts';
import { expectParseError, fixtureReader, without, withField } from './spec-support.ts';

const fixture = fixtureReader(new URL('../fixtures/events/', import.meta.url));
const CORP = 'wx5823bf96d3bd56c7';
const TAG = 'etm7wjCgAAD5hhvyfhPUpBbCs0CYuQMg';
const GROUP = 'etm7wjCgAAeJcfc2cNwnYo_r3ZZzsqLA';

function common<K extends string>(kind: K, keyIds: string) {
  return {
    kind,
    channel: 'wecom' as const,
    corpId: CORP,
    idempotencyKey: `wecom:${CORP}:change_external_tag:${keyIds}:1403610513`,
    occurredAt: new Date(1403610513 * 1000),
  };
}

const EXPECTED: Record<string, InboundEvent> = {
  create: { ...common('corp_tag_created', `create:tag:${TAG}`), tagType: 'tag', id: TAG, strategyId: null },
  update: { ...common('corp_tag_updated', `update:tag_group:${GROUP}`), tagType: 'tag_group', id: GROUP, strategyId: null },
  delete: { ...common('corp_tag_deleted', `delete:tag:${TAG}`), tagType: 'tag', id: TAG, strategyId: '1' },
  shuffle: { ...common('corp_tag_shuffled', `shuffle:${GROUP}:1`), groupId: GROUP, strategyId: '1' },
};

describe('parseWecomCallback: change_external_tag', () => {
  for (const [changeType, expected] of Object.entries(EXPECTED)) {
    it(`parses the ${changeType} fixture into ${expected.kind}`, () => {
      expect(parseWecomCallback(fixture(`change_external_tag.${changeType}`))).to.deep.equal([expected]);
    });
  }

  it('reads a shuffle without Id as a reorder of all groups', () => {
    const [event] = parseWecomCallback(without(fixture('change_external_tag.shuffle'), 'Id', 'StrategyId'));
    expect(event).to.include({ kind: 'corp_tag_shuffled', groupId: null, strategyId: null });
    expect(event?.idempotencyKey).to.equal(`wecom:${CORP}:change_external_tag:shuffle:*:*:1403610513`);
  });

  it('throws a ParseError naming a missing Id and TagType', () => {
    const err = expectParseError(() => parseWecomCallback(without(fixture('change_external_tag.create'), 'Id', 'TagType')));
    expect(err.missing).to.deep.equal(['Id', 'TagType']);
    expect(err.vendorType).to.equal('change_external_tag/create');
  });

  it('throws a ParseError naming a TagType other than tag or tag_group as invalid', () => {
    const err = expectParseError(() => parseWecomCallback(withField(fixture('change_external_tag.update'), 'TagType', 'label')));
    expect(err.invalid).to.deep.equal(['TagType']);
  });

  it('keeps an unknown ChangeType raw as an unknown event', () => {
    const [event] = parseWecomCallback(withField(fixture('change_external_tag.create'), 'ChangeType', 'merge'));
    expect(event).to.include({ kind: 'unknown', event: 'change_external_tag', changeType: 'merge' });
  });
});
