/** The demo organisation's fixed facts: a dairy brand with stores in Shanghai and Hangzhou. */
export const DEMO_CORP = { corpId: 'ww5iyudem0c0rp001', name: '鲜牧乳业（演示）', timezone: 'Asia/Shanghai' };

export const DEMO_STORES = [
  { code: 'SH-JA01', name: '静安寺店', city: '上海', region: '华东', address: '上海市静安区南京西路 1688 号', location: { lat: 31.2235, lng: 121.4454 } },
  { code: 'SH-PD02', name: '陆家嘴店', city: '上海', region: '华东', address: '上海市浦东新区陆家嘴环路 1000 号', location: { lat: 31.2397, lng: 121.4998 } },
  { code: 'HZ-XH01', name: '西湖店', city: '杭州', region: '华东', address: '杭州市西湖区湖滨路 28 号', location: { lat: 30.2592, lng: 120.1636 } },
];

export const DEMO_STAFF_NAMES = ['王芳', '李娜', '张伟', '刘洋', '陈静', '杨磊', '赵敏', '黄婷', '周杰', '吴倩', '徐涛', '孙丽'];

export const DEMO_TAG_GROUPS = [
  { name: '客户等级', tags: ['普通会员', '银卡', '金卡', '黑钻'] },
  { name: '购买偏好', tags: ['鲜奶', '酸奶', '奶酪', '儿童奶'] },
  { name: '来源渠道', tags: ['门店扫码', '公众号', '小程序下单', '老带新'] },
  // 沉睡30天 is what dormant-30d-winback targets: a brand names dormancy by its window, and so does the demo.
  { name: '生命周期', tags: ['新客', '复购', '沉睡30天', '流失预警'] },
  // The tags the shipped SOPs set and trigger on (sop-templates/): present from the start, as a brand would create
  // them before enabling the SOPs, so publishing never has to invent one.
  {
    name: 'SOP 运营',
    tags: ['新好友', '培育中', '互动客户', '召回-有意向', '流失风险', '鲜奶复购意向', '已购-鲜奶', '开业活动', '到店新客', '开业-已互动', '生日关怀-已互动'],
  },
];

/**
 * The demo's daytime store: its zone is chosen when the demo is first seeded so that it is late morning there
 * (11:00–11:59 local), which puts the first minutes of the demo outside quiet hours and past the 11:00 send of
 * dormant-30d-winback. Whole-hour zones without daylight saving, UTC−11 … UTC+13.
 */
export const DAYTIME_STORE = { code: 'GL-DAY01', name: '海外体验店', region: '海外', address: '演示门店：所在时区此刻为上午 Demo store: late morning in its zone' };
export const DAYTIME_ZONES: ReadonlyArray<{ offset: number; timezone: string; city: string }> = [
  { offset: -11, timezone: 'Pacific/Pago_Pago', city: '帕果帕果' },
  { offset: -10, timezone: 'Pacific/Honolulu', city: '檀香山' },
  { offset: -9, timezone: 'Pacific/Gambier', city: '甘比尔群岛' },
  { offset: -8, timezone: 'Pacific/Pitcairn', city: '皮特凯恩' },
  { offset: -7, timezone: 'America/Phoenix', city: '凤凰城' },
  { offset: -6, timezone: 'America/Regina', city: '里贾纳' },
  { offset: -5, timezone: 'America/Bogota', city: '波哥大' },
  { offset: -4, timezone: 'America/La_Paz', city: '拉巴斯' },
  { offset: -3, timezone: 'America/Sao_Paulo', city: '圣保罗' },
  { offset: -2, timezone: 'America/Noronha', city: '费尔南多-迪诺罗尼亚' },
  { offset: -1, timezone: 'Atlantic/Cape_Verde', city: '普拉亚' },
  { offset: 0, timezone: 'Africa/Abidjan', city: '阿比让' },
  { offset: 1, timezone: 'Africa/Lagos', city: '拉各斯' },
  { offset: 2, timezone: 'Africa/Johannesburg', city: '约翰内斯堡' },
  { offset: 3, timezone: 'Asia/Riyadh', city: '利雅得' },
  { offset: 4, timezone: 'Asia/Dubai', city: '迪拜' },
  { offset: 5, timezone: 'Asia/Tashkent', city: '塔什干' },
  { offset: 6, timezone: 'Asia/Dhaka', city: '达卡' },
  { offset: 7, timezone: 'Asia/Bangkok', city: '曼谷' },
  { offset: 8, timezone: 'Asia/Singapore', city: '新加坡' },
  { offset: 9, timezone: 'Asia/Tokyo', city: '东京' },
  { offset: 10, timezone: 'Australia/Brisbane', city: '布里斯班' },
  { offset: 11, timezone: 'Pacific/Noumea', city: '努美阿' },
  { offset: 12, timezone: 'Pacific/Tarawa', city: '塔拉瓦' },
  { offset: 13, timezone: 'Pacific/Tongatapu', city: '努库阿洛法' },
];

