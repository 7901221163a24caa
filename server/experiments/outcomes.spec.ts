import { expect } from 'chai';
import { attribute, eventTypesOf, parseMetric, type ExposureUnit, type OutcomeEvent } from './outcomes.ts';

const T0 = new Date('2026-12-01T02:00:00Z');
const at = (hours: number) => new Date(T0.getTime() + hours * 3_600_000);
const unit = (contactId: string, arm: string, exposedHours = 0): ExposureUnit => ({ contactId, arm, storeId: 'S1', exposedAt: at(exposedHours), sentAt: null });
const ev = (contactId: string, type: string, hours: number, payload: Record<string, unknown> = {}, direction = 'inbound'): OutcomeEvent => ({ contactId, type, direction, occurredAt: at(hours), payload });

const METRICS = ['reply', 'click', 'conversion', 'conversion:order', 'tag:tag-vip', 'friend_deleted', 'opted_out', 'friend_added'];
const run = (units: ExposureUnit[], events: OutcomeEvent[], metrics = METRICS, windowDays = 7) => attribute(units, events, { metrics, windowDays, experimentId: 'exp-1' });

describe('experiments/outcomes', () => {
  describe('parseMetric', () => {
    it('accepts the documented metric ids', () => {
      expect(parseMetric('reply')).to.deep.equal({ kind: 'reply' });
      expect(parseMetric('conversion')).to.deep.equal({ kind: 'conversion', conversionType: null });
      expect(parseMetric('conversion:order')).to.deep.equal({ kind: 'conversion', conversionType: 'order' });
      expect(parseMetric('tag:etAbC123')).to.deep.equal({ kind: 'tag', tagId: 'etAbC123' });
      expect(parseMetric('opted_out')).to.deep.equal({ kind: 'opted_out' });
    });

    it('refuses anything else', () => {
      for (const id of ['', 'replies', 'tag:', 'tag:a b', 'conversion:', 'click:x', 'tag:a:b', 'constructor']) expect(parseMetric(id), id).to.equal(null);
    });
  });

  it('lists the event types the metrics read, once each', () => {
    expect(eventTypesOf(['click', 'conversion', 'conversion:order'])).to.deep.equal(['link.clicked', 'conversion']);
    expect(eventTypesOf(['friend_deleted'])).to.deep.equal(['friend_deleted_by_customer', 'friend_deleted_by_staff']);
    expect(eventTypesOf(['reply'])).to.include.members(['kf.message.text', 'oa_text_message', 'room_message']);
  });

  it('takes the first qualifying event after exposure and inside the window, per metric', () => {
    const [u] = run(
      [unit('c1', 'a', 10)],
      [
        ev('c1', 'kf.message.text', 9), // before exposure
        ev('c1', 'kf.message.text', 30, { origin: 'customer' }),
        ev('c1', 'oa_text_message', 20), // the first reply
        ev('c1', 'link.clicked', 11, { experiment: 'exp-1' }),
        ev('c1', 'conversion', 50, { conversionType: 'signup' }),
        ev('c1', 'conversion', 60, { conversionType: 'order' }),
        ev('c1', 'contact.tags_changed', 12, { added: ['tag-vip'] }, 'internal'),
      ],
    );
    expect(u!.outcomes).to.deep.equal({
      reply: at(20),
      click: at(11),
      conversion: at(50),
      'conversion:order': at(60),
      'tag:tag-vip': at(12),
      friend_deleted: null,
      opted_out: null,
      friend_added: null,
    });
  });

  it('ignores messages from the servicer or the system, and outbound ones', () => {
    const [u] = run(
      [unit('c1', 'a')],
      [ev('c1', 'kf.message.text', 1, { origin: 'servicer' }), ev('c1', 'kf.message.text', 2, { origin: 'system' }), ev('c1', 'wecom.message', 3, {}, 'outbound')],
      ['reply'],
    );
    expect(u!.outcomes.reply).to.equal(null);
  });

  it('counts an outcome at exposure itself, not at the end of the window', () => {
    const units = [unit('c1', 'a'), unit('c2', 'b')];
    const out = run(units, [ev('c1', 'room_message', 0), ev('c2', 'room_message', 24)], ['reply'], 1);
    expect(out.map((u) => u.outcomes.reply)).to.deep.equal([at(0), null]);
  });

  it('counts clicks on links for this experiment or for none, not for another experiment', () => {
    const units = [unit('c1', 'a'), unit('c2', 'a'), unit('c3', 'b')];
    const out = run(units, [ev('c1', 'link.clicked', 1, { experiment: 'exp-2' }), ev('c2', 'link.clicked', 1, { experiment: null }), ev('c3', 'link.clicked', 2, {})], ['click']);
    expect(out.map((u) => u.outcomes.click)).to.deep.equal([null, at(1), at(2)]);
  });

  it('needs the goal tag in payload.added, and the conversion type when the goal names one', () => {
    const units = [unit('c1', 'a'), unit('c2', 'a')];
    const out = run(
      units,
      [ev('c1', 'contact.tags_changed', 1, { added: ['tag-other'], removed: ['tag-vip'] }), ev('c2', 'contact.tags_changed', 1, { added: ['tag-vip'] }), ev('c1', 'conversion', 2, { conversionType: 'signup' })],
      ['tag:tag-vip', 'conversion:order', 'conversion'],
    );
    expect(out.map((u) => [u.outcomes['tag:tag-vip'], u.outcomes['conversion:order'], u.outcomes.conversion])).to.deep.equal([
      [null, null, at(2)],
      [at(1), null, null],
    ]);
  });

  it('maps friend deletion by either side and opt-out to the guardrails', () => {
    const units = [unit('c1', 'a'), unit('c2', 'b'), unit('c3', 'b')];
    const out = run(units, [ev('c1', 'friend_deleted_by_customer', 5), ev('c2', 'friend_deleted_by_staff', 6), ev('c3', 'contact.opted_out', 7, {}, 'internal')], ['friend_deleted', 'opted_out']);
    expect(out.map((u) => [u.outcomes.friend_deleted, u.outcomes.opted_out])).to.deep.equal([
      [at(5), null],
      [at(6), null],
      [null, at(7)],
    ]);
  });

  it('keeps each contact to their own events and window', () => {
    const out = run([unit('c1', 'a', 0), unit('c2', 'b', 100)], [ev('c1', 'kf.message.text', 99), ev('c2', 'kf.message.text', 99), ev('c2', 'kf.message.text', 100 + 7 * 24)], ['reply']);
    expect(out.map((u) => u.outcomes.reply)).to.deep.equal([at(99), null]);
  });

  it('counts a kf answer resolved without handover for its own experiment only', () => {
    expect(parseMetric('kf_resolved')).to.deep.equal({ kind: 'kf_resolved' });
    const out = run([unit('c1', 'a', 0), unit('c2', 'b', 0)], [ev('c1', 'kf.resolved', 1, { experiment: 'exp-1' }, 'internal'), ev('c2', 'kf.resolved', 1, { experiment: 'kf-knowledge-other' }, 'internal')], ['kf_resolved', 'reply']);
    expect(out.map((u) => [u.outcomes.kf_resolved, u.outcomes.reply])).to.deep.equal([
      [at(1), null],
      [null, null],
    ]);
  });

  it('keeps the unit fields and throws on an unknown metric', () => {
    expect(run([unit('c1', 'a')], [], ['reply'])[0]).to.deep.include({ contactId: 'c1', arm: 'a', storeId: 'S1' });
    expect(() => run([unit('c1', 'a')], [], ['revenue'])).to.throw(RangeError, /unknown metric "revenue"/);
  });
});
