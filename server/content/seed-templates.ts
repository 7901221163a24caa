/**
 * Published zh-CN content for every template id the shipped SOPs reference (sop-templates/*.yaml), so the demo
 * organisation's SOPs can run. Written as version 1 in two inserts; every template still passes the publish
 * checks (importPublished refuses one that does not), and seed-templates.spec.ts keeps the list complete.
 */
import { corpScope } from '../shared/scope.ts';
import type { Attachment } from './content-body.ts';
import { DEFAULT_SENSITIVE_WORDS } from './content-checks.ts';
import type { ContentService, NewTemplate } from './content.service.ts';

/** The demo brand's domain (a reserved .example name, RFC 2606): links and images live under it. */
export const DEMO_LINK_DOMAINS = ['xianmu.example'];
const M = 'https://m.xianmu.example';
const CDN = 'https://cdn.xianmu.example';

const link = (title: string, path: string, desc?: string): Attachment => ({ type: 'link', title, url: `${M}${path}`, ...(desc ? { desc } : {}), picUrl: `${CDN}/links${path}.jpg` });
const image = (path: string): Attachment => ({ type: 'image', url: `${CDN}${path}` });
const shop = (title: string, page: string): Attachment => ({ type: 'miniprogram', title, appId: 'wx0123456789abcdef', page, picUrl: `${CDN}/mp/${page.split('/')[1] ?? 'home'}.jpg` });

type Seed = Omit<NewTemplate, 'attachments'> & { attachments?: Attachment[] };

