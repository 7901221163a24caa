/**
 * Reads a lead CSV as a stream: the encoding is detected from the first bytes (a UTF-8 BOM, else valid UTF-8,
 * else GBK — what Excel on Chinese Windows writes) unless given; csv-parse does the CSV; each record comes out
 * with the file line it starts on (header = line 1; a quoted field may span lines) as a row or an error.
 * Line ends are read as LF (a CRLF inside a quoted field becomes LF).
 * Nothing is held beyond one chunk and one record, so files of any size stream in constant memory.
 */
import { pipeline, type Readable, Transform } from 'node:stream';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';

export type LeadEncoding = 'utf8' | 'gbk';
export type LeadRow = { phone: string; name: string; storeHint: string; city: string; source: string; tags: string[]; attributes: Record<string, string> };
export type CsvItem = { line: number; row: LeadRow } | { line: number; error: string };

/** Header aliases (lower-cased, trimmed) → field. Columns not named here become free attributes. */
const ALIASES: Record<string, keyof Omit<LeadRow, 'attributes'>> = {
  phone: 'phone', mobile: 'phone', tel: 'phone', 手机: 'phone', 手机号: 'phone', 手机号码: 'phone', 电话: 'phone', 电话号码: 'phone',
  name: 'name', 姓名: 'name', 名字: 'name', 客户姓名: 'name',
  store: 'storeHint', store_hint: 'storeHint', storehint: 'storeHint', store_code: 'storeHint', 门店: 'storeHint', 门店编码: 'storeHint', 所属门店: 'storeHint',
  city: 'city', 城市: 'city',
  source: 'source', 来源: 'source', 渠道: 'source',
  tags: 'tags', tag: 'tags', 标签: 'tags',
};
const TAG_SPLIT = /[,;|，；、]+/;
const MAX_FIELD = 500;

/** UTF-8 when the sample is valid UTF-8 (a multi-byte character cut at the sample's end is allowed). */
export function detectEncoding(sample: Buffer): LeadEncoding {
  if (sample.length >= 3 && sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf8';
  for (let cut = 0; cut <= Math.min(3, sample.length); cut++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, sample.length - cut));
      return 'utf8';
    } catch {
      // try without a possibly cut trailing character
    }
  }
  return 'gbk';
}

type TextDecoderLike = { write(b: Buffer): string; end(): string | undefined };
const SAMPLE_BYTES = 64 * 1024;

/** Bytes → text: the first 64 KiB are held to detect the encoding unless one is given; iconv-lite strips a BOM. */
export function decoderTransform(encoding?: LeadEncoding): Transform {
  let decoder: TextDecoderLike | null = encoding ? iconv.getDecoder(encoding) : null;
  let held: Buffer[] = [];
  let heldBytes = 0;
  const begin = (): string => {
    const sample = Buffer.concat(held);
    held = [];
    decoder = iconv.getDecoder(detectEncoding(sample));
    return decoder.write(sample);
  };
  // CRLF → LF (a CR at a chunk's end waits for the next chunk): csv-parse counts the CR and the LF of a
  // quoted CRLF as two lines, which would shift every later line number.
  let carry = '';
  const lf = (text: string): string => {
    let t = carry + text;
    carry = '';
    if (t.endsWith('\r')) {
      carry = '\r';
      t = t.slice(0, -1);
    }
    return t.replace(/\r\n/g, '\n');
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      let text = '';
      if (decoder) text = decoder.write(chunk);
      else {
        held.push(chunk);
        heldBytes += chunk.length;
        if (heldBytes >= SAMPLE_BYTES) text = begin();
      }
      if (text) this.push(lf(text));
      done();
    },
    flush(done) {
      const text = lf((decoder ? '' : begin()) + (decoder!.end() ?? '')) + carry;
      if (text) this.push(text);
      done();
    },
  });
}

function field(value: string | undefined): string {
  return (value ?? '').trim().slice(0, MAX_FIELD);
}

/**
 * Every data record of the file, in order, as a row or an error (wrong field count, a quote never closed);
 * the header is validated first and must name a phone column.
 */
export async function* readLeadCsv(input: Readable, opts: { encoding?: LeadEncoding } = {}): AsyncGenerator<CsvItem> {
  const parser = parse({ info: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, skip_records_with_error: true, bom: true });
  // pipeline: a read or decode failure destroys the parser, so the loop below throws it.
  pipeline(input, decoderTransform(opts.encoding), parser, () => {});
  const skipped: CsvItem[] = [];
  parser.on('skip', (err: Error & { lines?: number }) => skipped.push({ line: err.lines ?? 0, error: `malformed CSV: ${err.message}` }));
  let header: Array<{ field: (typeof ALIASES)[string] | null; name: string }> | null = null;
  for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    yield* skipped.splice(0);
    // `lines` is where the record ends; only quoted fields hold line breaks (all LF by now).
    let inner = 0;
    for (const value of item.record) for (let i = value.indexOf('\n'); i !== -1; i = value.indexOf('\n', i + 1)) inner++;
    const line = item.info.lines - inner;
    if (!header) {
      header = item.record.map((h) => {
        const name = h.trim();
        return { field: ALIASES[name.toLowerCase()] ?? null, name };
      });
      if (!header.some((h) => h.field === 'phone')) throw new CsvHeaderError('the header has no phone column (phone / mobile / 手机号)');
      continue;
    }
    if (item.record.length !== header.length) {
      yield { line, error: `wrong number of fields: expected ${header.length}, got ${item.record.length} 列数不对` };
      continue;
    }
    const row: LeadRow = { phone: '', name: '', storeHint: '', city: '', source: '', tags: [], attributes: {} };
    header.forEach((h, i) => {
      const value = field(item.record[i]);
      if (h.field === 'tags') row.tags = value.split(TAG_SPLIT).map((t) => t.trim()).filter(Boolean).slice(0, 20);
      else if (h.field) row[h.field as Exclude<typeof h.field, 'tags'>] = value;
      else if (h.name && value) row.attributes[h.name.slice(0, 64)] = value;
    });
    yield { line, row };
  }
  yield* skipped.splice(0);
  if (!header) throw new CsvHeaderError('文件为空：需要一行表头和若干数据行 The file is empty: expected a header line and rows');
}

export class CsvHeaderError extends Error {}
