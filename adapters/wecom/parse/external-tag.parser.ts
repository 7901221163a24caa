/**
 * `Event=change_external_tag` (protocol notes §2.3): a corp tag or tag group was created, renamed, deleted,
 * or tags were reordered. Deleting a group sends no events for its tags.
 */
import type { InboundEvent } from '../../channel-adapter.ts';
import { check, eventBase, unknownChange } from './envelope.ts';
import type { WecomCallback } from './envelope.ts';

const KINDS = {
  create: 'corp_tag_created',
  update: 'corp_tag_updated',
  delete: 'corp_tag_deleted',
} as const;

/** Parses one change_external_tag callback. Docs: https://developer.work.weixin.qq.com/document/path/92130 (企业客户标签事件) */
export function parseExternalTag(cb: WecomCallback): InboundEvent {
  const f = cb.fields;
  const type = cb.changeType;
  if (type === 'shuffle') {
    const groupId = f.optional('Id');
    const strategyId = f.optional('StrategyId');
    check(cb);
    return { ...eventBase(cb, 'corp_tag_shuffled', [groupId ?? '*', strategyId ?? '*']), groupId, strategyId };
  }
  if (type === null || !Object.hasOwn(KINDS, type)) return unknownChange(cb);

  const kind = KINDS[type as keyof typeof KINDS];
  const id = f.required('Id');
  const tagType = f.oneOf('TagType', ['tag', 'tag_group'] as const);
  const strategyId = f.optional('StrategyId');
  check(cb);
  return { ...eventBase(cb, kind, [tagType, id]), tagType, id, strategyId };
}
