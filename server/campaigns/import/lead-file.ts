/** A lead CSV on disk through the importer: what the CLI and the bench both run. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline, Transform } from 'node:stream';
import type { Modules } from '../../modules.ts';
import { NotFoundError } from '../../errors.ts';
import { toObjectId } from '../../shared/object-id.ts';
import { corpScope } from '../../shared/scope.ts';
import { campaignsOf } from '../campaign-module.ts';
import type { LeadEncoding } from './lead-csv.ts';
import type { ImportProgress, ImportSummary } from './lead-import.service.ts';

export type FileProgress = ImportProgress & { bytesRead: number; bytesTotal: number };

export async function importLeadsFile(services: Modules, input: { campaignId: string; file: string; encoding?: LeadEncoding; onProgress?: (p: FileProgress) => void }): Promise<ImportSummary> {
  const _id = toObjectId(input.campaignId);
  const row = _id ? await services.db.models.Campaign.findById(_id).select('corpId').lean() : null;
  if (!row) throw new NotFoundError('campaign', input.campaignId);
  const module = campaignsOf(services);
  const campaign = await module.campaigns.get(corpScope(row.corpId), input.campaignId);
  const bytesTotal = (await stat(input.file)).size;
  let bytesRead = 0;
  // Counted in the pipe (a 'data' listener would start the file flowing before the importer reads it).
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytesRead += chunk.length;
      done(null, chunk);
    },
  });
  const stream = pipeline(createReadStream(input.file, { highWaterMark: 256 * 1024 }), counter, () => {});
  return module.importer.import(campaign, stream, {
    ...(input.encoding ? { encoding: input.encoding } : {}),
    ...(input.onProgress ? { onProgress: (p: ImportProgress) => input.onProgress!({ ...p, bytesRead, bytesTotal }) } : {}),
  });
}
