import { expect } from 'chai';
import { useTestDatabase } from '../support/database.ts';
import { testServices } from '../support/test-app.ts';

describe('EventLogRepository.append', () => {
  const t = useTestDatabase('eventlog');
  const corpId = 'wwevents';
  const event = (key: string) => ({ key, direction: 'inbound' as const, channel: 'wecom', type: 'change_external_contact.add_external_contact', occurredAt: new Date('2026-11-22T01:00:00Z'), payload: { n: 1 } });

  it('stores a replayed delivery once and reports the replay', async () => {
    const s = testServices(t.db);
    const first = await s.events.append(corpId, event('wecom:ww:add:wm1:1700000000'));
    const second = await s.events.append(corpId, event('wecom:ww:add:wm1:1700000000'));
    const third = await s.events.append(corpId, event('wecom:ww:add:wm1:1700000000'));
    expect(first.duplicate).to.equal(false);
    expect([second.duplicate, third.duplicate]).to.deep.equal([true, true]);
    expect(second.event.id).to.equal(first.event.id);
    expect(await t.db.models.Event.countDocuments({ corpId, key: 'wecom:ww:add:wm1:1700000000' })).to.equal(1);
  });

  it('stores one event when 16 identical deliveries arrive at once', async () => {
    const s = testServices(t.db);
    const results = await Promise.all(Array.from({ length: 16 }, () => s.events.append(corpId, event('concurrent-key'))));
    expect(results.filter((r) => !r.duplicate)).to.have.length(1);
    expect(await t.db.models.Event.countDocuments({ corpId, key: 'concurrent-key' })).to.equal(1);
  });

  it('scopes the idempotency key per corp', async () => {
    const s = testServices(t.db);
    await s.events.append(corpId, event('same-key'));
    const other = await s.events.append('wwother', event('same-key'));
    expect(other.duplicate).to.equal(false);
  });

  it('counts appends and replays in the metrics', async () => {
    const s = testServices(t.db);
    await s.events.append(corpId, event('metric-key'));
    await s.events.append(corpId, event('metric-key'));
    const text = await s.metrics.registry.metrics();
    expect(text).to.match(/siyu_events_total\{channel="wecom",type="change_external_contact.add_external_contact",duplicate="true"\} 1/);
  });
});

describe('EventLogRepository.appendMany', () => {
  const t = useTestDatabase('eventlog_many');
  const corpId = 'wwevents';
  const event = (key: string, n = 1) => ({ key, direction: 'inbound' as const, channel: 'wecom', type: 'text', occurredAt: new Date('2026-11-22T01:00:00Z'), payload: { n } });

  it('writes a batch in one call and stores each key once, whether it was stored before or repeats in the batch', async () => {
    const s = testServices(t.db);
    await s.events.append(corpId, event('k1', 1));
    const result = await s.events.appendMany([
      { corpId, event: event('k1', 99) },
      { corpId, event: event('k2', 2) },
      { corpId, event: event('k2', 98) },
      { corpId: 'wwother', event: event('k1', 3) },
    ]);
    expect(result.duplicates).to.equal(2);
    const rows = await t.db.models.Event.find({}).sort({ corpId: 1, key: 1 }).lean();
    expect(rows.map((r) => [r.corpId, r.key, (r.payload as { n: number }).n])).to.deep.equal([
      ['wwevents', 'k1', 1],
      ['wwevents', 'k2', 2],
      ['wwother', 'k1', 3],
    ]);
    expect(rows.every((r) => r.contactId === null && r.storeId === null && r.recordedAt instanceof Date)).to.equal(true);
    const text = await s.metrics.registry.metrics();
    expect(text).to.match(/siyu_events_total\{channel="wecom",type="text",duplicate="true"\} 2/);
    expect(text).to.match(/siyu_events_total\{channel="wecom",type="text",duplicate="false"\} 3/);
  });

  it('fails the call when a document is invalid, so the caller does not take the batch as recorded', async () => {
    const s = testServices(t.db);
    let failed: unknown;
    await s.events.appendMany([{ corpId, event: event('ok') }, { corpId, event: { ...event('bad'), direction: 'sideways' as 'inbound' } }]).catch((err) => (failed = err));
    expect(failed).to.be.instanceOf(Error);
  });
});
