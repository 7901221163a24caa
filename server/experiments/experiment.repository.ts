/** The `experiments` rows, per corp: what the service, the auto-winner sweep and the assignment draws read and write. */
import type { ExperimentDoc } from './experiment.schema.ts';
import type { ExperimentsModels } from './experiments.models.ts';

export type ExperimentRow = ExperimentDoc & { createdAt?: Date; updatedAt?: Date };
type Source = { sopId: string | null; stepId: string | null; campaignId: string | null };
type Arm = { id: string; label: string | null; templateId: string; weight: number };

export class ExperimentRepository {
  constructor(private readonly models: Pick<ExperimentsModels, 'Experiment'>) {}

  async find(corpId: string, experimentId: string): Promise<ExperimentRow | null> {
    return this.models.Experiment.findOne({ corpId, experimentId }).lean<ExperimentRow>();
  }

  /** Newest first. */
  async list(corpId: string): Promise<ExperimentRow[]> {
    return this.models.Experiment.find({ corpId }).sort({ createdAt: -1 }).lean<ExperimentRow[]>();
  }

  /** New source and arms for an existing row; false when the experiment has no row yet. */
  async setArms(corpId: string, experimentId: string, source: Source, arms: Arm[], name: string): Promise<boolean> {
    const res = await this.models.Experiment.updateOne({ corpId, experimentId }, { $set: { source, arms, name } });
    return res.matchedCount > 0;
  }

  /** Source and arms, creating the row with `onInsert` (start, status, metrics) when there is none. */
  async upsertArms(corpId: string, experimentId: string, source: Source, arms: Arm[], name: string, onInsert: Record<string, unknown>): Promise<void> {
    await this.models.Experiment.updateOne({ corpId, experimentId }, { $set: { source, arms, name }, $setOnInsert: onInsert }, { upsert: true });
  }

  async set(corpId: string, experimentId: string, set: Record<string, unknown>): Promise<void> {
    await this.models.Experiment.updateOne({ corpId, experimentId }, { $set: set });
  }

  /** Running → stopped; false when it was not running. */
  async stop(corpId: string, experimentId: string, at: Date): Promise<boolean> {
    const res = await this.models.Experiment.updateOne({ corpId, experimentId, status: 'running' }, { $set: { status: 'stopped', stoppedAt: at } });
    return res.modifiedCount > 0;
  }

  /** Records the auto-winner's decision once, while the experiment runs undecided. */
  async decide(corpId: string, experimentId: string, decision: { arm: string; reason: string; at: Date }): Promise<void> {
    await this.models.Experiment.updateOne(
      { corpId, experimentId, status: 'running', 'autoWinner.decidedArm': null },
      { $set: { status: 'decided', 'autoWinner.decidedArm': decision.arm, 'autoWinner.decidedAt': decision.at, 'autoWinner.reason': decision.reason } },
    );
  }

  /** Running experiments with auto-winner on, across corps (the sweep). */
  async autoWinnerCandidates(): Promise<Array<{ corpId: string; experimentId: string }>> {
    const rows = await this.models.Experiment.find({ status: 'running', 'autoWinner.enabled': true }).select('corpId experimentId').lean();
    return rows.map((r) => ({ corpId: r.corpId, experimentId: r.experimentId }));
  }
}
