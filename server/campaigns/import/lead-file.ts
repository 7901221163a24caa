/** A lead CSV on disk through the importer: what the CLI and the bench both run. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline, Transform } from 'node:stream';
import { NotFoundError } from '../../errors.ts';
import { corpScope } from '../../shared/scope.ts';
import type { CampaignsModule } from '../campaigns.module.ts';
import type { LeadEncoding } from './lead-csv.ts';
import type { ImportProgress, ImportSummary } from './lead-import.service.ts';

export type FileProgress = ImportProgress & { bytesRead: number; bytesTotal: number };

export async function importLeadsFile(module: Pick<CampaignsModule, 'campaigns' | 'importer'>, input: { campaignId: string; file: string; encoding?: LeadEncoding; onProgress?: (p: FileProgress) => void }): Promise<ImportSummary> {
  const corpId = await module.campaigns.corpOf(input.campaignId);
  if (!corpId) throw new NotFoundError('campaign', input.campaignId);
  const campaign = await module.campaigns.get(corpScope(corpId), input.campaignId);
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
