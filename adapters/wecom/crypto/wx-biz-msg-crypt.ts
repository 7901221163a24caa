/**
 * WXBizMsgCrypt, the callback crypto shared by WeCom, WeChat official accounts and the open platform.
 * Written against the official samples' algorithm (protocol notes §1.2) but strict where they are lenient:
 * canonical base64, every pad byte checked, length field bounded by the buffer, receive id compared.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Decipher } from 'node:crypto';

/**
 * The official samples' error codes: -40001 signature mismatch, -40002 envelope parse error,
 * -40004 illegal EncodingAESKey, -40005 receive id mismatch, -40007 AES decrypt error,
 * -40008 illegal buffer, -40010 base64 decode error.
 */
export type CallbackCryptoCode = -40001 | -40002 | -40004 | -40005 | -40007 | -40008 | -40010;

/**
 * A callback that must be refused. `kind` lets the HTTP layer answer 401 for a bad signature (the caller
 * does not hold the token) and 400 for everything else.
 */
export class CallbackCryptoError extends Error {
  override readonly name = 'CallbackCryptoError';
  readonly kind: 'signature' | 'decrypt';
  constructor(
    readonly code: CallbackCryptoCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.kind = code === -40001 ? 'signature' : 'decrypt';
  }
}

/** What {@link decrypt} recovers from one ciphertext. */
export type Decrypted = { message: string; receiveId: string; random: Buffer };

const PAD_BLOCK = 32;
const RANDOM_BYTES = 16;
const HEADER_BYTES = RANDOM_BYTES + 4;
const KEY = /^[A-Za-z0-9+/]{43}$/;
// ignoreBOM keeps a leading U+FEFF in the message instead of silently dropping it.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** SHA-1 hex of the parts sorted (ASCII order) and concatenated; the basis of every Tencent callback signature. */
export function sortedSha1(parts: readonly string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex');
}

/** `msg_signature` of an encrypted payload: sha1(sort(token, timestamp, nonce, encrypt)). */
export function signature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return sortedSha1([token, timestamp, nonce, encrypt]);
}

/** A signature as Tencent spells it: 40 lowercase hex digits (anything else cannot match the hex digest). */
const SIGNATURE_HEX = /^[0-9a-f]{40}$/;

