import { expect } from 'chai';
import type { Attachment, ContentBody } from './content-body.ts';
import {
  channelProblems,
  checkContent,
  DEFAULT_SENSITIVE_WORDS,
  findSensitiveWords,
  isAllowedHost,
  normalizeDomain,
  urlsIn,
  utf8Bytes,
  worstCaseSize,
  type ContentSettings,
} from './content-checks.ts';

const settings: ContentSettings = { sensitiveWords: DEFAULT_SENSITIVE_WORDS, allowedLinkDomains: ['example.com'] };
const body = (text: string, attachments: Attachment[] = []): ContentBody => ({ text, attachments });
const codes = (problems: Array<{ code: string }>) => problems.map((p) => p.code);
const img = (n: number): Attachment[] => Array.from({ length: n }, (_, i) => ({ type: 'image', url: `https://cdn.example.com/${i}.jpg` }));
const link: Attachment = { type: 'link', title: '活动', url: 'https://m.example.com/a' };
const video: Attachment = { type: 'video', url: 'https://cdn.example.com/v.mp4' };
const mini: Attachment = { type: 'miniprogram', title: '商城', appId: 'wx0123456789abcdef', page: 'pages/index', picUrl: 'https://cdn.example.com/m.jpg' };

describe('checkContent', () => {
  it('passes clean content for every channel', () => {
    expect(checkContent(body('{{contact.name|您好}}，本周新品上架。', [link]), { channels: ['wecom_1to1', 'kf', 'official_account'], settings })).to.deep.equal([]);
    expect(checkContent(body('本周新品上架。', img(9)), { channels: ['wecom_group', 'wecom_moments'], settings })).to.deep.equal([]);
  });

  it('refuses empty content and a template for no channel', () => {
    expect(codes(checkContent(body('  \n'), { channels: [], settings }))).to.deep.equal(['no_channel', 'empty_content']);
    expect(checkContent(body('', img(1)), { channels: ['wecom_1to1'], settings }), 'attachments alone are content').to.deep.equal([]);
  });

  it('lists every problem at once, each with code, path and message', () => {
    const problems = checkContent(body(`{{contact.phone}} 最低价 <b>x</b> https://evil.com ${'好'.repeat(1400)}`, [...img(9), link]), { channels: ['wecom_1to1'], settings });
    expect(codes(problems)).to.have.members(['unknown_variable', 'html_markup', 'sensitive_word', 'link_domain_not_allowed', 'text_too_long', 'too_many_attachments']);
    for (const p of problems) expect(p).to.have.keys('code', 'path', 'message');
  });

  describe('variables', () => {
    it('refuses unknown and malformed variables, naming the known ones', () => {
      const problems = checkContent(body('{{contact.phone}} {{contact name}}'), { channels: ['wecom_1to1'], settings });
      expect(codes(problems)).to.deep.equal(['unknown_variable', 'malformed_variable']);
      expect(problems[0]!.message).to.contain('contact.name');
      expect(problems[0]!.path).to.equal('text');
    });

    it('refuses per-customer variables where one message reaches many people', () => {
      const problems = checkContent(body('{{contact.name}}，{{store.name}}周末活动'), { channels: ['wecom_1to1', 'wecom_group', 'wecom_moments'], settings });
      expect(codes(problems)).to.deep.equal(['variable_not_available']);
      expect(problems[0]!.message).to.contain('wecom_group, wecom_moments');
    });

    it('refuses variables in attachment titles, which are sent as written', () => {
      const problems = checkContent(body('hi', [{ ...link, title: '{{contact.name}}的券' }]), { channels: ['wecom_1to1'], settings });
      expect(problems).to.deep.equal([{ code: 'variable_outside_text', path: 'attachments[0].title', message: '变量只在正文中替换，附件按原样发送 Variables are replaced in the text only; attachments are sent as written' }]);
    });
  });

  describe('sensitive words', () => {
    it('finds words case-insensitively, in full-width form, split by spaces or zero-width characters', () => {
      expect(findSensitiveWords('全城最低价！', DEFAULT_SENSITIVE_WORDS)).to.deep.equal(['最低价']);
      expect(findSensitiveWords('销量ｎｏ．１', DEFAULT_SENSITIVE_WORDS)).to.deep.equal(['NO.1']);
      expect(findSensitiveWords('No.1 品牌', DEFAULT_SENSITIVE_WORDS)).to.deep.equal(['NO.1']);
      expect(findSensitiveWords('最 低\u3000价', DEFAULT_SENSITIVE_WORDS)).to.deep.equal(['最低价']);
      expect(findSensitiveWords('最\u200b低价', DEFAULT_SENSITIVE_WORDS)).to.deep.equal(['最低价']);
      expect(findSensitiveWords('我们的鲜奶很新鲜', DEFAULT_SENSITIVE_WORDS)).to.deep.equal([]);
    });

    it('uses the corp list, including full-width entries in it, and checks attachment titles and descriptions', () => {
      const corp: ContentSettings = { sensitiveWords: ['ＶＩＰ专享', '稳赚'], allowedLinkDomains: ['example.com'] };
      const problems = checkContent(body('vip专享 最低价', [{ ...link, title: '稳赚不赔', desc: 'VIP 专享' }]), { channels: ['wecom_1to1'], settings: corp });
      expect(problems.map((p) => `${p.code}@${p.path}`)).to.deep.equal(['sensitive_word@text', 'sensitive_word@attachments[0].title', 'sensitive_word@attachments[0].desc']);
      expect(problems[0]!.message).to.contain('ＶＩＰ专享');
    });

    it('checks fallbacks, which customers may read', () => {
      expect(codes(checkContent(body('{{contact.name|国家级好客户}}'), { channels: ['wecom_1to1'], settings }))).to.deep.equal(['sensitive_word']);
    });
  });

  describe('link domains', () => {
    it('allows the domain and its subdomains, and nothing that merely looks like it', () => {
      const allowed = ['example.com'];
      expect(isAllowedHost('example.com', allowed)).to.equal(true);
      expect(isAllowedHost('m.example.com', allowed)).to.equal(true);
      expect(isAllowedHost('a.b.EXAMPLE.com.', allowed)).to.equal(true);
      expect(isAllowedHost('evil-example.com', allowed)).to.equal(false);
      expect(isAllowedHost('example.com.evil.net', allowed)).to.equal(false);
      expect(isAllowedHost('notexample.com', allowed)).to.equal(false);
      expect(isAllowedHost('example.co', allowed)).to.equal(false);
    });

    it('checks link attachments and URLs in the text, including the user-info trick and full-width URLs', () => {
      const text = '详情 https://m.example.com/a?b=1，或 https://example.com@evil.com/x 或 www.evil-example.com/y 或 ｈｔｔｐｓ://ｅｖｉｌ．ｃｎ';
      const problems = checkContent(body(text, [{ ...link, url: 'https://example.com.evil.net/' }]), { channels: ['wecom_1to1'], settings });
      expect(problems.map((p) => `${p.code}@${p.path}`)).to.deep.equal([
        'link_domain_not_allowed@text',
        'link_domain_not_allowed@text',
        'link_domain_not_allowed@text',
        'link_domain_not_allowed@attachments[0].url',
      ]);
      expect(problems.map((p) => p.message.split(' ')[0])).to.deep.equal(['evil.com', 'www.evil-example.com', 'evil.cn', 'example.com.evil.net']);
    });

    it('allows no link at all while the corp lists no domain', () => {
      const problems = checkContent(body('https://example.com'), { channels: ['wecom_1to1'], settings: { ...settings, allowedLinkDomains: [] } });
      expect(problems).to.have.length(1);
      expect(problems[0]!.message).to.contain('none yet');
    });

    it('extracts URLs up to Chinese punctuation and drops trailing punctuation', () => {
      expect(urlsIn('看这里https://m.example.com/a，然后（https://example.com/b）. 再见')).to.deep.equal(['https://m.example.com/a', 'https://example.com/b']);
    });

    it('normalises configured domains and rejects what is not a host name', () => {
      expect(normalizeDomain(' Example.COM. ')).to.equal('example.com');
      expect(normalizeDomain('*.example.com')).to.equal('example.com');
      expect(normalizeDomain('例子.cn')).to.equal('xn--fsqu00a.cn');
      for (const bad of ['https://example.com', 'example.com/path', 'localhost', 'user@example.com', '', 'example.com:8080']) expect(normalizeDomain(bad), bad).to.equal(null);
    });
  });

  it('refuses HTML markup: channels take plain text', () => {
    expect(codes(checkContent(body('点击<a href="https://example.com">这里</a>'), { channels: ['official_account'], settings }))).to.include('html_markup');
    expect(checkContent(body('满 99 元 < 100 元 > 50 元'), { channels: ['wecom_1to1'], settings })).to.deep.equal([]);
  });
});

