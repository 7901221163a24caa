/**
 * The knowledge base as CSV, both ways. Import reads UTF-8 (with or without BOM) or GBK — what Excel on
 * Chinese Windows saves — detected from the bytes unless given; each data row becomes an entry input or a
 * zh-CN-first error naming its line (header = line 1). Export writes UTF-8 with a BOM so Excel opens it right.
 * Paraphrases share one cell, separated by "|" or line breaks. A/B answer variants share the 变体 cell as
 * `A=第一种答案|B=第二种答案` (key = answer; "|" or a line break before each key; none, or 2–5 distinct keys); an
 * answer may itself hold "|" as long as no `key=` follows it.
 */
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { BadRequestError } from '../errors.ts';
import type { KnowledgeDto, KnowledgeInput, KnowledgeVariant } from './knowledge.repository.ts';

export type CsvEncoding = 'utf8' | 'gbk';
export type KnowledgeCsvRow = { line: number; input: KnowledgeInput } | { line: number; error: string };

type Field = 'question' | 'similar' | 'answer' | 'category' | 'enabled' | 'variants';
const ALIASES: Record<string, Field> = {
  question: 'question', 标准问题: 'question', 问题: 'question',
  similar: 'similar', 相似问题: 'similar', 相似问法: 'similar',
  answer: 'answer', 答案: 'answer', 回复: 'answer',
  category: 'category', 分类: 'category',
  enabled: 'enabled', 启用: 'enabled', 状态: 'enabled',
  variants: 'variants', 变体: 'variants', 答案变体: 'variants',
};
const HEADER = ['标准问题', '相似问题', '答案', '分类', '启用', '变体'];
const YES = new Set(['', '是', '启用', 'true', '1', 'yes', 'y']);
const NO = new Set(['否', '停用', '禁用', 'false', '0', 'no', 'n']);
const MAX_QUESTION = 200;
const MAX_ANSWER = 2000;
// The same bounds as the API's variant schema (kf.route.ts).
const MAX_VARIANTS = 5;
const VARIANT_KEY = /^[A-Za-z0-9_-]{1,16}$/;
// A new variant starts where "|" or a line break is followed by `key=` (full-width ＝ and ｜ too, as IMEs type them).
const VARIANT_SPLIT = /[|｜\n]\s*(?=[A-Za-z0-9_-]{1,16}\s*[=＝])/;

export function decodeCsv(bytes: Buffer, encoding?: CsvEncoding): string {
  return iconv.decode(bytes, encoding ?? detectEncoding(bytes));
}

function detectEncoding(bytes: Buffer): CsvEncoding {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf8';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return 'utf8';
  } catch {
    return 'gbk';
  }
}

