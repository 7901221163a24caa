/**
 * The kf settings of a corp: the two matching thresholds, the keywords that always hand over, and the corp's
 * vocabulary. A corp without a document gets the defaults (chosen on the tuning half of the evaluation set).
 */
import { KeyBatcher } from '../db/key-batcher.ts';
import type { InferSchemaType } from 'mongoose';
import type { KfModels, kfSettingsSchema } from './kf.models.ts';

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
  /** A session only the bot held (未处理 / 智能助手) silent this long is ended: it gets an end, a resolution time and an FCR verdict. */
  botIdleEndMinutes: number;
  /** A session waiting in the pool (待接入池) silent this long is ended: nobody took it and the customer left. */
  poolIdleEndMinutes: number;
};

export type KfReception = 'desk' | 'wecom_client';
/** The settings as read, with the knowledge base's revision (the match index is rebuilt when it moves). */
export type KfSettingsRead = KfSettings & { kbRevision: number };
/** What a settings write gives: the idle limits may be left out (they keep their stored value). */
export type KfSettingsInput = Omit<KfSettings, 'botIdleEndMinutes' | 'poolIdleEndMinutes'> & Partial<Pick<KfSettings, 'botIdleEndMinutes' | 'poolIdleEndMinutes'>>;

export const DEFAULT_KF_SETTINGS: Readonly<KfSettings> = Object.freeze({
  answerThreshold: 0.525,
  suggestThreshold: 0.4,
  handoverKeywords: ['投诉', '人工', '退款', '举报', '12315', '真人', '差评', '曝光', '报警', '律师'],
  dictionary: [],
  synonyms: [],
  reception: 'desk',
  botIdleEndMinutes: 30,
  poolIdleEndMinutes: 240,
});

type SettingsRow = InferSchemaType<typeof kfSettingsSchema>;

export class KfSettingsRepository {
  /** Every kf message reads its corp's settings: the reads asked at once (several customers answered side by side) share one. */
  private readonly reads: KeyBatcher<string, SettingsRow | null>;

  constructor(private readonly models: Pick<KfModels, 'KfSettings'>) {
    this.reads = new KeyBatcher({
      key: (corpId) => corpId,
      work: async (corpIds) => {
        const rows = await this.models.KfSettings.find({ corpId: { $in: corpIds } }).lean<SettingsRow[]>();
        const byCorp = new Map(rows.map((r) => [r.corpId, r]));
        return corpIds.map((c) => byCorp.get(c) ?? null);
      },
    });
  }

  /** Fresh on every call (read after the call, never cached), each caller with its own copy. */
  async get(corpId: string): Promise<KfSettingsRead> {
    const row = await this.reads.run(corpId);
    if (!row) return { ...DEFAULT_KF_SETTINGS, handoverKeywords: [...DEFAULT_KF_SETTINGS.handoverKeywords], kbRevision: 0 };
    return {
      answerThreshold: row.answerThreshold,
      suggestThreshold: row.suggestThreshold,
      handoverKeywords: [...row.handoverKeywords],
      dictionary: [...row.dictionary],
      synonyms: (row.synonyms as unknown as string[][]).map((g) => [...g]),
      reception: (row.reception as KfReception | undefined) ?? DEFAULT_KF_SETTINGS.reception,
      botIdleEndMinutes: row.botIdleEndMinutes ?? DEFAULT_KF_SETTINGS.botIdleEndMinutes,
      poolIdleEndMinutes: row.poolIdleEndMinutes ?? DEFAULT_KF_SETTINGS.poolIdleEndMinutes,
      kbRevision: row.kbRevision,
    };
  }

  /**
   * Replaces the settings; the revision moves too, since the vocabulary shapes the index. An idle limit left out
   * keeps its stored value (a client that predates it does not reset it).
   */
  async put(corpId: string, s: KfSettingsInput): Promise<void> {
    const set = Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined));
    await this.models.KfSettings.updateOne({ corpId }, { $set: set, $inc: { kbRevision: 1 } }, { upsert: true });
  }

  /** The idle limits of every corp that changed them; the others use the defaults. */
  async idleLimits(corpIds: readonly string[]): Promise<Map<string, Pick<KfSettings, 'botIdleEndMinutes' | 'poolIdleEndMinutes'>>> {
    const rows = await this.models.KfSettings.find({ corpId: { $in: [...corpIds] } }, { corpId: 1, botIdleEndMinutes: 1, poolIdleEndMinutes: 1 }).lean();
    const limits = new Map(corpIds.map((c) => [c, { botIdleEndMinutes: DEFAULT_KF_SETTINGS.botIdleEndMinutes, poolIdleEndMinutes: DEFAULT_KF_SETTINGS.poolIdleEndMinutes }]));
    for (const row of rows) {
      limits.set(row.corpId, {
        botIdleEndMinutes: row.botIdleEndMinutes ?? DEFAULT_KF_SETTINGS.botIdleEndMinutes,
        poolIdleEndMinutes: row.poolIdleEndMinutes ?? DEFAULT_KF_SETTINGS.poolIdleEndMinutes,
      });
    }
    return limits;
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
