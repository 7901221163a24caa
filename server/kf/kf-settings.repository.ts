/**
 * The kf settings of a corp: the two matching thresholds, the keywords that always hand over, and the corp's
 * vocabulary. A corp without a document gets the defaults (chosen on the tuning half of the evaluation set).
 */
import type { KfModels } from './kf.models.ts';

export type KfSettings = {
  answerThreshold: number;
  suggestThreshold: number;
  handoverKeywords: string[];
  dictionary: string[];
  synonyms: string[][];
  /**
   * Who answers after a handover. 'desk': the WeCom session stays with the API (state 1, where send_msg works)
   * and the pool, the servicer and the end are Siyu's own states, so agents reply from /service.
   * 'wecom_client': the session moves to WeCom's pool and servicer (2/3), agents answer in the WeCom client.
   */
  reception: KfReception;
};

export type KfReception = 'desk' | 'wecom_client';

export const DEFAULT_KF_SETTINGS: Readonly<KfSettings> = Object.freeze({
  answerThreshold: 0.525,
  suggestThreshold: 0.4,
  handoverKeywords: ['投诉', '人工', '退款', '举报', '12315', '真人', '差评', '曝光', '报警', '律师'],
  dictionary: [],
  synonyms: [],
  reception: 'desk',
});

export class KfSettingsRepository {
  constructor(private readonly models: Pick<KfModels, 'KfSettings'>) {}

  async get(corpId: string): Promise<KfSettings & { kbRevision: number }> {
    const row = await this.models.KfSettings.findOne({ corpId }).lean();
    if (!row) return { ...DEFAULT_KF_SETTINGS, handoverKeywords: [...DEFAULT_KF_SETTINGS.handoverKeywords], kbRevision: 0 };
    return {
      answerThreshold: row.answerThreshold,
      suggestThreshold: row.suggestThreshold,
      handoverKeywords: [...row.handoverKeywords],
      dictionary: [...row.dictionary],
      synonyms: (row.synonyms as unknown as string[][]).map((g) => [...g]),
      reception: (row.reception as KfReception | undefined) ?? DEFAULT_KF_SETTINGS.reception,
      kbRevision: row.kbRevision,
    };
  }

  /** Replaces the settings; the revision moves too, since the vocabulary shapes the index. */
  async put(corpId: string, s: KfSettings): Promise<void> {
    await this.models.KfSettings.updateOne({ corpId }, { $set: s, $inc: { kbRevision: 1 } }, { upsert: true });
  }

  /** Every knowledge write: processes whose cached index is older rebuild it (see kf.module.ts). */
  async bump(corpId: string): Promise<void> {
    const { answerThreshold, suggestThreshold, handoverKeywords, dictionary, synonyms, reception } = DEFAULT_KF_SETTINGS;
    await this.models.KfSettings.updateOne(
      { corpId },
      { $inc: { kbRevision: 1 }, $setOnInsert: { answerThreshold, suggestThreshold, handoverKeywords, dictionary, synonyms, reception } },
      { upsert: true },
    );
  }
}
