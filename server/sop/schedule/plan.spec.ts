import { expect } from 'chai';
import { validateSop } from '../definition/sop-loader.ts';
import type { Sop, SopInput } from '../definition/sop.schema.ts';
import { planSteps } from './plan.ts';

const SH = 'Asia/Shanghai';
const NY = 'America/New_York';

function sop(steps: SopInput['steps']): Sop {
  const result = validateSop({ id: 'plan-test', name: '排期测试', trigger: { type: 'event', event: 'friend_added' }, steps });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.sop;
}

const plan = (s: Sop, enteredAt: string, tz: string, policy = {}) =>
  Object.fromEntries(planSteps(s, new Date(enteredAt), tz, policy).map((p) => [p.step, p.at.toISOString()]));

const ONBOARDING = sop([
  { id: 'tag-new', type: 'tag', tags: ['新好友'] },
  { id: 'welcome', type: 'send', channel: 'wecom_1to1', template: 'tpl-welcome' },
  { id: 'wait-2h', type: 'wait', duration: '2h' },
  { id: 'intro', type: 'send', channel: 'wecom_1to1', template: 'tpl-intro' },
  { id: 'wait-day3', type: 'wait', day: 3, at: '10:00' },
  { id: 'replied', type: 'branch', condition: { kind: 'replied' }, then: 'tag-engaged', else: 'nudge' },
  { id: 'tag-engaged', type: 'tag', tags: ['互动客户'], next: 'end' },
  { id: 'nudge', type: 'send', channel: 'wecom_1to1', template: 'tpl-nudge' },
  { id: 'call', type: 'task', kind: 'call' },
]);

describe('planSteps', () => {
  it('plans every step in file order for an entry at 23:50 local', () => {
    expect(plan(ONBOARDING, '2026-11-22T15:50:00Z', SH)).to.deep.equal({
      'tag-new': '2026-11-22T15:50:00.000Z', // a tag is not a touch: right away, quiet hours or not
      welcome: '2026-11-23T01:00:00.000Z', // 23:50 is quiet → 09:00
      'wait-2h': '2026-11-23T03:00:00.000Z', // from the delivered welcome
      intro: '2026-11-23T03:00:00.000Z',
      'wait-day3': '2026-11-25T02:00:00.000Z', // local Nov 25 10:00
      replied: '2026-11-25T02:00:00.000Z',
      'tag-engaged': '2026-11-25T02:00:00.000Z',
      nudge: '2026-11-25T02:00:00.000Z',
      call: '2026-11-25T02:00:00.000Z',
    });
  });

  it('spreads a contact’s sends over days when a frequency cap is given', () => {
    const planned = plan(ONBOARDING, '2026-11-22T15:50:00Z', SH, { frequencyCap: { per_day: 1, per_month: null } });
    expect(planned.welcome).to.equal('2026-11-23T01:00:00.000Z');
    expect(planned.intro).to.equal('2026-11-24T01:00:00.000Z'); // Nov 23 already had one
    expect(planned.nudge).to.equal('2026-11-25T02:00:00.000Z');
    expect(planned.call).to.equal('2026-11-25T02:00:00.000Z'); // tasks do not count
  });

  it('counts the contact’s touches from other SOPs against the cap', () => {
    const touches = [new Date('2026-11-23T05:00:00Z')];
    const planned = plan(ONBOARDING, '2026-11-22T15:50:00Z', SH, { frequencyCap: { per_day: 1, per_month: null }, touches });
    expect(planned.welcome).to.equal('2026-11-24T01:00:00.000Z');
  });

  it('honours quiet hours that do not cross midnight, and none at all', () => {
    const entered = '2026-11-22T04:30:00Z'; // 12:30 Shanghai
    expect(plan(ONBOARDING, entered, SH, { quietHours: { start: '12:00', end: '14:00' } }).welcome).to.equal(
      '2026-11-22T06:00:00.000Z',
    );
    expect(plan(ONBOARDING, '2026-11-22T15:50:00Z', SH, { quietHours: false }).welcome).to.equal('2026-11-22T15:50:00.000Z');
  });

  it('plans a New York store across the March change: day 1 at 02:30 becomes 03:00 EDT, then quiet hours', () => {
    const s = sop([
      { id: 'wait-day1', type: 'wait', day: 1, at: '02:30' },
      { id: 'remind', type: 'send', channel: 'wecom_1to1', template: 'tpl-remind' },
      { id: 'wait-day2', type: 'wait', day: 2, at: '10:00' },
      { id: 'follow-up', type: 'send', channel: 'wecom_1to1', template: 'tpl-follow-up' },
    ]);
    expect(plan(s, '2026-03-07T17:00:00Z', NY)).to.deep.equal({
      'wait-day1': '2026-03-08T07:00:00.000Z', // 03:00 EDT: 02:30 does not exist
      remind: '2026-03-08T13:00:00.000Z', // quiet until 09:00 EDT
      'wait-day2': '2026-03-09T14:00:00.000Z',
      'follow-up': '2026-03-09T14:00:00.000Z',
    });
  });

  it('plans a New York store across the November change: 01:30 is the first (EDT) one', () => {
    const s = sop([
      { id: 'wait-day1', type: 'wait', day: 1, at: '01:30' },
      { id: 'tag', type: 'tag', tags: ['x'] },
      { id: 'wait-1d', type: 'wait', duration: '1d' },
      { id: 'send', type: 'send', channel: 'wecom_1to1', template: 'tpl-x' },
    ]);
    expect(plan(s, '2026-10-31T16:00:00Z', NY, { quietHours: false })).to.deep.equal({
      'wait-day1': '2026-11-01T05:30:00.000Z',
      tag: '2026-11-01T05:30:00.000Z',
      'wait-1d': '2026-11-02T06:30:00.000Z', // a calendar day later, same wall time 01:30 EST
      send: '2026-11-02T06:30:00.000Z',
    });
  });

  it('never calls the wall clock: the same input gives the same plan', () => {
    const a = planSteps(ONBOARDING, new Date('2026-11-22T15:50:00Z'), SH);
    const b = planSteps(ONBOARDING, new Date('2026-11-22T15:50:00Z'), SH);
    expect(a).to.deep.equal(b);
  });
});