describe('channel limits', () => {
  it('counts UTF-8 bytes: a Chinese character is 3 bytes, so 1,333 fit in 4,000 and 1,334 do not', () => {
    expect(utf8Bytes('鲜')).to.equal(3);
    expect(channelProblems(body('鲜'.repeat(1333)), 'wecom_1to1')).to.deep.equal([]);
    expect(codes(channelProblems(body('鲜'.repeat(1334)), 'wecom_1to1'))).to.deep.equal(['text_too_long']);
    expect(channelProblems(body('a'.repeat(4000)), 'wecom_group')).to.deep.equal([]);
    expect(codes(channelProblems(body(`${'a'.repeat(3999)}鲜`), 'wecom_group'))).to.deep.equal(['text_too_long']);
  });

  it('counts each variable at its longest (4 bytes per character) or its fallback, whichever is longer', () => {
    expect(worstCaseSize('{{contact.name}}')).to.deep.equal({ bytes: 128, chars: 32 });
    expect(worstCaseSize(`{{contact.name|${'客'.repeat(50)}}}`)).to.deep.equal({ bytes: 150, chars: 50 });
    expect(worstCaseSize('\\{{x')).to.deep.equal({ bytes: 3, chars: 3 });
    // 1,290 characters of text (3,870 bytes) + a name (128 bytes) = 3,998 ≤ 4,000; one more character is over.
    expect(channelProblems(body(`${'鲜'.repeat(1290)}{{contact.name}}`), 'wecom_1to1')).to.deep.equal([]);
    expect(codes(channelProblems(body(`${'鲜'.repeat(1291)}{{contact.name}}`), 'wecom_1to1'))).to.deep.equal(['text_too_long']);
  });

  it('allows 9 attachments on mass sends, not 10', () => {
    expect(channelProblems(body('x', img(9)), 'wecom_1to1')).to.deep.equal([]);
    expect(codes(channelProblems(body('x', img(10)), 'wecom_1to1'))).to.deep.equal(['too_many_attachments']);
  });

  it('limits moments to 2,000 characters and to 9 images, or 1 video, or 1 link, never mixed, no mini programs', () => {
    expect(channelProblems(body('鲜'.repeat(1333)), 'wecom_moments')).to.deep.equal([]);
    expect(codes(channelProblems(body('a'.repeat(2001)), 'wecom_moments'))).to.deep.equal(['text_too_long']);
    expect(codes(channelProblems(body('鲜'.repeat(1334)), 'wecom_moments')), '4,000 bytes as well').to.deep.equal(['text_too_long']);
    expect(channelProblems(body('x', [video]), 'wecom_moments')).to.deep.equal([]);
    expect(channelProblems(body('x', [link]), 'wecom_moments')).to.deep.equal([]);
    expect(codes(channelProblems(body('x', img(10)), 'wecom_moments'))).to.deep.equal(['too_many_attachments']);
    expect(codes(channelProblems(body('x', [link, link]), 'wecom_moments'))).to.deep.equal(['too_many_attachments']);
    expect(codes(channelProblems(body('x', [...img(2), link]), 'wecom_moments'))).to.deep.equal(['moments_mixed_attachments']);
    expect(channelProblems(body('x', [mini]), 'wecom_moments')).to.deep.equal([
      { code: 'attachment_not_supported', path: 'attachments[0]', message: 'wecom_moments 不能发送 miniprogram 附件（支持 image、video、link）wecom_moments cannot send a miniprogram attachment; it takes image, video, link' },
    ]);
  });

  it('limits kf and official-account text to 2,048 bytes and the message count to the 5-message window', () => {
    for (const channel of ['kf', 'official_account'] as const) {
      expect(channelProblems(body(`${'鲜'.repeat(682)}ab`), channel), channel).to.deep.equal([]);
      expect(codes(channelProblems(body(`${'鲜'.repeat(682)}abc`), channel)), channel).to.deep.equal(['text_too_long']);
      expect(channelProblems(body('x', img(4)), channel)).to.deep.equal([]);
      expect(codes(channelProblems(body('x', img(5)), channel))).to.deep.equal(['too_many_messages']);
      expect(channelProblems(body('', img(5)), channel), 'no text, five attachments').to.deep.equal([]);
    }
  });
});
