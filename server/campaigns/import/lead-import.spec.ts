import { Readable } from 'node:stream';
import { expect } from 'chai';
import iconv from 'iconv-lite';
import { useTestDatabase } from '../../../test/support/database.ts';
import { seedTestOrg, testServices } from '../../../test/support/test-app.ts';
import { CampaignRepository, type CampaignDto } from '../campaign.repository.ts';
import { detectEncoding } from './lead-csv.ts';
import { LeadImportService } from './lead-import.service.ts';
import { normalizeLeadPhone } from './lead-phone.ts';

const CSV = [
  'phone,name,store,city,source,tags,会员等级',
  '13800000001,林小姐,SH01,上海,orders,"vip,老客",金卡',
  '138 0000 0002,陈先生,,北京,events,,',
  '',
  '+86 138-0000-0003,"张\n阿姨",SH01,上海,orders,,银卡',
  '12345,坏号码,,,,,',
  '13800000001,重复,,,,,',
  '13800000004,多一列,,,,,,extra',
  '+44 20 7946 0958,Foreign,,London,events,,',
  ',没有号码,,,,,',
  '13800000005,"bad"x,,,,,',
].join('\n');

describe('LeadImportService', () => {
  const t = useTestDatabase('lead_import');
  let services: ReturnType<typeof testServices>;
  let campaign: CampaignDto;
  let importer: LeadImportService;

  before(async () => {
    services = testServices(t.db);
    const org = await seedTestOrg(services);
    campaign = await new CampaignRepository(t.db.models).create({ corpId: org.corpId, storeIds: null }, { name: '双十一加粉' });
    importer = new LeadImportService(services.campaigns.leads, services.contacts, services.phones, services.clock);
    // An existing contact with the phone of row 8 (the +44 number): a duplicate, not a lead.
    await services.identities.upsert(org.corpId, { identities: [{ kind: 'wecom', externalUserId: 'wm-existing' }], phone: '+442079460958' });
  });

  it('imports valid rows, reports invalid ones with the line they start on, and counts duplicates', async () => {
    const summary = await importer.import(campaign, Readable.from([Buffer.from(CSV)]));
    expect(summary).to.deep.equal({
      rows: 9,
      imported: 4,
      duplicates: 2,
      invalid: 3,
      errors: [
        { line: 7, reason: 'invalid phone "12345": expected an 11-digit mainland mobile or +country number 手机号无效' },
        { line: 9, reason: 'wrong number of fields: expected 7, got 8 列数不对' },
        { line: 11, reason: 'missing phone 缺少手机号' },
      ],
    });
    const leads = await t.db.models.Lead.find({ corpId: campaign.corpId }).select('+phoneEnc').sort({ line: 1 }).lean();
    expect(leads.map((l) => [l.line, l.name, l.phoneMasked])).to.deep.equal([
      [2, '林小姐', '138****0001'],
      [3, '陈先生', '138****0002'],
      [5, '张\n阿姨', '138****0003'],
      [12, '"bad"x', '138****0005'],
    ]);
    expect(leads[0]!.tags).to.deep.equal(['vip', '老客']);
    expect(leads[0]!.attributes).to.deep.equal({ 会员等级: '金卡' });
    expect(leads[0]!.phoneEnc).to.match(/^v1\./);
    expect(services.phones.decrypt(leads[0]!.phoneEnc!)).to.equal('+8613800000001');
    expect(leads[0]!.key).to.equal(services.phones.hash('+8613800000001'));
  });

  it('can be re-run: every valid row is then a duplicate', async () => {
    const summary = await importer.import(campaign, Readable.from([Buffer.from(CSV)]));
    expect(summary).to.include({ rows: 9, imported: 0, duplicates: 6, invalid: 3 });
    expect(await t.db.models.Lead.countDocuments({ corpId: campaign.corpId })).to.equal(4);
  });

  it('reads a GBK file (detected, and when named) with the same result as UTF-8', async () => {
    const other = await new CampaignRepository(t.db.models).create({ corpId: campaign.corpId, storeIds: null }, { name: 'GBK' });
    const text = '手机号,姓名,门店\r\n13900000001,王女士,上海一店\r\n13900000002,"李\r\n先生",\r\n139000,坏,\r\n';
    const gbk = iconv.encode(text, 'gbk');
    expect(detectEncoding(gbk)).to.equal('gbk');
    // Small chunks: a two-byte character split across chunks must still decode.
    const chunks = Array.from({ length: Math.ceil(gbk.length / 7) }, (_, i) => gbk.subarray(i * 7, i * 7 + 7));
    const summary = await importer.import(other, Readable.from(chunks));
    expect(summary).to.deep.equal({ rows: 3, imported: 2, duplicates: 0, invalid: 1, errors: [{ line: 5, reason: summary.errors[0]!.reason }] });
    const names = (await t.db.models.Lead.find({ campaignId: other.id }).sort({ line: 1 }).lean()).map((l) => [l.line, l.name, l.storeHint]);
    expect(names).to.deep.equal([
      [2, '王女士', '上海一店'],
      [3, '李\n先生', ''],
    ]);
    const third = await new CampaignRepository(t.db.models).create({ corpId: campaign.corpId, storeIds: null }, { name: 'GBK named' });
    expect(await importer.import(third, Readable.from([gbk]), { encoding: 'gbk' })).to.include({ imported: 2, invalid: 1 });
  });

  it('reads UTF-8 with a BOM and refuses a file without a phone column', async () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('手机,姓名\n13700000001,周\n')]);
    expect(detectEncoding(bom)).to.equal('utf8');
    const c = await new CampaignRepository(t.db.models).create({ corpId: campaign.corpId, storeIds: null }, { name: 'BOM' });
    expect(await importer.import(c, Readable.from([bom]))).to.include({ rows: 1, imported: 1 });
    let error: unknown;
    await importer.import(c, Readable.from([Buffer.from('name,city\n周,上海\n')])).catch((e: unknown) => (error = e));
    expect((error as Error).message).to.match(/no phone column/);
  });
});

describe('normalizeLeadPhone', () => {
  it('normalises mainland mobiles to +86 and other numbers to E.164', () => {
    expect(normalizeLeadPhone('138 0013 8000')).to.deep.equal({ ok: true, e164: '+8613800138000' });
    expect(normalizeLeadPhone('008613800138000')).to.deep.equal({ ok: true, e164: '+8613800138000' });
    expect(normalizeLeadPhone('+1 (415) 555-2671')).to.deep.equal({ ok: true, e164: '+14155552671' });
    expect(normalizeLeadPhone('0085291234567')).to.deep.equal({ ok: true, e164: '+85291234567' });
    expect(normalizeLeadPhone('12800138000').ok).to.equal(false);
    expect(normalizeLeadPhone('+86 21 6123 4567').ok, 'a Shanghai landline').to.equal(false);
    expect(normalizeLeadPhone('021-61234567').ok).to.equal(false);
  });
});
