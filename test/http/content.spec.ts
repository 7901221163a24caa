import { expect } from 'chai';
import { useTestDatabase } from '../support/database.ts';
import { http, seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';
import type { Modules } from '../../server/modules.ts';

describe('content library API', () => {
  const t = useTestDatabase('content_http');
  let org: TestOrg;
  let api: ReturnType<typeof http>;
  let services: Modules;
  const put = (path: string, body: unknown, token: string) => api.raw().put(path).set('Authorization', `Bearer ${token}`).send(body as object);
  const tpl = (id: string, extra: Record<string, unknown> = {}) => ({
    templateId: id,
    name: '新好友欢迎',
    scene: '新客欢迎',
    tags: ['新好友'],
    channels: ['wecom_1to1'],
    text: '{{contact.name|您好}}，欢迎来到{{store.name}}，我是{{staff.name}}。',
    ...extra,
  });

  before(async () => {
    services = testServices(t.db);
    org = await seedTestOrg(services);
    api = http(services);
    await put('/api/content/settings', { sensitiveWords: ['最低价', '微信红包'], allowedLinkDomains: ['Example.com'] }, org.tokens.hq).expect(200);
  });

  describe('settings', () => {
    it('serves the defaults until HQ saves its own, then the normalised corp list', async () => {
      const other = await api.get('/api/content/settings', org.tokens.otherCorp).expect(200);
      expect(other.body).to.include({ source: 'default' });
      expect(other.body.sensitiveWords).to.include.members(['最低价', '第一', '国家级', '微信红包']);
      expect(other.body.allowedLinkDomains).to.deep.equal([]);
      const mine = await api.get('/api/content/settings', org.tokens.marketer).expect(200);
      expect(mine.body).to.include({ source: 'corp' });
      expect(mine.body.allowedLinkDomains).to.deep.equal(['example.com']);
    });

    it('lets only HQ admins change them, and refuses what is not a host name', async () => {
      await put('/api/content/settings', { sensitiveWords: [], allowedLinkDomains: [] }, org.tokens.marketer).expect(403);
      await api.get('/api/content/settings', org.tokens.staffA).expect(403);
      const bad = await put('/api/content/settings', { sensitiveWords: ['x'], allowedLinkDomains: ['https://example.com/x'] }, org.tokens.hq).expect(400);
      expect(bad.body.error.details[0].path).to.equal('body.allowedLinkDomains.0');
    });
  });

  describe('drafts and publishing', () => {
    it('creates a draft that nobody outside HQ and marketing can see', async () => {
      const res = await api.post('/api/content/templates', tpl('tpl-draft-only'), org.tokens.marketer).expect(201);
      expect(res.body).to.include({ templateId: 'tpl-draft-only', publishedVersion: null, hasUnpublishedChanges: true, published: null });
      expect(res.body.draft).to.deep.equal({ text: tpl('x').text, attachments: [] });
      await api.post('/api/content/templates', tpl('tpl-draft-only'), org.tokens.hq).expect(409);
      await api.get('/api/content/templates/tpl-draft-only', org.tokens.staffA).expect(404);
      await api.get('/api/content/templates/tpl-draft-only', org.tokens.otherCorp).expect(404);
    });

    it('refuses to publish with every problem listed, and writes nothing', async () => {
      await api
        .post(
          '/api/content/templates',
          tpl('tpl-bad', {
            channels: ['wecom_1to1', 'wecom_moments'],
            text: `{{contact.phone}} 全城最低价，关注领微信红包 https://evil-example.com/x ${'鲜'.repeat(1400)}`,
            attachments: [{ type: 'link', title: '活动', url: 'https://example.com.evil.net/' }, { type: 'miniprogram', title: '商城', appId: 'wx0123456789abcdef', page: 'pages/index', picUrl: 'https://cdn.example.com/m.jpg' }, { type: 'image', url: 'https://cdn.example.com/a.jpg' }],
          }),
          org.tokens.hq,
        )
        .expect(201);
      const res = await api.post('/api/content/templates/tpl-bad/publish', {}, org.tokens.hq).expect(422);
      expect(res.body.error.code).to.equal('validation_failed');
      const found = res.body.error.details.map((p: { code: string; path: string }) => `${p.code}@${p.path}`);
      expect(found).to.include.members([
        'unknown_variable@text',
        'sensitive_word@text',
        'link_domain_not_allowed@text',
        'link_domain_not_allowed@attachments[0].url',
        'text_too_long@text',
        'attachment_not_supported@attachments[1]',
        'moments_mixed_attachments@attachments',
      ]);
      expect(found.filter((f: string) => f === 'sensitive_word@text'), '最低价 and 微信红包').to.have.length(2);
      expect(await t.db.models.ContentVersion.countDocuments({ templateId: 'tpl-bad' })).to.equal(0);
      const after = await api.get('/api/content/templates/tpl-bad', org.tokens.hq).expect(200);
      expect(after.body).to.include({ publishedVersion: null });
      expect(after.body.versions).to.deep.equal([]);
    });

    it('publishes version 1, refuses an unchanged republish, then publishes version 2 after an edit', async () => {
      await api.post('/api/content/templates', tpl('tpl-welcome', { attachments: [{ type: 'link', title: '新人券', url: 'https://m.example.com/coupon' }] }), org.tokens.marketer).expect(201);
      const v1 = await api.post('/api/content/templates/tpl-welcome/publish', {}, org.tokens.marketer).expect(201);
      expect(v1.body).to.include({ templateId: 'tpl-welcome', version: 1, publishedAt: '2026-11-22T02:00:00.000Z' });
      expect(v1.body.channels).to.deep.equal(['wecom_1to1']);
      await api.post('/api/content/templates/tpl-welcome/publish', {}, org.tokens.marketer).expect(409);
      const patched = await api.patch('/api/content/templates/tpl-welcome', { text: '{{contact.name|您好}}，新版欢迎语。' }, org.tokens.hq).expect(200);
      expect(patched.body).to.include({ publishedVersion: 1, hasUnpublishedChanges: true });
      const v2 = await api.post('/api/content/templates/tpl-welcome/publish', {}, org.tokens.hq).expect(201);
      expect(v2.body.version).to.equal(2);
      const got = await api.get('/api/content/templates/tpl-welcome', org.tokens.hq).expect(200);
      expect(got.body).to.include({ publishedVersion: 2, hasUnpublishedChanges: false });
      expect(got.body.versions.map((v: { version: number }) => v.version)).to.deep.equal([2, 1]);
    });

    it('keeps a pinned version unchanged after a new publish and after archiving (a running SOP keeps its version)', async () => {
      await api.post('/api/content/templates', tpl('tpl-pinned', { text: '第 1 版：{{store.name}}周末活动' }), org.tokens.hq).expect(201);
      await api.post('/api/content/templates/tpl-pinned/publish', {}, org.tokens.hq).expect(201);
      const pinned = (await api.get('/api/content/templates/tpl-pinned/versions/1', org.tokens.staffA).expect(200)).body;
      expect(pinned.text).to.equal('第 1 版：{{store.name}}周末活动');
      await api.patch('/api/content/templates/tpl-pinned', { text: '第 2 版：全新内容', attachments: [{ type: 'image', url: 'https://cdn.example.com/a.jpg' }] }, org.tokens.hq).expect(200);
      await api.post('/api/content/templates/tpl-pinned/publish', {}, org.tokens.hq).expect(201);
      expect((await api.get('/api/content/templates/tpl-pinned/versions/1', org.tokens.staffA).expect(200)).body).to.deep.equal(pinned);
      expect((await api.get('/api/content/templates/tpl-pinned/versions/2', org.tokens.staffA).expect(200)).body.text).to.equal('第 2 版：全新内容');
      await api.get('/api/content/templates/tpl-pinned/versions/3', org.tokens.staffA).expect(404);

      let refused: unknown = null;
      await t.db.models.ContentVersion.updateOne({ templateId: 'tpl-pinned', version: 1 }, { $set: { text: 'rewritten' } }).catch((err: unknown) => (refused = err));
      expect(String(refused)).to.match(/immutable/);

      expect(await services.content.pinnedVersions(org.corpId, ['tpl-pinned', 'tpl-draft-only', 'tpl-nope'])).to.deep.equal({ 'tpl-pinned': 2, 'tpl-draft-only': null, 'tpl-nope': null });
      await api.delete('/api/content/templates/tpl-pinned', org.tokens.hq).expect(204);
      await api.get('/api/content/templates/tpl-pinned', org.tokens.hq).expect(404);
      await api.patch('/api/content/templates/tpl-pinned', { name: 'x' }, org.tokens.hq).expect(404);
      expect((await api.get('/api/content/templates/tpl-pinned/versions/1', org.tokens.staffA).expect(200)).body).to.deep.equal(pinned);
      await api.post('/api/content/templates', tpl('tpl-pinned'), org.tokens.hq).expect(409);
    });
  });

  describe('preview', () => {
    let contactA: string;
    let contactB: string;

    before(async () => {
      const scope = { corpId: org.corpId, storeIds: null };
      const a2 = await services.org.getStaff(scope, org.staff.a2);
      const b1 = await services.org.getStaff(scope, org.staff.b1);
      const a = await services.identities.upsert(org.corpId, { identities: [{ kind: 'wecom', externalUserId: 'wm-content-a' }], profile: { name: '王小明' } });
      const b = await services.identities.upsert(org.corpId, { identities: [{ kind: 'wecom', externalUserId: 'wm-content-b' }], profile: { name: '' } });
      await services.follows.upsert(org.corpId, { contactId: a.contact.id, staff: a2, addedAt: new Date() });
      await services.follows.upsert(org.corpId, { contactId: b.contact.id, staff: b1, addedAt: new Date() });
      contactA = a.contact.id;
      contactB = b.contact.id;
      await api.post('/api/content/templates', tpl('tpl-preview', { text: '{{contact.name|亲爱的顾客}}，{{store.city}}{{store.name}}的{{staff.name}}祝您{{now.date}}愉快' }), org.tokens.hq).expect(201);
    });

    it('renders the draft for a real contact with their staff member and store', async () => {
      const res = await api.post('/api/content/templates/tpl-preview/preview', { contactId: contactA }, org.tokens.hq).expect(200);
      expect(res.body.text).to.equal('王小明，上海上海一店的导购乙祝您11月22日愉快');
      expect(res.body).to.include({ version: null, channel: null });
      expect(res.body.context.contact).to.deep.equal({ id: contactA, name: '王小明' });
      expect(res.body.checks).to.deep.equal([]);
      expect(res.body.size).to.deep.equal({ bytes: Buffer.byteLength(res.body.text), chars: [...res.body.text].length });
    });

    it('uses the fallback for a contact without a name, and the built-in sample without a contact', async () => {
      const blank = await api.post('/api/content/templates/tpl-preview/preview', { contactId: contactB }, org.tokens.hq).expect(200);
      expect(blank.body.text).to.equal('亲爱的顾客，北京北京一店的导购丙祝您11月22日愉快');
      const sample = await api.post('/api/content/templates/tpl-preview/preview', {}, org.tokens.hq).expect(200);
      expect(sample.body.text).to.equal('张三，上海示例门店的示例导购祝您11月22日愉快');
    });

    it('reports unknown variables and per-channel problems for the channel asked about', async () => {
      await api.patch('/api/content/templates/tpl-preview', { text: '{{contact.name}} {{contact.vip_level}}' }, org.tokens.hq).expect(200);
      const res = await api.post('/api/content/templates/tpl-preview/preview', { channel: 'wecom_group' }, org.tokens.hq).expect(200);
      expect(res.body.text).to.equal('张三 {{contact.vip_level}}');
      expect(res.body.variables).to.deep.equal({ used: ['contact.name'], unknown: ['contact.vip_level'], missing: [], malformed: [] });
      expect(res.body.checks.map((c: { code: string }) => c.code)).to.deep.equal(['variable_not_available', 'unknown_variable']);
    });

    it("answers 404 for a contact outside the caller's store, and for a version that does not exist", async () => {
      await api.post('/api/content/templates/tpl-welcome/preview', { contactId: contactA }, org.tokens.staffB).expect(404);
      await api.post('/api/content/templates/tpl-welcome/preview', { version: 9 }, org.tokens.hq).expect(404);
    });
  });

  describe('store-level roles', () => {
    it('see only published templates, with the published content and never the draft', async () => {
      await api.patch('/api/content/templates/tpl-welcome', { text: '还没发布的草稿' }, org.tokens.hq).expect(200);
      const list = await api.get('/api/content/templates', org.tokens.staffA).expect(200);
      const ids = list.body.items.map((x: { templateId: string }) => x.templateId);
      expect(ids).to.include('tpl-welcome');
      expect(ids).not.to.include.members(['tpl-draft-only', 'tpl-bad', 'tpl-preview']);
      for (const item of list.body.items) expect(item).not.to.have.any.keys('draft', 'hasUnpublishedChanges');
      const one = await api.get('/api/content/templates/tpl-welcome', org.tokens.managerA).expect(200);
      expect(one.body.published).to.include({ version: 2, text: '{{contact.name|您好}}，新版欢迎语。' });
      const preview = await api.post('/api/content/templates/tpl-welcome/preview', {}, org.tokens.staffA).expect(200);
      expect(preview.body).to.include({ version: 2, text: '张三，新版欢迎语。' });
      await api.post('/api/content/templates/tpl-draft-only/preview', {}, org.tokens.staffA).expect(404);
      const search = await api.get(`/api/content/templates?q=${encodeURIComponent('还没发布')}`, org.tokens.staffA).expect(200);
      expect(search.body.items, 'drafts are not searchable by staff').to.deep.equal([]);
    });

    it('cannot write', async () => {
      await api.post('/api/content/templates', tpl('tpl-by-staff'), org.tokens.staffA).expect(403);
      await api.patch('/api/content/templates/tpl-welcome', { name: '改名' }, org.tokens.managerA).expect(403);
      await api.post('/api/content/templates/tpl-welcome/publish', {}, org.tokens.managerA).expect(403);
      await api.delete('/api/content/templates/tpl-welcome', org.tokens.staffA).expect(403);
    });
  });

  describe('listing and validation', () => {
    it('lists and searches by scene, tag, text and status', async () => {
      await api.post('/api/content/templates', tpl('tpl-after-sales', { name: '售后回访', scene: '售后', tags: ['回访'], text: '请问鲜奶口感还满意吗？' }), org.tokens.marketer).expect(201);
      const ids = async (query: string) => (await api.get(`/api/content/templates?${query}`, org.tokens.marketer).expect(200)).body.items.map((x: { templateId: string }) => x.templateId);
      expect(await ids(`scene=${encodeURIComponent('售后')}`)).to.deep.equal(['tpl-after-sales']);
      expect(await ids(`tag=${encodeURIComponent('回访')}`)).to.deep.equal(['tpl-after-sales']);
      expect(await ids(`q=${encodeURIComponent('口感')}`)).to.deep.equal(['tpl-after-sales']);
      expect(await ids('status=published')).to.deep.equal(['tpl-welcome']);
      expect(await ids('status=unpublished')).to.include.members(['tpl-after-sales', 'tpl-draft-only']);
      const page = await api.get('/api/content/templates?limit=1', org.tokens.marketer).expect(200);
      expect(page.body.items).to.have.length(1);
      expect(page.body.nextCursor).to.be.a('string');
    });

    it('validates requests strictly', async () => {
      const unknown = await api.post('/api/content/templates', tpl('tpl-x', { colour: 'red' }), org.tokens.hq).expect(400);
      expect(unknown.body.error.details).to.deep.equal([{ path: 'body', message: '未知字段：colour Unknown field(s): colour' }]);
      const bad = await api.post('/api/content/templates', tpl('Tpl X', { channels: ['sms'], attachments: [{ type: 'link', title: '', url: 'javascript:alert(1)' }] }), org.tokens.hq).expect(400);
      expect(bad.body.error.details.map((d: { path: string }) => d.path)).to.include.members(['body.templateId', 'body.channels.0', 'body.attachments.0.title', 'body.attachments.0.url']);
      await api.post('/api/content/templates', tpl('tpl-x', { channels: [] }), org.tokens.hq).expect(400);
      await api.patch('/api/content/templates/tpl-welcome', {}, org.tokens.hq).expect(400);
      await api.post('/api/content/templates/tpl-welcome/preview', { version: 0, extra: true }, org.tokens.hq).expect(400);
      await api.get('/api/content/templates/tpl-welcome/versions/abc', org.tokens.hq).expect(400);
      await api.get('/api/content/templates?status=draft', org.tokens.hq).expect(400);
    });
  });
});
