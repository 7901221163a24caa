/** `short_links`: tracked `/r/<code>` links. Codes are unique across corps (the redirect knows no corp). */
import { isDuplicateKeyError } from '../errors.ts';
import type { ExperimentsModels } from './experiments.models.ts';

export type ShortLinkFields = {
  url: string;
  touchKey: string | null;
  contactId: string | null;
  storeId: string | null;
  sopId: string | null;
  stepId: string | null;
  experiment: string | null;
  variant: string | null;
  createdBy: string | null;
};
export type ShortLink = ShortLinkFields & { corpId: string; code: string };

export class ShortLinkRepository {
  constructor(private readonly models: Pick<ExperimentsModels, 'ShortLink'>) {}

  /** Stores the link under the first code `nextCode` gives that is free (a few tries: codes are random). */
  async create(corpId: string, fields: ShortLinkFields, nextCode: () => string): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const code = nextCode();
      try {
        await this.models.ShortLink.create({ corpId, code, ...fields });
        return code;
      } catch (err) {
        if (!isDuplicateKeyError(err) || attempt >= 4) throw err;
      }
    }
  }

  async findByCode(code: string): Promise<ShortLink | null> {
    const row = await this.models.ShortLink.findOne({ code }).lean();
    if (!row) return null;
    return {
      corpId: row.corpId,
      code: row.code,
      url: row.url,
      touchKey: row.touchKey ?? null,
      contactId: row.contactId ?? null,
      storeId: row.storeId ?? null,
      sopId: row.sopId ?? null,
      stepId: row.stepId ?? null,
      experiment: row.experiment ?? null,
      variant: row.variant ?? null,
      createdBy: row.createdBy ?? null,
    };
  }
}
