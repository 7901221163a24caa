/** A plain-text table for terminals; CJK characters count as two columns so zh-CN headers line up. */
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60]/u;
export const displayWidth = (text: string) => [...text].reduce((w, ch) => w + (WIDE.test(ch) ? 2 : 1), 0);

export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => displayWidth(r[c] ?? '')))) ?? [];
  const line = (r: string[]) => r.map((cell, c) => cell + ' '.repeat((widths[c] ?? 0) - displayWidth(cell))).join(' | ').trimEnd();
  const [header = [], ...body] = rows;
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-+-'), ...body.map(line)].join('\n');
}
