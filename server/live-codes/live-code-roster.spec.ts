import { expect } from 'chai';
import { computeRoster, onDuty, type RosterInput } from './live-code-roster.ts';

const ref = (n: string, storeId = 's1') => ({ staffId: `id-${n}`, userId: n, storeId });
const base = (over: Partial<RosterInput> = {}): RosterInput => ({
  mode: 'all',
  staff: [ref('a'), ref('b')],
  fallback: [ref('f')],
  dutyHours: null,
  dailyAddLimit: null,
  rotation: 0,
  activeStaffIds: new Set(['id-a', 'id-b', 'id-f']),
  timezoneOfStore: () => 'Asia/Shanghai',
  addsToday: new Map(),
  now: new Date('2026-11-22T04:00:00Z'), // 12:00 in Shanghai
  ...over,
});

describe('computeRoster', () => {
  it('shows every eligible member of an `all` code', () => {
    expect(computeRoster(base())).to.deep.equal({ userIds: ['a', 'b'], source: 'staff' });
  });

  it('leaves out resigned members and members at the daily limit', () => {
    expect(computeRoster(base({ activeStaffIds: new Set(['id-b', 'id-f']) })).userIds).to.deep.equal(['b']);
    expect(computeRoster(base({ dailyAddLimit: 3, addsToday: new Map([['a', 3], ['b', 2]]) })).userIds).to.deep.equal(['b']);
  });

  it('hands over to the fallback when everyone is off duty or over the limit, then to any active member', () => {
    expect(computeRoster(base({ dutyHours: { from: '13:00', to: '22:00' } }))).to.deep.equal({ userIds: ['f'], source: 'fallback' });
    expect(computeRoster(base({ dailyAddLimit: 1, addsToday: new Map([['a', 1], ['b', 5]]) })).source).to.equal('fallback');
    expect(computeRoster(base({ dailyAddLimit: 1, addsToday: new Map([['a', 1], ['b', 1]]), fallback: [] }))).to.deep.equal({ userIds: ['a', 'b'], source: 'any_active' });
    expect(computeRoster(base({ activeStaffIds: new Set() }))).to.deep.equal({ userIds: [], source: 'none' });
  });

  it('rotates one member per add over the eligible members', () => {
    expect([0, 1, 2, 3].map((rotation) => computeRoster(base({ mode: 'rotate', rotation })).userIds)).to.deep.equal([['a'], ['b'], ['a'], ['b']]);
  });
});

describe('onDuty', () => {
  const at = (iso: string) => new Date(iso);
  it('reads the hours in the store’s zone, end excluded, and across midnight', () => {
    expect(onDuty({ from: '09:00', to: '21:00' }, at('2026-11-22T01:00:00Z'), 'Asia/Shanghai')).to.equal(true); // 09:00
    expect(onDuty({ from: '09:00', to: '21:00' }, at('2026-11-22T13:00:00Z'), 'Asia/Shanghai')).to.equal(false); // 21:00
    expect(onDuty({ from: '22:00', to: '06:00' }, at('2026-11-22T17:00:00Z'), 'Asia/Shanghai')).to.equal(true); // 01:00
    expect(onDuty({ from: '22:00', to: '06:00' }, at('2026-11-22T04:00:00Z'), 'Asia/Shanghai')).to.equal(false); // 12:00
  });
});
