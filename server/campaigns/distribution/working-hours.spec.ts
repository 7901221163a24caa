import { expect } from 'chai';
import { withinWorkingHours } from './working-hours.ts';

describe('withinWorkingHours', () => {
  const at = (iso: string) => new Date(iso);

  it('includes the start and excludes the end, in the store’s own zone', () => {
    const hours = { start: '09:00', end: '21:00' };
    expect(withinWorkingHours(at('2026-12-01T01:00:00Z'), 'Asia/Shanghai', hours), '09:00 Shanghai').to.equal(true);
    expect(withinWorkingHours(at('2026-12-01T00:59:00Z'), 'Asia/Shanghai', hours), '08:59').to.equal(false);
    expect(withinWorkingHours(at('2026-12-01T13:00:00Z'), 'Asia/Shanghai', hours), '21:00').to.equal(false);
    expect(withinWorkingHours(at('2026-12-01T13:00:00Z'), 'Europe/London', hours), '13:00 London').to.equal(true);
  });

  it('reads an end of 24:00 as midnight, so 00:00–24:00 covers every minute including 23:59', () => {
    const allDay = { start: '00:00', end: '24:00' };
    expect(withinWorkingHours(at('2026-12-01T15:59:30Z'), 'Asia/Shanghai', allDay), '23:59:30').to.equal(true);
    expect(withinWorkingHours(at('2026-12-01T16:00:00Z'), 'Asia/Shanghai', allDay), '00:00').to.equal(true);
    expect(withinWorkingHours(at('2026-12-01T15:59:30Z'), 'Asia/Shanghai', { start: '00:00', end: '23:59' }), 'a 23:59 end leaves the last minute out').to.equal(false);
  });
});
