/**
 * YAML text or file → a typed SOP, or every problem found, each as `{ file, path, message }` and printed
 * as `<file>: <path>: <message>`. Used by `siyu sop validate`, at boot for `sop-templates/`, and by tests.
 */
import { readFile as fsReadFile, readdir as fsReaddir } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import '../../shared/zod-locale.ts';
import { referenceProblems } from './sop-checks.ts';
import { sopSchema } from './sop.schema.ts';
import type { Sop } from './sop.schema.ts';

export type SopProblem = { file: string; path: string; message: string };
export type SopLoadResult = { ok: true; file: string; sop: Sop } | { ok: false; file: string; problems: SopProblem[] };

export type LoaderFs = {
  readFile: (file: string, encoding: 'utf8') => Promise<string>;
  readdir: (dir: string) => Promise<string[]>;
};
const nodeFs: LoaderFs = { readFile: fsReadFile, readdir: fsReaddir };

const ROOT = '(root)';

/** `['steps', 2, 'channel']` → `steps[2].channel`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  const text = segments
    .map((s) => (typeof s === 'number' ? `[${s}]` : `.${String(s)}`))
    .join('')
    .replace(/^\./, '');
  return text === '' ? ROOT : text;
}

export function formatProblem(p: SopProblem): string {
  return `${p.file}: ${p.path}: ${p.message}`;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
    return `须为以下之一：${issue.options.map(String).join('、')} Must be one of ${issue.options.map(String).join(', ')}`;
  }
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return `必填（${issue.expected}） Required (${issue.expected})`;
  return issue.message;
}

/** Validates already-parsed data (YAML or an API body) against the schema and the cross-field checks. */
export function validateSop(data: unknown, file = '<input>'): SopLoadResult {
  const parsed = sopSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({ file, path: formatPath(issue.path), message: issueMessage(issue) }));
    return { ok: false, file, problems };
  }
  const problems = referenceProblems(parsed.data).map((p) => ({ file, ...p }));
  return problems.length > 0 ? { ok: false, file, problems } : { ok: true, file, sop: parsed.data };
}

/** Parses one YAML document; syntax errors carry `line L, column C` as their path. */
export function parseSopText(text: string, file = '<input>'): SopLoadResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const at = lines.linePos(e.pos[0]);
      const where = `line ${at.line}, column ${at.col}`;
      return { file, path: where, message: `YAML 语法错误 YAML: ${e.message.split('\n')[0] ?? e.code}` };
    });
    return { ok: false, file, problems };
  }
  return validateSop(doc.toJS(), file);
}

export async function loadSopFile(file: string, fs: LoaderFs = nodeFs): Promise<SopLoadResult> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    return { ok: false, file, problems: [{ file, path: ROOT, message: `无法读取 Cannot read: ${(err as Error).message}` }] };
  }
  return parseSopText(text, file);
}

/** Every `*.yaml` / `*.yml` in `dir` (not recursive), in name order; SOP ids must be unique across files. */
export async function loadSopDirectory(dir: string, fs: LoaderFs = nodeFs): Promise<{ sops: Sop[]; problems: SopProblem[] }> {
  const names = (await fs.readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  const results = await Promise.all(names.map((n) => loadSopFile(path.join(dir, n), fs)));
  const sops: Sop[] = [];
  const problems: SopProblem[] = [];
  const owner = new Map<string, string>();
  for (const r of results) {
    if (!r.ok) {
      problems.push(...r.problems);
      continue;
    }
    const first = owner.get(r.sop.id);
    if (first) problems.push({ file: r.file, path: 'id', message: `SOP id "${r.sop.id}" 重复（另见 ${first}） Duplicate SOP id "${r.sop.id}" (also in ${first})` });
    else owner.set(r.sop.id, r.file);
    sops.push(r.sop);
  }
  return { sops, problems };
}
