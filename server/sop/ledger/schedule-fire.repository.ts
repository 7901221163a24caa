/** Firings of scheduled SOPs per store (`sop_schedule_fires`): claimed through the unique key, once. */
import type { SopModels } from './sop.models.ts';
import { isDuplicateKeyError } from '../../errors.ts';

type Fire = { corpId: string; sopId: string; storeId: string; fireAt: Date };

export class ScheduleFireRepository {
  constructor(private readonly SopScheduleFire: SopModels['SopScheduleFire']) {}

  /** When the SOP last fired in the store. */
  async lastFireAt(corpId: string, sopId: string, storeId: string): Promise<Date | null> {
    return (await this.SopScheduleFire.findOne({ corpId, sopId, storeId }).sort({ fireAt: -1 }).lean())?.fireAt ?? null;
  }

  /** True when this process claimed the firing; false when another scheduler process did. */
  async claim(fire: Fire, firedAt: Date): Promise<boolean> {
    try {
      await this.SopScheduleFire.create({ ...fire, firedAt });
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  async recordEnrolled(fire: Fire, enrolled: number): Promise<void> {
    await this.SopScheduleFire.updateOne(fire, { $set: { enrolled } });
  }
}