export function readKnowledgeCsv(bytes: Buffer, encoding?: CsvEncoding): KnowledgeCsvRow[] {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(decodeCsv(bytes, encoding).replace(/\r\n?/g, '\n'), { info: true, relax_column_count: true, skip_empty_lines: true, bom: true }) as unknown as typeof records;
  } catch (err) {
    throw new BadRequestError(`CSV 格式错误 Malformed CSV: ${(err as Error).message}`, [{ path: 'body', message: (err as Error).message }]);
  }
  const [head, ...rows] = records;
  if (!head) throw new BadRequestError('文件为空 The file is empty: expected a header line and rows', [{ path: 'body', message: 'empty' }]);
  const fields = head.record.map((h) => ALIASES[h.trim().toLowerCase()] ?? null);
  if (!fields.includes('question') || !fields.includes('answer')) {
    throw new BadRequestError('表头缺少「标准问题」或「答案」列 The header needs question and answer columns', [{ path: 'body', message: `header: ${head.record.join(',')}` }]);
  }
  return rows.map(({ record, info }) => {
    // `lines` is where the record ends; a quoted cell may span lines.
    const line = info.lines - record.reduce((n, v) => n + (v.match(/\n/g)?.length ?? 0), 0);
    const cell = (f: Field) => (record[fields.indexOf(f)] ?? '').trim();
    const question = cell('question');
    const answer = cell('answer');
    if (!question) return { line, error: `第 ${line} 行：缺少标准问题 Line ${line}: the question is empty` };
    if (!answer) return { line, error: `第 ${line} 行：缺少答案 Line ${line}: the answer is empty` };
    if (question.length > MAX_QUESTION) return { line, error: `第 ${line} 行：标准问题超过 ${MAX_QUESTION} 字 Line ${line}: the question is longer than ${MAX_QUESTION}` };
    if (answer.length > MAX_ANSWER) return { line, error: `第 ${line} 行：答案超过 ${MAX_ANSWER} 字 Line ${line}: the answer is longer than ${MAX_ANSWER}` };
    const enabledText = cell('enabled').toLowerCase();
    if (!YES.has(enabledText) && !NO.has(enabledText)) return { line, error: `第 ${line} 行：「启用」只能填 是 或 否 Line ${line}: enabled must be 是 or 否` };
    // A column the file does not have leaves that field alone (an update keeps the entry's own value).
    const has = (f: Field) => fields.includes(f);
    const input: KnowledgeInput = { question, answer: { text: answer } };
    if (has('similar')) input.similar = cell('similar').split(/[|\n｜]+/).map((s) => s.trim()).filter(Boolean);
    if (has('category')) input.category = cell('category');
    if (has('enabled')) input.enabled = YES.has(enabledText);
    if (has('variants')) {
      const variants = readVariants(cell('variants'));
      if ('refused' in variants) return { line, error: `第 ${line} 行：${variants.refused[0]} Line ${line}: ${variants.refused[1]}` };
      input.variants = variants.variants;
    }
    return { line, input };
  });
}

/** The 变体 cell as variants, or why it is refused ([zh-CN, English]). */
function readVariants(text: string): { variants: KnowledgeVariant[] } | { refused: [string, string] } {
  if (!text) return { variants: [] };
  const variants: KnowledgeVariant[] = [];
  for (const part of text.split(VARIANT_SPLIT)) {
    const at = part.search(/[=＝]/);
    const key = at < 0 ? '' : part.slice(0, at).trim();
    const answer = at < 0 ? '' : part.slice(at + 1).trim();
    if (!VARIANT_KEY.test(key)) return { refused: ['「变体」要写成 A=答案|B=答案，标识只能是 1–16 个字母、数字、_ 或 -', 'variants are written A=answer|B=answer, keys of 1–16 letters, digits, _ or -'] };
    if (!answer) return { refused: [`变体 ${key} 的答案为空`, `variant ${key} has no answer`] };
    if (answer.length > MAX_ANSWER) return { refused: [`变体 ${key} 的答案超过 ${MAX_ANSWER} 字`, `variant ${key} is longer than ${MAX_ANSWER}`] };
    variants.push({ key, answer });
  }
  if (variants.length === 1) return { refused: ['至少 2 个变体才能做 A/B 测试（或不填）', 'give at least 2 variants, or none'] };
  if (variants.length > MAX_VARIANTS) return { refused: [`最多 ${MAX_VARIANTS} 个变体`, `at most ${MAX_VARIANTS} variants`] };
  if (new Set(variants.map((v) => v.key.toLowerCase())).size !== variants.length) return { refused: ['变体标识不能重复', 'variant keys must be distinct'] };
  return { variants };
}

export function writeKnowledgeCsv(entries: readonly KnowledgeDto[]): Buffer {
  const lines = [HEADER, ...entries.map((e) => [e.question, e.similar.join('|'), e.answer.text, e.category, e.enabled ? '是' : '否', e.variants.map((v) => `${v.key}=${v.answer}`).join('|')])];
  return Buffer.from(`\uFEFF${lines.map((l) => l.map(quote).join(',')).join('\r\n')}\r\n`, 'utf8');
}

function quote(value: string): string {
  // A leading = + - @ would run as a formula in Excel.
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
