/**
 * Lead phone numbers: mainland mobiles (11 digits starting with 1, with or without +86 / 0086 / 86) become
 * +86…; anything else must be a valid international number written with + or 00 (libphonenumber-js). The
 * E.164 result is what PhoneVault hashes, so a lead and a contact with the same number find each other.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';

export type PhoneCheck = { ok: true; e164: string } | { ok: false; reason: string };

const MAINLAND = /^(?:\+?86|0086)?(1[3-9]\d{9})$/;

export function normalizeLeadPhone(raw: string): PhoneCheck {
  const compact = raw.replace(/[\s\-().\u00a0]/g, '').replace(/^＋/, '+');
  if (!compact) return { ok: false, reason: 'missing phone 缺少手机号' };
  const mainland = MAINLAND.exec(compact);
  if (mainland) return { ok: true, e164: `+86${mainland[1]}` };
  if (/^1\d{10}$/.test(compact)) return { ok: false, reason: `invalid mainland mobile "${raw}" 手机号无效` };
  const international = compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
  if (!international.startsWith('+')) return { ok: false, reason: `invalid phone "${raw}": expected an 11-digit mainland mobile or +country number 手机号无效` };
  const parsed = parsePhoneNumberFromString(international);
  if (!parsed || !parsed.isValid()) return { ok: false, reason: `invalid phone "${raw}" 号码无效` };
  if (parsed.countryCallingCode === '86') return { ok: false, reason: `not a mainland mobile "${raw}" 不是手机号` };
  return { ok: true, e164: parsed.number };
}
