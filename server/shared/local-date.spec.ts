import { expect } from 'chai';
import { addLocalDays, isValidTimeZone, localDate } from './local-date.ts';

describe('localDate', () => {
  it('names the calendar day of the wall clock in the zone', () => {
    expect(localDate(new Date('2026-11-22T15:59:59Z'), 'Asia/Shanghai')).to.equal('2026-11-22');
    expect(localDate(new Date('2026-11-22T16:00:00Z'), 'Asia/Shanghai'), 'midnight in Shanghai').to.equal('2026-11-23');
    expect(localDate(new Date('2026-11-22T16:00:00Z'), 'America/Los_Angeles')).to.equal('2026-11-22');
    // Berlin leaves summer time at 01:00 UTC on 25 Oct 2026: 22:30 UTC is 23:30 local, still the 25th.
    expect(localDate(new Date('2026-10-25T22:30:00Z'), 'Europe/Berlin')).to.equal('2026-10-25');
    expect(localDate(new Date('2026-03-28T23:30:00Z'), 'Europe/Berlin'), 'before the spring change').to.equal('2026-03-29');
  });

  it('refuses an unknown zone instead of guessing one', () => {
    expect(() => localDate(new Date(), 'Mars/Olympus')).to.throw(RangeError, /Mars\/Olympus/);
    expect(isValidTimeZone('Mars/Olympus')).to.equal(false);
    expect(isValidTimeZone('Asia/Tokyo')).to.equal(true);
  });
});

describe('addLocalDays', () => {
  it('moves across month, year and leap-day ends, both ways', () => {
    expect(addLocalDays('2026-11-30', 1)).to.equal('2026-12-01');
    expect(addLocalDays('2026-12-31', 1)).to.equal('2027-01-01');
    expect(addLocalDays('2027-01-01', -1)).to.equal('2026-12-31');
    expect(addLocalDays('2028-02-28', 1)).to.equal('2028-02-29');
    expect(addLocalDays('2027-02-28', 1)).to.equal('2027-03-01');
    expect(addLocalDays('2026-03-29', 0)).to.equal('2026-03-29');
    expect(addLocalDays('2026-01-31', 400)).to.equal('2027-03-07');
  });
});
