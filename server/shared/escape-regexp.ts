/** A user's search text as a literal inside a RegExp (substring search over names, templates, quick replies). */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
