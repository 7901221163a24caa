/**
 * Phone numbers: normalised to E.164, encrypted at rest (AES-256-GCM), matched by a keyed hash (HMAC-SHA256)
 * so equal numbers find each other without the number being readable. Never log a raw number.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { BadRequestError } from '../errors.ts';

/** Mainland mobiles (11 digits starting with 1, optionally +86/0086/86) → +86…; anything else must be E.164. */
export function normalizePhone(input: string): string | null {
  const compact = input.replace(/[\s\-().]/g, '');
  const mainland = /^(?:\+?86|0086)?(1[3-9]\d{9})$/.exec(compact);
  if (mainland) return `+86${mainland[1]}`;
  if (/^\+[1-9]\d{6,14}$/.test(compact) && !compact.startsWith('+86')) return compact;
  if (/^00[1-9]\d{6,14}$/.test(compact) && !compact.startsWith('0086')) return `+${compact.slice(2)}`;
  return null;
}

export function maskPhone(e164: string): string {
  const digits = e164.startsWith('+86') ? e164.slice(3) : e164;
  if (digits.length < 7) return '*'.repeat(digits.length);
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
}

export class PhoneVault {
  private readonly encKey: Buffer;
  private readonly hashKey: Buffer;

  constructor(keys: { phoneKeyHex: string; hashKeyHex: string }) {
    this.encKey = Buffer.from(keys.phoneKeyHex, 'hex');
    this.hashKey = Buffer.from(keys.hashKeyHex, 'hex');
    if (this.encKey.length !== 32 || this.hashKey.length !== 32) throw new Error('phone keys must be 32 bytes each');
  }

  /** Normalises or throws a 400 naming the field. */
  normalizeOrThrow(raw: string, field = 'phone'): string {
    const phone = normalizePhone(raw);
    if (!phone) throw new BadRequestError(`${field} 不是有效的手机号 ${field} is not a valid phone number`, [{ path: field, message: '应为大陆手机号（1 开头的 11 位数字）或 E.164 号码 Expected a mainland mobile (11 digits starting with 1) or an E.164 number' }]);
    return phone;
  }

  hash(e164: string): string {
    return createHmac('sha256', this.hashKey).update(e164).digest('hex');
  }

  /** `v1.<iv>.<tag>.<ciphertext>`, base64url parts; the version prefix leaves room for key rotation. */
  encrypt(e164: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encKey, iv);
    const ct = Buffer.concat([cipher.update(e164, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  decrypt(sealed: string): string {
    const [version, iv, tag, ct] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || !ct) throw new Error('unknown phone ciphertext format');
    const decipher = createDecipheriv('aes-256-gcm', this.encKey, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }
}