/** The zone where it is 11:xx at `now`. */
export function daytimeZone(now: Date): { timezone: string; city: string } {
  let offset = 11 - now.getUTCHours();
  if (offset < -11) offset += 24;
  if (offset > 13) offset -= 24;
  return DAYTIME_ZONES.find((z) => z.offset === offset)!;
}

/** Staff members of the daytime store (added after the others, so their ids do not move). */
export const DAYTIME_STAFF_NAMES = ['林晓', '郭睿'];

export const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文';
export const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红玲凤梅琳婷雪慧晨浩宇欣怡子涵梓轩佳琪思远雨桐一诺若汐';

/**
 * The demo's add-friend campaign: its 「联系我」 codes (one per staff member below) hang beside the store codes,
 * so the simulated new friends scan them now and then and the campaign funnel moves. One greeting: greetings are
 * the friend-request text for imported leads, which the demo has none of, so an A/B test of two would stay empty.
 */
export const DEMO_CAMPAIGN = {
  name: '冬季鲜奶加好友活动',
  greetings: [{ id: 'coupon', text: '您好，我是鲜牧门店的顾问，加我领一张鲜奶 5 元券。', weight: 1 }],
  /** The staff members whose codes the campaign prints: the daytime store's two and one in Shanghai. */
  staffUserIds: ['demo.day01', 'demo.day02', 'demo.staff01'],
};

/**
 * What the simulated 微信客服 customers ask: the demo knowledge base's questions in other words (colloquial,
 * typos, no punctuation), questions it cannot answer, and the words that always hand over to a person, so
 * /service shows bot answers, suggestions and a waiting pool.
 */
export const DEMO_KF_QUESTIONS = {
  known: [
    '你们送奶一般几点到啊',
    // The demo's answer A/B test is on the delivery-time entry: asked often, its experiment gathers exposures.
    '明天早上几点能收到奶',
    '鲜奶早上几点送到',
    '今天下单什么时候能到',
    '配送要不要运费',
    '今天奶怎么还没送到',
    '我想改下收货地址',
    '出差一周能暂停送奶吗',
    '周期订奶不想要了怎么取消',
    '鲜奶能放几天',
    '鲜牛奶要放冰箱吗',
    '巴氏奶跟常温奶有啥区别',
    '奶源是哪里的',
    '乳糖不耐受的人能喝吗',
    '孩子三岁能喝儿童成长奶吗',
    '怀孕了可以喝鲜奶不',
    '酸奶含糖量高不高',
    '怎么成为你们会员',
    '积分咋用',
    '积分会不会过期',
    '会员日是星期几',
    '优惠卷怎么用',
    '门店几点关门',
    '静安寺店地址发我一下',
    '西湖店在哪',
    '门店能停车吗',
    '可以开发票吗',
    '有没有送人的礼盒',
    '企业团购怎么订',
  ],
  unknown: ['你们招聘兼职吗', '能帮我查下快递吗', '附近有没有好吃的餐厅', '奶牛叫什么名字', '周末天气怎么样'],
  handover: ['我要投诉', '转人工', '喝了肚子疼，要退款'],
};
