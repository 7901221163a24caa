/**
 * `experiment_assignments`: the units the touch ledger cannot hold — holdout contacts (the SOP runner, bulk
 * enrollment), campaign greeting draws (`lead:<id>` until the lead is a contact) and live-code welcome draws.
 * A contact keeps its first assignment per experiment (the unique index), so every write is an upsert that
 * only inserts.
 */
import { isDuplicateKeyError } from '../errors.ts';
import { storeFilter, type Scope } from '../shared/scope.ts';
import { HOLDOUT } from './experiment.schema.ts';
import type { ExperimentsModels } from './experiments.models.ts';

export type AssignedUnit = { contactId: string; storeId: string | null; at: Date };
export type AssignmentRow = { experimentId: string; contactId: string; arm: string; storeId: string | null; assignedAt: Date };

export class ExperimentAssignmentRepository {
  constructor(private readonly models: Pick<ExperimentsModels, 'ExperimentAssignment'>) {}

  /** Records holdout assignments (idempotent: a contact keeps its first assignment). */
  async saveHoldouts(corpId: string, experimentId: string, units: readonly AssignedUnit[]): Promise<void> {
    if (!units.length) return;
    await this.models.ExperimentAssignment.bulkWrite(
      units.map((u) => ({ updateOne: { filter: { corpId, experimentId, contactId: u.contactId }, update: { $setOnInsert: { arm: HOLDOUT, storeId: u.storeId, assignedAt: u.at } }, upsert: true } })),
      { ordered: false },
    );
  }

  /** One unit's arm, written once (a contact keeps its first draw). */
  async recordExposure(corpId: string, experimentId: string, unit: AssignedUnit & { arm: string }): Promise<void> {
    await this.models.ExperimentAssignment.updateOne(
      { corpId, experimentId, contactId: unit.contactId },
      { $setOnInsert: { arm: unit.arm, storeId: unit.storeId, assignedAt: unit.at } },
      { upsert: true },
    );
  }

  /** Every unit recorded under `fromContactId` now counts for `toContactId` (a lead became a contact). */
  async repoint(corpId: string, fromContactId: string, toContactId: string): Promise<void> {
    try {
      await this.models.ExperimentAssignment.updateMany({ corpId, contactId: fromContactId }, { $set: { contactId: toContactId } });
    } catch (err) {
      // The contact is already a unit of that experiment (an earlier lead with the same person): keep the first.
      if (!isDuplicateKeyError(err)) throw err;
    }
  }

  /** The recorded units of one experiment the scope can see. */
  async ofExperiment(scope: Scope, experimentId: string): Promise<AssignmentRow[]> {
    const rows = await this.models.ExperimentAssignment.find({ corpId: scope.corpId, experimentId, ...storeFilter(scope) }).lean();
    return rows.map(toRow);
  }

  /** The experiments one contact is a recorded unit of (the chat sidebar). */
  async forContact(corpId: string, contactId: string): Promise<AssignmentRow[]> {
    const rows = await this.models.ExperimentAssignment.find({ corpId, contactId }).lean();
    return rows.map(toRow);
  }
}

function toRow(r: { experimentId: string; contactId: string; arm: string; storeId?: string | null; assignedAt: Date }): AssignmentRow {
  return { experimentId: r.experimentId, contactId: r.contactId, arm: r.arm, storeId: r.storeId ?? null, assignedAt: r.assignedAt };
}
