import { expect } from 'chai';
import { cleanValue, parseTemplate, renderText, variableDef, variablesOf, type RenderContext } from './content-render.ts';

const ctx: RenderContext = {
  contact: { name: '李雷', remark: '李先生' },
  staff: { name: '王芳' },
  store: { name: '静安寺店', city: '上海' },
  now: new Date('2026-11-22T02:00:00Z'),
  timeZone: 'Asia/Shanghai',
  custom: { coupon_code: 'XM-2026' },
};

describe('renderText', () => {
  it('replaces every whitelisted variable and reports what it used', () => {
    const r = renderText('{{contact.name}}您好，我是{{staff.name}}，{{store.city}}{{store.name}}今天（{{now.date}}{{now.weekday}}）券码 {{custom.coupon_code}}。备注：{{contact.remark}}', ctx);
    expect(r.text).to.equal('李雷您好，我是王芳，上海静安寺店今天（11月22日周日）券码 XM-2026。备注：李先生');
    expect(r.used).to.deep.equal(['contact.name', 'staff.name', 'store.city', 'store.name', 'now.date', 'now.weekday', 'custom.coupon_code', 'contact.remark']);
    expect([r.unknown, r.missing, r.malformed]).to.deep.equal([[], [], []]);
  });

  it('uses the fallback when the value is missing, null or blank, and ignores spaces around path and fallback', () => {
    const text = '{{ contact.name | 亲爱的顾客 }}，欢迎！';
    expect(renderText(text, { contact: {} }).text).to.equal('亲爱的顾客，欢迎！');
    expect(renderText(text, { contact: { name: null } }).text).to.equal('亲爱的顾客，欢迎！');
    expect(renderText(text, { contact: { name: '  ' } }).text).to.equal('亲爱的顾客，欢迎！');
    expect(renderText(text, { contact: { name: '韩梅梅' } }).text).to.equal('韩梅梅，欢迎！');
  });

  it('renders an empty value without fallback as nothing and reports it missing; an explicit empty fallback is not missing', () => {
    const r = renderText('您好{{contact.name}}！', {});
    expect(r.text).to.equal('您好！');
    expect(r.missing).to.deep.equal(['contact.name']);
    expect(renderText('您好{{contact.name|}}！', {}).missing).to.deep.equal([]);
    expect(renderText('{{now.date|今天}}', {}).text, 'now.* without a time').to.equal('今天');
  });

  it('leaves unknown variables as written and reports them instead of dropping them', () => {
    const r = renderText('{{contact.phone}} / {{Contact.Name}} / {{custom.Bad-Key}} / {{contact.name}}', ctx);
    expect(r.text).to.equal('{{contact.phone}} / {{Contact.Name}} / {{custom.Bad-Key}} / 李雷');
    expect(r.unknown).to.deep.equal(['contact.phone', 'Contact.Name']);
    expect(r.malformed, 'a dash is not part of a path').to.deep.equal(['{{custom.Bad-Key}}']);
  });

  it('keeps malformed and unclosed braces as text and reports them', () => {
    const r = renderText('a {{contact name}} b {{ }} c {{contact.name', ctx);
    expect(r.text).to.equal('a {{contact name}} b {{ }} c {{contact.name');
    expect(r.malformed).to.deep.equal(['{{contact name}}', '{{ }}', '{{']);
  });

  it('prints \\{{ as literal braces and never rescans inserted values', () => {
    expect(renderText('写法：\\{{contact.name}}', ctx).text).to.equal('写法：{{contact.name}}');
    const r = renderText('{{contact.name}}', { contact: { name: '{{staff.name}}' }, staff: { name: '王芳' } });
    expect(r.text).to.equal('{{staff.name}}');
    expect(r.used).to.deep.equal(['contact.name']);
  });

  it('inserts values as plain text: no HTML encoding, no control characters, no extra lines', () => {
    const r = renderText('[{{contact.name}}]', { contact: { name: 'Tom & <Jerry>\n第二行\u0007\t!' } });
    expect(r.text).to.equal('[Tom & <Jerry> 第二行 !]');
  });

  it('cuts a value to its maxChars with an ellipsis, counting an emoji as one character', () => {
    const long = '🐮'.repeat(40);
    const out = renderText('{{contact.name}}', { contact: { name: long } }).text;
    expect([...out]).to.have.length(variableDef('contact.name')!.maxChars);
    expect(out.endsWith('…')).to.equal(true);
    expect(cleanValue(12, 5)).to.equal('12');
  });

  it('reads the local date in the store time zone', () => {
    // 2026-11-22T17:00Z is already Nov 23 (Monday) in Shanghai, still Nov 22 (Sunday) in New York.
    const now = new Date('2026-11-22T17:00:00Z');
    expect(renderText('{{now.date}}{{now.weekday}}', { now }).text).to.equal('11月23日周一');
    expect(renderText('{{now.date}}{{now.weekday}}', { now, timeZone: 'America/New_York' }).text).to.equal('11月22日周日');
  });
});

describe('variablesOf and parseTemplate', () => {
  it('lists distinct variable paths in order of first use, known or not, without escaped ones', () => {
    expect(variablesOf('{{staff.name}} {{contact.name|您}} {{staff.name}} {{foo.bar}} \\{{store.name}}')).to.deep.equal(['staff.name', 'contact.name', 'foo.bar']);
    expect(variablesOf('没有变量')).to.deep.equal([]);
  });

  it('splits text into literal, variable and malformed segments with offsets', () => {
    expect(parseTemplate('你好{{contact.name|朋友}}!{{x y}}')).to.deep.equal([
      { kind: 'text', text: '你好' },
      { kind: 'variable', raw: '{{contact.name|朋友}}', path: 'contact.name', fallback: '朋友', offset: 2 },
      { kind: 'text', text: '!' },
      { kind: 'malformed', raw: '{{x y}}', offset: 22 },
    ]);
  });

  it('does not let a token run across lines', () => {
    expect(renderText('{{contact.name\n}}', ctx).malformed).to.deep.equal(['{{']);
  });

  it('knows custom.<key> variables but not other namespaces', () => {
    expect(variableDef('custom.coupon_code')).to.include({ perContact: false, maxChars: 100 });
    expect(variableDef('custom.')).to.equal(null);
    expect(variableDef('store.address')).to.equal(null);
  });
});