const ONE_TO_ONE: Seed[] = [
  {
    templateId: 'tpl-onboarding-day0-coupon',
    name: '新好友欢迎·新人券',
    scene: '新客欢迎',
    tags: ['新好友', '新人券'],
    channels: ['wecom_1to1'],
    text: '{{contact.name|您好}}，欢迎来到鲜牧{{store.name}}！我是您的鲜奶顾问{{staff.name}}。送您一张新人 10 元券，首单鲜奶直接抵扣，点下方链接领取～',
    attachments: [link('新人 10 元券', '/coupon/newcomer', '首单鲜奶立减 10 元，7 天内有效')],
  },
  {
    templateId: 'tpl-onboarding-day0-story',
    name: '新好友欢迎·牧场故事',
    scene: '新客欢迎',
    tags: ['新好友', '品牌故事'],
    channels: ['wecom_1to1'],
    text: '{{contact.name|您好}}，很高兴认识您！鲜牧的鲜奶来自自有牧场，清晨挤奶、巴氏杀菌，当天冷链送到{{store.city|您所在城市}}的门店。想了解我们的牧场，可以看看这篇文章～',
    attachments: [link('走进鲜牧牧场', '/story/ranch')],
  },
  {
    templateId: 'tpl-onboarding-day1-store-perks',
    name: '门店福利与到店指引',
    scene: '新客欢迎',
    tags: ['新好友', '门店福利'],
    channels: ['wecom_1to1'],
    text: '{{contact.name|亲爱的顾客}}，早上好！介绍一下{{store.name}}的会员福利：到店出示会员码可免费试饮，每周三会员日鲜奶 9 折，满 99 元可预约次日送达。有问题随时找我，我是{{staff.name}}。',
  },
  {
    templateId: 'tpl-onboarding-day3-nudge',
    name: '第 3 天未回复提醒',
    scene: '新客欢迎',
    tags: ['新好友'],
    channels: ['wecom_1to1'],
    text: '{{contact.name|您好}}，前两天送您的新人券还没用哦～最近店里的低温酸奶很受欢迎，需要的话回复「1」，我帮您预留一份。',
  },
  {
    templateId: 'tpl-onboarding-day7-coupon-expiry',
    name: '新人券到期提醒',
    scene: '新客欢迎',
    tags: ['新好友', '新人券'],
    channels: ['wecom_1to1'],
    text: '{{contact.name|您好}}，提醒一下：您的新人 10 元券今晚 24:00 到期，到店或在小程序下单都能用。',
    attachments: [shop('鲜牧商城·新人券', 'pages/coupon/index')],
  },
  {
    templateId: 'tpl-winback-coupon',
    name: '沉睡召回·回归券',
    scene: '沉睡召回',
    tags: ['沉睡30天', '优惠券'],
    channels: ['wecom_1to1'],
    text: '{{contact.name|您好}}，好久不见！{{store.name}}为老朋友准备了一张 15 元回归券，本周到店或下单都可以用，期待再见到您～',
    attachments: [link('15 元回归券', '/coupon/welcome-back', '满 49 元可用，7 天内有效')],
  },
  {
    templateId: 'tpl-winback-new-arrivals',
    name: '沉睡召回·新品故事',
    scene: '沉睡召回',
    tags: ['沉睡30天', '新品'],
    channels: ['wecom_1to1'],
    text: '{{contact.name|您好}}，鲜牧最近上新了：A2 鲜牛奶、草莓酸奶杯和儿童奶酪棒，都是当天现送。点开看看有没有您喜欢的～',
    attachments: [link('本月新品', '/new-arrivals')],
  },
  {
    templateId: 'tpl-milk-repurchase-coupon',
    name: '鲜奶复购·立减券',
    scene: '复购提醒',
    tags: ['鲜奶', '复购'],
    channels: ['wecom_1to1'],
    text: '{{contact.name|您好}}，上次买的鲜奶应该快喝完啦～这周复购鲜奶立减 5 元，{{store.name}}当天送达，点下方链接下单。',
    attachments: [link('鲜奶复购立减 5 元', '/coupon/milk-repurchase')],
  },
  {
    templateId: 'tpl-milk-repurchase-recipe',
    name: '鲜奶复购·早餐食谱',
    scene: '复购提醒',
    tags: ['鲜奶', '复购', '食谱'],
    channels: ['wecom_1to1'],
    text: '{{contact.name|您好}}，分享一个鲜奶早餐：燕麦 40 克加鲜奶 250 毫升，小火煮 3 分钟，放上香蕉片和坚果，孩子特别爱吃。鲜奶喝完了记得找我补货哦～',
    attachments: [link('鲜奶燕麦粥做法', '/recipes/milk-oatmeal')],
  },
  {
    templateId: 'tpl-milk-repurchase-last-call',
    name: '鲜奶复购·最后提醒',
    scene: '复购提醒',
    tags: ['鲜奶', '复购'],
    channels: ['wecom_1to1'],
    text: '{{contact.name|您好}}，本周鲜奶复购优惠明天结束，需要的话直接回复数量，我帮您安排配送。',
  },
  {
    templateId: 'tpl-store-opening-gift',
    name: '开业礼券',
    scene: '开业活动',
    tags: ['开业活动', '优惠券'],
    channels: ['wecom_1to1'],
    text: '{{contact.name|您好}}，欢迎光临鲜牧{{store.name}}！开业期间送您一张 20 元开业礼券，满 59 元可用，开业两周内有效。',
    attachments: [link('20 元开业礼券', '/coupon/opening')],
  },
  {
    templateId: 'tpl-store-opening-coupon-reminder',
    name: '开业券使用提醒',
    scene: '开业活动',
    tags: ['开业活动', '优惠券'],
    channels: ['wecom_1to1'],
    text: '{{contact.name|您好}}，您的 20 元开业礼券还没使用哦～开业周末店里有免费试吃，欢迎带家人一起来{{store.name}}坐坐。',
  },
  {
    templateId: 'tpl-store-opening-group-invite',
    name: '邀请加入门店福利群',
    scene: '开业活动',
    tags: ['开业活动', '社群'],
    channels: ['wecom_1to1'],
    text: '{{contact.name|您好}}，{{store.name}}建了一个门店福利群，每周有会员专享秒杀和新品试吃名额。点下方链接即可入群～',
    attachments: [link('加入门店福利群', '/groups/join')],
  },
  {
    templateId: 'tpl-birthday-greeting',
    name: '生日祝福与生日券',
    scene: '生日关怀',
    tags: ['生日', '优惠券'],
    channels: ['wecom_1to1'],
    text: '{{contact.name|亲爱的顾客}}，生日快乐！🎂 鲜牧为您准备了一张生日专享券：蛋糕或鲜奶礼盒立减 30 元，7 天内有效。愿您新的一岁每天都有好心情！—— {{store.name}} {{staff.name}}',
    attachments: [link('生日专享 30 元券', '/coupon/birthday')],
  },
  {
    templateId: 'tpl-birthday-coupon-expiring',
    name: '生日券到期提醒',
    scene: '生日关怀',
    tags: ['生日', '优惠券'],
    channels: ['wecom_1to1'],
    text: '{{contact.name|您好}}，您的生日专享 30 元券还有 2 天到期，别忘了使用哦～',
  },
];

