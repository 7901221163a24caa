/**
 * A seeded customer for the sidebar specs (API and browser): a WeCom friend of 导购乙 (a2, store A) with a corp
 * tag mirrored from the simulator, a running SOP with touches (one an experiment arm), a holdout assignment, a
 * note of each store and published quick replies in two scenes.
 */
import type { ChannelHarness } from './channel-harness.ts';

export const SIDEBAR_CUSTOMER = 'wm-sidebar-lin';

export type SidebarSeed = { contactId: string; tags: { vip: string; regular: string; local: string } };

export async function seedSidebarCustomer(h: ChannelHarness): Promise<SidebarSeed> {
  const { services: s, org, sim } = h;
  const corpId = org.corpId;
  const scope = { corpId, storeIds: null };
  const m = s.db.models;
  const level = sim.control.addTagGroup('客户等级', ['VIP', '普通']);
  await s.tags.mirror(corpId, [{ groupId: level.group_id, name: level.group_name, order: 0, tags: level.tag.map((t, i) => ({ tagId: t.id, name: t.name, order: i })) }]);
  const localGroup = await s.tags.createGroup(corpId, { name: '兴趣', tags: [{ name: '咖啡' }] });
  const [vip, regular] = level.tag.map((t) => t.id) as [string, string];
  sim.control.addCustomer({ external_userid: SIDEBAR_CUSTOMER, name: '林小姐', follow_user: [{ userid: 'a2', remark: '林姐', state: 'lc-poster', tags: [vip] }] });

  const a2 = await s.org.getStaff(scope, org.staff.a2);
  const { contact } = await s.identities.upsert(corpId, { identities: [{ kind: 'wecom', externalUserId: SIDEBAR_CUSTOMER }], profile: { name: '林小姐', lifecycle: 'customer' }, phone: '13900001111' });
  await s.follows.upsert(corpId, { contactId: contact.id, staff: a2, remark: '林姐', state: 'lc-poster', tagIds: [vip], addedAt: new Date('2026-10-01T02:00:00Z') });
  await s.contacts.changeTags(scope, contact.id, [vip], [], new Date());

  await m.Sop.create({ corpId, sopId: 'sop-onboarding', name: '新客七日关怀', status: 'enabled', version: 1, triggerType: 'event', definition: {}, source: 'api' });
  const run = await m.Enrollment.create({ corpId, sopId: 'sop-onboarding', contactId: contact.id, storeId: org.stores.a, staffId: org.staff.a2, tz: 'Asia/Shanghai', rotation: 0, enteredAt: new Date('2026-11-20T02:00:00Z'), status: 'active', stepId: 'day3', dueAt: new Date('2026-11-23T02:00:00Z'), cursorAt: new Date('2026-11-20T02:00:00Z') });
  const touch = { corpId, sopId: 'sop-onboarding', sopVersion: 1, enrollmentId: String(run._id), contactId: contact.id, storeId: org.stores.a, staffId: org.staff.a2, channel: 'wecom_1to1', templateId: 'tpl-welcome', priority: 50, tz: 'Asia/Shanghai' };
  await m.Touch.create({ ...touch, key: `sop-onboarding:${contact.id}:0:day0`, stepId: 'day0', dueAt: new Date('2026-11-20T02:00:00Z'), localDay: '2026-11-20', status: 'sent', sentAt: new Date('2026-11-20T02:01:00Z'), experiment: 'exp-welcome', variant: 'b', text: '欢迎林小姐' });
  await m.Touch.create({ ...touch, key: `sop-onboarding:${contact.id}:0:day3`, stepId: 'day3', dueAt: new Date('2026-11-23T02:00:00Z'), localDay: '2026-11-23', status: 'scheduled' });
  await m.ExperimentAssignment.create({ corpId, experimentId: 'exp-moments', contactId: contact.id, arm: 'holdout', storeId: org.stores.a, assignedAt: new Date('2026-11-21T02:00:00Z') });
  await m.ContactNote.create({ corpId, contactId: contact.id, storeId: org.stores.a, staffId: org.staff.a2, authorTokenId: 't-a', text: '喜欢拿铁，周末到店' });
  await m.ContactNote.create({ corpId, contactId: contact.id, storeId: org.stores.b, staffId: org.staff.b1, authorTokenId: 't-b', text: '北京店的备注' });

  await s.content.importPublished(
    scope,
    [
      { templateId: 'qr-greet', name: '初次问候', scene: '欢迎语', tags: [], channels: ['wecom_1to1'], text: '{{contact.name|您好}}，我是{{store.name}}的{{staff.name}}，很高兴为您服务！', attachments: [] },
      { templateId: 'qr-aftersale', name: '售后回访', scene: '售后', tags: ['回访'], channels: ['wecom_1to1'], text: '{{contact.name}}，上次购买的商品用得还好吗？', attachments: [] },
      { templateId: 'qr-oa-only', name: '公众号推文', scene: '活动', tags: [], channels: ['official_account'], text: '本周活动', attachments: [] },
    ],
    'seed',
  );
  return { contactId: contact.id, tags: { vip, regular, local: localGroup.tags[0]!.tagId } };
}
