/**
 * A/B tests of knowledge answers. An entry with two or more variants is an experiment of the experiments module
 * (named 「知识库：<question>」, arms named by the variant keys); the bot sends each customer the variant of their
 * arm, a deterministic draw, so a customer reads the same text every time. A customer's first answer from the
 * entry is the experiment's unit; its goal `kf_resolved` is met when that session ends without a handover after
 * the answer (a servicer's end, or the idle sweep's after the corp's botIdleEndMinutes of silence: session/kf-idle.ts
 * decides what silence means, once), and a handover settles it as not met. Later sessions get the same arm and are not
 * judged again: the unit is the customer, as for every other experiment.
 */
import type { EventsModule } from '../../events/index.ts';
import type { ExperimentsModule } from '../../experiments/index.ts';
import type { Clock } from '../../shared/clock.ts';
import { assignVariant } from '../../shared/variant.ts';
import type { KfModels } from '../kf.models.ts';
import type { KnowledgeDto } from '../knowledge.repository.ts';

export type AnswerExperiments = Pick<ExperimentsModule, 'ensureForKnowledge' | 'get' | 'stop' | 'step' | 'recordUnit'>;
export type AnswerTestDeps = {
  models: Pick<KfModels, 'KfAnswerTest' | 'KfSession'>;
  experiments: AnswerExperiments;
  events: Pick<EventsModule, 'append'>;
  clock: Clock;
};

/** What the bot sends to one customer from a tested entry. */
export type PickedAnswer = { experimentId: string; arm: string; text: string };

/**
 * The backstop for a session the idle sweep could not end (WeCom kept refusing): silent this long after a tested
 * answer, it is taken as resolved at its last message, as WeCom's session would be over by then (48 h).
 */
export const RESOLVED_AFTER_SILENCE_MS = 48 * 3_600_000;
/** Pending tests settled per sweep; the rest wait for the next one. */
const SWEEP_LIMIT = 1000;

export const answerExperimentId = (entryId: string) => `kf-knowledge-${entryId}`;

type PendingRow = { _id: unknown; corpId: string; experimentId: string; contactId: string; entryId: string; arm: string; sessionId: string; answeredAt: Date };
type SessionRow = { _id: unknown; lastMessageAt: Date; endedAt?: Date | null; handedOverAt?: Date | null };

export class AnswerTests {
  constructor(private readonly deps: AnswerTestDeps) {}

  /**
   * After an entry is written: two or more variants run (or update) its experiment; none stop a running one.
   * A deleted entry passes null.
   */
  async sync(corpId: string, entryId: string, entry: KnowledgeDto | null): Promise<void> {
    const experimentId = answerExperimentId(entryId);
    if (entry && entry.variants.length >= 2) {
      await this.deps.experiments.ensureForKnowledge(corpId, {
        entryId,
        experimentId,
        name: `知识库：${entry.question}`,
        arms: entry.variants.map((v) => ({ id: v.key, label: `${v.key}：${clip(v.answer)}`, templateId: `text:${v.key}`, weight: 1 })),
      });
      return;
    }
    const running = await this.deps.experiments.get(corpId, experimentId).catch(() => null);
    if (running?.status === 'running') await this.deps.experiments.stop(corpId, experimentId);
  }

  /** The variant this customer reads (only the winner once the auto-winner decided); null for an untested entry. */
  async pick(corpId: string, contactId: string, entry: KnowledgeDto): Promise<PickedAnswer | null> {
    if (entry.variants.length < 2) return null;
    const experimentId = answerExperimentId(entry.id);
    const variants = entry.variants.map((v) => ({ id: v.key, weight: 1, text: v.answer }));
    const { variants: allowed } = await this.deps.experiments.step(corpId, experimentId, variants);
    const arm = assignVariant(experimentId, contactId, allowed);
    return { experimentId, arm: arm.id, text: arm.text };
  }

