/** FNV-1a (32 bit): a cheap, stable spread of keys over workers or lanes; not for anything secret. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
