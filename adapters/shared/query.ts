/** Koa gives repeated query parameters as arrays; callbacks want the first value. */
export function firstQueryValue(v: string | string[] | undefined): string {
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

/**
 * Decrypted payloads are refused before they are recorded when they declare a DTD: Tencent never sends one,
 * and an entity bomb should be turned away at the door rather than stored and rejected later.
 */
export function declaresDtd(xml: string): boolean {
  return /<!(DOCTYPE|ENTITY)/i.test(xml);
}