  /** The answer was sent: the customer is a unit of the experiment (once) and this session is judged, if it is their first. */
  async exposed(corpId: string, picked: PickedAnswer, unit: { contactId: string; entryId: string; sessionId: string; at: Date }): Promise<void> {
    await this.deps.experiments.recordUnit(corpId, picked.experimentId, unit.contactId, { arm: picked.arm, storeId: null, at: unit.at });
    await this.deps.models.KfAnswerTest.updateOne(
      { corpId, experimentId: picked.experimentId, contactId: unit.contactId },
      { $setOnInsert: { entryId: unit.entryId, arm: picked.arm, sessionId: unit.sessionId, answeredAt: unit.at, status: 'pending', settledAt: null } },
      { upsert: true },
    );
  }

  /** The session went to a person: its pending tests are not met. */
  async handedOver(corpId: string, sessionId: string): Promise<void> {
    await this.deps.models.KfAnswerTest.updateMany({ corpId, sessionId, status: 'pending' }, { $set: { status: 'handed_over', settledAt: this.deps.clock.now() } });
  }

  /** The session ended without a person: its pending tests are met. */
  async ended(corpId: string, sessionId: string, at: Date): Promise<number> {
    const rows = await this.deps.models.KfAnswerTest.find({ corpId, sessionId, status: 'pending' }).lean<PendingRow[]>();
    let resolved = 0;
    for (const row of rows) if (await this.resolve(row, at)) resolved++;
    return resolved;
  }

  /**
   * Settles pending tests whose session has ended (an end whose settling failed) or been silent for
   * RESOLVED_AFTER_SILENCE_MS (the jobs' sweep; `now` from the clock). A handover the bot did not see (the desk,
   * the WeCom client) still counts as one. A session still open and talking waits.
   */
  async sweep(now: Date = this.deps.clock.now()): Promise<{ resolved: number; handedOver: number }> {
    const quiet = new Date(now.getTime() - RESOLVED_AFTER_SILENCE_MS);
    const rows = await this.deps.models.KfAnswerTest.find({ status: 'pending', answeredAt: { $lte: now } }).sort({ answeredAt: 1 }).limit(SWEEP_LIMIT).lean<PendingRow[]>();
    const out = { resolved: 0, handedOver: 0 };
    for (const row of rows) {
      const session = await this.deps.models.KfSession.findOne({ corpId: row.corpId, _id: row.sessionId }, { lastMessageAt: 1, endedAt: 1, handedOverAt: 1 }).lean<SessionRow>();
      if (session?.handedOverAt && session.handedOverAt >= row.answeredAt) {
        const res = await this.deps.models.KfAnswerTest.updateOne({ _id: row._id, status: 'pending' }, { $set: { status: 'handed_over', settledAt: now } });
        out.handedOver += res.modifiedCount;
        continue;
      }
      const endedAt = session ? (session.endedAt ?? (session.lastMessageAt <= quiet ? session.lastMessageAt : null)) : row.answeredAt;
      if (endedAt && (await this.resolve(row, endedAt))) out.resolved++;
    }
    return out;
  }

  /** Marks one test met and logs the `kf.resolved` event the experiment counts (once: the key is the unit's). */
  private async resolve(row: PendingRow, at: Date): Promise<boolean> {
    const { models, events, clock } = this.deps;
    const res = await models.KfAnswerTest.updateOne({ _id: row._id, status: 'pending' }, { $set: { status: 'resolved', settledAt: clock.now() } });
    if (!res.modifiedCount) return false;
    try {
      await events.append(row.corpId, {
        key: `kf-resolved:${row.experimentId}:${row.contactId}`,
        direction: 'internal',
        channel: 'wecom_kf',
        type: 'kf.resolved',
        contactId: row.contactId,
        occurredAt: at < row.answeredAt ? row.answeredAt : at,
        payload: { experiment: row.experimentId, arm: row.arm, entryId: row.entryId, sessionId: row.sessionId },
      });
    } catch (err) {
      // Not logged, so not settled: the next sweep tries again.
      await models.KfAnswerTest.updateOne({ _id: row._id, status: 'resolved' }, { $set: { status: 'pending', settledAt: null } });
      throw err;
    }
    return true;
  }
}

/** Enough of a variant's text to tell the arms apart on the dashboard. */
function clip(text: string): string {
  return text.length > 12 ? `${text.slice(0, 12)}…` : text;
}