const OTHER_CHANNELS: Seed[] = [
  {
    templateId: 'tpl-winback-oa-reminder',
    name: '公众号回归券提醒',
    scene: '沉睡召回',
    tags: ['沉睡30天', '公众号'],
    channels: ['official_account'],
    text: '您好，您在鲜牧的 15 元回归券还有 3 天到期。回复「券」查看使用方式，或到附近门店出示会员码使用。',
  },
  {
    templateId: 'tpl-group-mon-recipe',
    name: '社群·周一食谱',
    scene: '社群运营',
    tags: ['社群', '食谱'],
    channels: ['wecom_group'],
    text: '【周一食谱】鲜奶炖蛋：鲜奶 200 毫升、鸡蛋 2 个、糖 10 克，搅匀过筛，盖保鲜膜蒸 12 分钟。做好了欢迎在群里晒图～',
    attachments: [image('/recipes/milk-pudding.jpg')],
  },
  {
    templateId: 'tpl-group-wed-live-preview',
    name: '社群·周三直播预告',
    scene: '社群运营',
    tags: ['社群', '直播'],
    channels: ['wecom_group'],
    text: '【直播预告】今晚 20:30，{{store.name}}店长带大家逛牧场、聊聊鲜奶怎么选，直播间有限量秒杀。点链接预约直播～',
    attachments: [link('预约今晚直播', '/live/weekly')],
  },
  {
    templateId: 'tpl-group-fri-flash-sale',
    name: '社群·周五限时秒杀',
    scene: '社群运营',
    tags: ['社群', '秒杀'],
    channels: ['wecom_group'],
    text: '【周五限时秒杀】今天 12:00–14:00，鲜牛奶 950 毫升两瓶装秒杀价 19.9 元，每人限 2 份，先到先得！',
    attachments: [shop('鲜牧商城·周五秒杀', 'pages/flash-sale/index')],
  },
  {
    templateId: 'tpl-group-sun-recap',
    name: '社群·周末回顾',
    scene: '社群运营',
    tags: ['社群'],
    channels: ['wecom_group'],
    text: '【周末回顾】谢谢大家这周的支持！下周三晚直播、周五秒杀照常进行。想吃什么新品，欢迎在群里告诉{{staff.name}}～',
  },
  {
    templateId: 'tpl-moments-tue-new-product',
    name: '朋友圈·周二新品',
    scene: '朋友圈',
    tags: ['朋友圈', '新品'],
    channels: ['wecom_moments'],
    text: '新品上架｜草莓酸奶杯，草莓果肉加低温酸奶，今天起在{{store.name}}可以买到啦！',
    attachments: [image('/moments/strawberry-yogurt-1.jpg'), image('/moments/strawberry-yogurt-2.jpg')],
  },
  {
    templateId: 'tpl-moments-thu-customer-story',
    name: '朋友圈·周四客户故事',
    scene: '朋友圈',
    tags: ['朋友圈', '客户故事'],
    channels: ['wecom_moments'],
    text: '顾客故事｜住在店附近的王阿姨每天早上来买一瓶鲜奶，她说孙子现在只认鲜牧的味道。谢谢每一位把我们当邻居的您。',
    attachments: [image('/moments/customer-story.jpg')],
  },
  {
    templateId: 'tpl-moments-sat-store-event',
    name: '朋友圈·周六门店活动',
    scene: '朋友圈',
    tags: ['朋友圈', '门店活动'],
    channels: ['wecom_moments'],
    text: '周六门店活动｜今天 10:00–17:00，{{store.name}}有免费试饮和亲子 DIY 酸奶杯，欢迎带孩子来玩！',
    attachments: [link('周六亲子活动', '/events/weekend')],
  },
];

export const SEED_TEMPLATES: NewTemplate[] = [...ONE_TO_ONE, ...OTHER_CHANNELS].map((t) => ({ ...t, attachments: t.attachments ?? [] }));

/** Saves the demo corp's content settings (default words, the demo domain) and imports SEED_TEMPLATES. */
export async function seedContentTemplates(deps: { content: Pick<ContentService, 'saveSettings' | 'importPublished'> }, corpId: string): Promise<number> {
  const scope = corpScope(corpId);
  const seeder = { canEdit: true, staffId: null, actor: 'demo-seed' };
  await deps.content.saveSettings(scope, { sensitiveWords: [...DEFAULT_SENSITIVE_WORDS], allowedLinkDomains: DEMO_LINK_DOMAINS }, seeder);
  return deps.content.importPublished(scope, SEED_TEMPLATES, seeder.actor);
}
