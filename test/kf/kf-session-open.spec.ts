import { expect } from 'chai';
import { KfSessionRepository } from '../../server/kf/session/kf-session.repository.ts';
import { fixedClock } from '../../server/shared/clock.ts';
import { useTestDatabase } from '../support/database.ts';

describe('kf sessions: the arriving message opens or joins the session in as few writes as it can', () => {
  const t = useTestDatabase('kf_session_open');
  const corpId = 'wwkfopen';
  const at = (s: number) => new Date(Date.UTC(2026, 11, 7, 2, 0, s));
  const said = (msgId: string, s: number) => ({ msgId, from: 'customer' as const, text: `问题 ${msgId}`, at: at(s) });

  it('a first message opens the session holding it, a replay adds nothing, the next joins, and an ended session is not reopened', async () => {
    const sessions = new KfSessionRepository(t.db.models, fixedClock(at(0)));
    const first = await sessions.openWith(corpId, 'wkOpen', 'wmOpen1', 'c1', said('m1', 1));
    expect(first.claimed).to.equal(true);
    expect(first.session).to.include({ state: 0, contactId: 'c1', answerTested: false });
    expect(first.session.startedAt.getTime()).to.equal(at(1).getTime());
    expect(first.session.messages.map((m) => m.msgId)).to.deep.equal(['m1']);

    const replay = await sessions.openWith(corpId, 'wkOpen', 'wmOpen1', 'c1', said('m1', 1));
    expect(replay).to.deep.include({ claimed: false });
    expect(replay.session.id).to.equal(first.session.id);

    const next = await sessions.openWith(corpId, 'wkOpen', 'wmOpen1', 'c1', said('m2', 5));
    expect(next.claimed).to.equal(true);
    const stored = await sessions.get(corpId, first.session.id);
    expect(stored.messages.map((m) => m.msgId)).to.deep.equal(['m1', 'm2']);
    expect(stored.lastMessageAt.getTime()).to.equal(at(5).getTime());
    expect((await t.db.models.KfSession.findById(first.session.id).lean())!.seen).to.deep.equal(['m1', 'm2']);

    await sessions.update(corpId, first.session.id, { state: 4, endedAt: at(9), endReason: 'servicer' });
    const after = await sessions.openWith(corpId, 'wkOpen', 'wmOpen1', 'c1', said('m3', 20));
    expect(after.claimed).to.equal(true);
    expect(after.session.id, 'a new session after the end').to.not.equal(first.session.id);
    expect(await t.db.models.KfSession.countDocuments({ corpId })).to.equal(2);
  });
});
