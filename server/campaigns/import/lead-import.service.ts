/**
 * One import path for the CLI, the API upload and the bench: CSV records → validated, normalised, sealed
 * leads, written in batches. Duplicates are phones seen earlier in the file, phones that are already a
 * contact (`phone:<hash>` identity) and phones already in this campaign (the unique index on (corpId,
 * campaignId, key) refuses them, so a re-run or a concurrent run imports nothing twice). Invalid rows are counted and
 * reported with their line; only the first MAX_ERRORS are listed.
 */
import type { Readable } from 'node:stream';
import { ConflictError } from '../../errors.ts';
import { maskPhone, phoneKey } from '../../contacts/index.ts';
import type { CampaignsDeps, PhoneSeal } from '../campaign-deps.ts';
import type { LeadRepository } from '../lead.repository.ts';
import type { Clock } from '../../shared/clock.ts';
import type { CampaignDto } from '../campaign.repository.ts';
import { gcEvery } from '../../shared/heap-relief.ts';
import { readLeadCsv, type LeadEncoding, type LeadRow } from './lead-csv.ts';
import { normalizeLeadPhone } from './lead-phone.ts';

export type ImportSummary = { rows: number; imported: number; duplicates: number; invalid: number; errors: Array<{ line: number; reason: string }>; errorsOmitted?: number };
export type ImportProgress = Omit<ImportSummary, 'errors' | 'errorsOmitted'>;

const BATCH = 200;
/** See heap-relief.ts. */
const GC_EVERY_ROWS = 10_000;
const LEAD_DEFAULTS = {
  status: 'pool',
  storeId: null,
  staffId: null,
  greeting: null,
  assignedAt: null,
  assignedDate: null,
  firstAssignedAt: null,
  attempts: 0,
  requestedAt: null,
  closedAt: null,
  acceptedAt: null,
  acceptedStaffId: null,
  acceptedStoreId: null,
  contactId: null,
  attributedBy: null,
  rpa: { accountId: null, vendorId: null, error: null },
} as const;
export const MAX_ERRORS = 10_000;

type Pending = { line: number; hash: string; e164: string; row: LeadRow };

export class LeadImportService {
  constructor(
    private readonly leads: Pick<LeadRepository, 'insertImported'>,
    private readonly contacts: Pick<CampaignsDeps['contacts'], 'phoneHashes' | 'hasIdentityKey'>,
    private readonly phones: Pick<PhoneSeal, 'hash' | 'encrypt'>,
    private readonly clock: Clock,
  ) {}

  async import(campaign: CampaignDto, input: Readable, opts: { encoding?: LeadEncoding; onProgress?: (p: ImportProgress) => void } = {}): Promise<ImportSummary> {
    if (campaign.status === 'ended') throw new ConflictError(`活动 ${campaign.id} 已结束 Campaign ${campaign.id} has ended`);
    const summary: ImportSummary = { rows: 0, imported: 0, duplicates: 0, invalid: 0, errors: [] };
    const seen = new Set<string>();
    const prefixes = await this.contactPhonePrefixes(campaign.corpId);
    let batch: Pending[] = [];
    const fail = (line: number, reason: string) => {
      summary.invalid++;
      if (summary.errors.length < MAX_ERRORS) summary.errors.push({ line, reason });
      else summary.errorsOmitted = (summary.errorsOmitted ?? 0) + 1;
    };
    const relieveHeap = gcEvery(GC_EVERY_ROWS);
    const flush = async () => {
      const written = await this.writeBatch(campaign, batch, prefixes);
      summary.imported += written;
      summary.duplicates += batch.length - written;
      relieveHeap(batch.length);
      batch = [];
      opts.onProgress?.(progressOf(summary));
    };
    for await (const item of readLeadCsv(input, opts.encoding ? { encoding: opts.encoding } : {})) {
      summary.rows++;
      if ('error' in item) {
        fail(item.line, item.error);
        continue;
      }
      const phone = normalizeLeadPhone(item.row.phone);
      if (!phone.ok) {
        fail(item.line, phone.reason);
        continue;
      }
      const hash = this.phones.hash(phone.e164);
      // 128 bits of the hash, base64: half the memory of the hex string, and still no collisions in practice.
      const seenKey = Buffer.from(hash.slice(0, 32), 'hex').toString('base64');
      if (seen.has(seenKey)) {
        summary.duplicates++;
        continue;
      }
      seen.add(seenKey);
      batch.push({ line: item.line, hash, e164: phone.e164, row: item.row });
      if (batch.length >= BATCH) await flush();
    }
    if (batch.length) await flush();
    opts.onProgress?.(progressOf(summary));
    return summary;
  }

  /**
   * The corp's contact phones as 48-bit prefixes of their hashes, read once per import in one streamed pass
   * (about 40 bytes a contact in memory). A lookup per row would cost 200,000 queries for a large file, and
   * their garbage alone outgrows the memory budget; an `$in` is a collection scan on the development server.
   */
  private async contactPhonePrefixes(corpId: string): Promise<Set<number>> {
    const prefixes = new Set<number>();
    for await (const hash of this.contacts.phoneHashes(corpId)) prefixes.add(prefixOf(hash));
    return prefixes;
  }

  /** Which of these hashes belong to a contact: exact equality lookups, only for the prefixes that matched. */
  private async contactPhones(corpId: string, hashes: string[], prefixes: Set<number>): Promise<Set<string>> {
    const taken = new Set<string>();
    for (const hash of hashes) {
      if (!prefixes.has(prefixOf(hash))) continue;
      if (await this.contacts.hasIdentityKey(corpId, phoneKey(hash))) taken.add(hash);
    }
    return taken;
  }

  /**
   * Writes the rows that are not a contact yet; phones already in this campaign are refused by the unique index
   * (corpId, campaignId, key) and counted as duplicates. Returns how many were written.
   */
  private async writeBatch(campaign: CampaignDto, batch: Pending[], prefixes: Set<number>): Promise<number> {
    if (!batch.length) return 0;
    const corpId = campaign.corpId;
    const taken = await this.contactPhones(corpId, batch.map((p) => p.hash), prefixes);
    const now = this.clock.now();
    const docs = batch
      .filter((p) => !taken.has(p.hash))
      .map((p) => ({
        corpId,
        campaignId: campaign.id,
        key: p.hash,
        origin: 'import',
        phoneEnc: this.phones.encrypt(p.e164),
        phoneMasked: maskPhone(p.e164),
        name: p.row.name,
        storeHint: p.row.storeHint,
        city: p.row.city,
        source: p.row.source,
        tags: p.row.tags,
        attributes: p.row.attributes,
        line: p.line,
        // insertMany with `lean` skips mongoose defaults: every field the queries read is written here.
        ...LEAD_DEFAULTS,
        history: [],
        createdAt: now,
        updatedAt: now,
      }));
    return this.leads.insertImported(docs);
  }
}

const prefixOf = (hash: string): number => parseInt(hash.slice(0, 12), 16);
const progressOf = (s: ImportSummary): ImportProgress => ({ rows: s.rows, imported: s.imported, duplicates: s.duplicates, invalid: s.invalid });
