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
  { name: '生命周期', tags: ['新客', '复购', '沉睡', '流失预警'] },
];

export const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文';
export const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红玲凤梅琳婷雪慧晨浩宇欣怡子涵梓轩佳琪思远雨桐一诺若汐';