/** Compares two strings without leaking where they differ; only their (public) lengths may show. */
export function constantTimeEqual(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(actual, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** True when `msgSignature` is the signature of the payload, compared in constant time. */
export function verifySignature(
  token: string,
  timestamp: string,
  nonce: string,
  encrypt: string,
  msgSignature: string,
): boolean {
  // Every callback passes here on the acknowledgement path: the raw digest is compared with the decoded hex, which
  // spares the hex string and two buffers per call; the length is public, so it is checked first, as before.
  if (!SIGNATURE_HEX.test(msgSignature)) return false;
  const digest = createHash('sha1').update([token, timestamp, nonce, encrypt].sort().join('')).digest();
  return timingSafeEqual(digest, Buffer.from(msgSignature, 'hex'));
}

/**
 * An account's key, its IV (the key's first 16 bytes) and a block decipher for it, made once, not on every callback;
 * the bound only guards against unbounded distinct keys.
 */
type AccountKey = { key: Buffer; iv: Buffer; blocks?: Decipher | undefined };
const decodedKeys = new Map<string, AccountKey>();

function keyAndIv(encodingAESKey: string): AccountKey {
  const known = decodedKeys.get(encodingAESKey);
  if (known) return known;
  if (!KEY.test(encodingAESKey)) {
    throw new CallbackCryptoError(-40004, 'EncodingAESKey must be 43 base64 characters');
  }
  // Node's decoder tolerates the non-zero trailing bits most real keys have (protocol notes §1.1).
  const key = Buffer.from(`${encodingAESKey}=`, 'base64');
  const decoded: AccountKey = { key, iv: key.subarray(0, 16) };
  if (decodedKeys.size < 256) decodedKeys.set(encodingAESKey, decoded);
  return decoded;
}

/**
 * AES-256-CBC decryption of whole blocks: each block deciphered alone (ECB), then XORed with the ciphertext block
 * before it (the IV for the first). Building a CBC decipher per callback, and finishing it, cost about as much as
 * the decryption itself (half of `decrypt`'s time, measured); an ECB decipher without padding carries nothing from
 * one call to the next, so one per key serves every callback.
 */
function cbcDecrypt(account: AccountKey, ciphertext: Buffer): Buffer {
  if (ciphertext.length % 16 !== 0) throw new RangeError(`ciphertext of ${ciphertext.length} bytes is not whole AES blocks`);
  account.blocks ??= createDecipheriv('aes-256-ecb', account.key, null).setAutoPadding(false);
  let plain: Buffer;
  try {
    plain = account.blocks.update(ciphertext);
  } catch (err) {
    account.blocks = undefined;
    throw err;
  }
  if (plain.length !== ciphertext.length) {
    // Cannot happen on whole blocks; if it did, the decipher would hold bytes for the next caller, so it is dropped.
    account.blocks = undefined;
    throw new Error(`AES-ECB returned ${plain.length} of ${ciphertext.length} bytes`);
  }
  const { iv } = account;
  for (let i = 0; i < 16; i++) plain[i]! ^= iv[i]!;
  if ((plain.byteOffset & 3) === 0 && (ciphertext.byteOffset & 3) === 0) {
    // Four bytes at a time where both buffers allow it (XOR does not care about byte order).
    const words = plain.length >>> 2;
    const out = new Int32Array(plain.buffer, plain.byteOffset, words);
    const previous = new Int32Array(ciphertext.buffer, ciphertext.byteOffset, words);
    for (let i = 4; i < words; i++) out[i]! ^= previous[i - 4]!;
  } else {
    for (let i = 16; i < plain.length; i++) plain[i]! ^= ciphertext[i - 16]!;
  }
  return plain;
}

/** AES-256-CBC decryption of whole blocks with the account's key and IV, no padding removed (see {@link decrypt}). */
export function aesCbcDecrypt(encodingAESKey: string, ciphertext: Buffer): Buffer {
  return cbcDecrypt(keyAndIv(encodingAESKey), ciphertext);
}

/** AESKey = base64(EncodingAESKey + "="): 43 characters give exactly 32 bytes. Throws -40004 otherwise. Read-only. */
export function aesKey(encodingAESKey: string): Buffer {
  return keyAndIv(encodingAESKey).key;
}

// The expected receive ids as bytes, compared before any decoding (bounded like the keys).
const receiveIdBytes = new Map<string, Buffer>();

function bytesOf(receiveId: string): Buffer {
  let bytes = receiveIdBytes.get(receiveId);
  if (!bytes) {
    bytes = Buffer.from(receiveId, 'utf8');
    if (receiveIdBytes.size < 256) receiveIdBytes.set(receiveId, bytes);
  }
  return bytes;
}

const BASE64_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Whether `text` is the one canonical base64 spelling of the `decoded` bytes Node produced from it. Node's decoder
 * skips stray characters (the decoded length then falls short), accepts URL-safe digits and unpadded forms, and
 * ignores non-zero bits after the last byte; this catches each without re-encoding every callback's ciphertext.
 */
function isCanonicalBase64(text: string, decoded: number): boolean {
  if (text.length % 4 !== 0 || text.includes('-') || text.includes('_')) return false;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  if (decoded !== (text.length / 4) * 3 - pad) return false;
  if (pad === 0) return true;
  const last = BASE64_DIGITS.indexOf(text[text.length - pad - 1] ?? '');
  return last >= 0 && (last & (pad === 2 ? 0x0f : 0x03)) === 0;
}

function cipherBytes(encryptB64: string): Buffer {
  const bytes = Buffer.from(encryptB64, 'base64');
  if (!isCanonicalBase64(encryptB64, bytes.length)) throw new CallbackCryptoError(-40010, 'ciphertext is not canonical base64');
  if (bytes.length === 0 || bytes.length % 16 !== 0) {
    throw new CallbackCryptoError(-40010, `ciphertext of ${bytes.length} bytes is not whole AES blocks`);
  }
  return bytes;
}

function unpad(plain: Buffer): Buffer {
  const pad = plain[plain.length - 1] ?? 0;
  if (pad < 1 || pad > PAD_BLOCK || pad > plain.length) throw new CallbackCryptoError(-40007, 'bad padding');
  for (let i = plain.length - pad; i < plain.length; i++) {
    if (plain[i] !== pad) throw new CallbackCryptoError(-40007, 'bad padding');
  }
  return plain.subarray(0, plain.length - pad);
}

function text(bytes: Buffer, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new CallbackCryptoError(-40008, `${what} is not valid UTF-8`);
  }
}

/**
 * Decrypts a base64 `Encrypt`/`echostr` value and checks that it was meant for `expectedReceiveId`
 * (CorpID, SuiteID or AppID). Does not check the signature: call {@link verifySignature} first.
 * @throws CallbackCryptoError -40004, -40010, -40007, -40008 or -40005.
 */
export function decrypt(encodingAESKey: string, encryptB64: string, expectedReceiveId: string): Decrypted {
  const account = keyAndIv(encodingAESKey);
  const ciphertext = cipherBytes(encryptB64);
  let plain: Buffer;
  try {
    plain = cbcDecrypt(account, ciphertext);
  } catch (err) {
    throw new CallbackCryptoError(-40007, 'AES decryption failed', { cause: err });
  }
  const body = unpad(plain);
  if (body.length < HEADER_BYTES) throw new CallbackCryptoError(-40008, 'plaintext shorter than its header');
  const end = HEADER_BYTES + body.readUInt32BE(RANDOM_BYTES);
  if (end > body.length) throw new CallbackCryptoError(-40008, 'message length exceeds the plaintext');

  const message = text(body.subarray(HEADER_BYTES, end), 'message');
  // The expected id's bytes match only a valid UTF-8 id; anything else is decoded to say what it was.
  if (!body.subarray(end).equals(bytesOf(expectedReceiveId))) {
    const receiveId = text(body.subarray(end), 'receive id');
    throw new CallbackCryptoError(-40005, `receive id ${JSON.stringify(receiveId)} is not the expected one`);
  }
  // A view, not a copy: `plain` is this call's own buffer and nothing else writes to it.
  return { message, receiveId: expectedReceiveId, random: body.subarray(0, RANDOM_BYTES) };
}

/**
 * Encrypts `message` for `receiveId` and returns the base64 ciphertext. `random` (16 bytes) defaults to
 * fresh random bytes; pass it to reproduce a known ciphertext.
 */
export function encrypt(
  encodingAESKey: string,
  message: string,
  receiveId: string,
  random: Buffer = randomBytes(RANDOM_BYTES),
): string {
  if (random.length !== RANDOM_BYTES) throw new RangeError(`random must be ${RANDOM_BYTES} bytes`);
  const key = aesKey(encodingAESKey);
  const msg = Buffer.from(message, 'utf8');
  const id = Buffer.from(receiveId, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(msg.length);
  const unpadded = HEADER_BYTES + msg.length + id.length;
  const pad = PAD_BLOCK - (unpadded % PAD_BLOCK);
  const plain = Buffer.concat([random, length, msg, id, Buffer.alloc(pad, pad)]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

/**
 * A callback that fails verification: 401 for a signature mismatch, 400 for anything else; other errors rethrow.
 * The reason is zh-CN first, then the sample's code and the English detail.
 */
export function refusal(err: unknown): { ok: false; status: 400 | 401; reason: string } {
  if (!(err instanceof CallbackCryptoError)) throw err;
  if (err.kind === 'signature') return { ok: false, status: 401, reason: `回调签名不匹配 Callback signature mismatch (${err.code}: ${err.message})` };
  return { ok: false, status: 400, reason: `回调无法解密 Callback cannot be decrypted (${err.code}: ${err.message})` };
}
