/**
 * The HTTP-facing envelopes around WXBizMsgCrypt (protocol notes §1.3, §5.2): open what Tencent pushes,
 * and seal what Tencent would push or accept as a reply, so the simulators sign exactly like the platform.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { buildXml, DEFAULT_MAX_XML_BYTES, parseXml, XmlError } from '../../shared/xml.ts';
import type { XmlInput } from '../../shared/xml.ts';
import {
  CallbackCryptoError,
  constantTimeEqual,
  decrypt,
  encrypt,
  signature,
  sortedSha1,
  verifySignature,
} from './wx-biz-msg-crypt.ts';

/** The account's callback settings plus the signed query parameters of one request. */
export type CallbackAuth = {
  token: string;
  encodingAESKey: string;
  /** CorpID (self-built app), SuiteID (suite instructions) or AppID (official account). */
  receiveId: string;
  msgSignature: string;
  timestamp: string;
  nonce: string;
};

function open(auth: CallbackAuth, ciphertext: string): string {
  if (!verifySignature(auth.token, auth.timestamp, auth.nonce, ciphertext, auth.msgSignature)) {
    throw new CallbackCryptoError(-40001, 'msg_signature does not match');
  }
  return decrypt(auth.encodingAESKey, ciphertext, auth.receiveId).message;
}

/**
 * Tencent's envelope exactly as documented (§1.3): `<xml>` holding ToUserName and AgentID in any order around one
 * CDATA `<Encrypt>` of base64, nothing else. The whole body must match, so nothing can hide in it; any other
 * shape goes through the XML parser with its limits. Reading the envelope took ~60% of a callback's CPU on the
 * acknowledgement path when it went through the parser, and every real push has this shape.
 */
const OPEN = '<Encrypt><![CDATA[';
const CLOSE = ']]></Encrypt>';
const BESIDE = String.raw`(?:\s*<(ToUserName|AgentID)>(?:<!\[CDATA\[[\w.@-]*\]\]>|[\w.@-]*)<\/\1>)*\s*`;
const BEFORE = new RegExp(String.raw`^\s*<xml>${BESIDE}$`);
const AFTER = new RegExp(String.raw`^${BESIDE}<\/xml>\s*$`);

/** The ciphertext of a documented envelope, or null when the body has another shape. */
function documentedEnvelope(text: string, maxBytes: number): string | null {
  // A body that might be over the limit is left to the parser, which measures it exactly and refuses it.
  if (text.length * 3 > maxBytes) return null;
  const start = text.indexOf(OPEN);
  if (start < 0) return null;
  const end = text.indexOf(CLOSE, start + OPEN.length);
  if (end < 0) return null;
  const ciphertext = text.slice(start + OPEN.length, end);
  // The regular expressions read only the short rest; the ciphertext itself must be canonical base64 to decrypt
  // (decrypt() re-encodes it), whichever way it was read.
  return BEFORE.test(text.slice(0, start)) && AFTER.test(text.slice(end + CLOSE.length)) ? ciphertext : null;
}

/**
 * Opens an encrypted POST callback: reads `<Encrypt>` from the XML body, checks `msg_signature` over it,
 * decrypts it and checks the receive id. Returns the inner XML, untouched.
 * @throws CallbackCryptoError (-40002 when the envelope itself is unusable).
 */
export function verifyAndOpen(auth: CallbackAuth & { body: string | Buffer; maxBytes?: number }): string {
  const text = typeof auth.body === 'string' ? auth.body : auth.body.toString('utf8');
  let ciphertext: unknown = documentedEnvelope(text, auth.maxBytes ?? DEFAULT_MAX_XML_BYTES);
  try {
    ciphertext ??= parseXml(text, { maxBytes: auth.maxBytes }).Encrypt;
  } catch (err) {
    if (err instanceof XmlError) throw new CallbackCryptoError(-40002, err.message, { cause: err });
    throw err;
  }
  if (typeof ciphertext !== 'string' || ciphertext === '') {
    throw new CallbackCryptoError(-40002, 'envelope has no <Encrypt> text');
  }
  return open(auth, ciphertext);
}

/**
 * Answers WeCom's GET URL verification: checks `msg_signature` over the (already URL-decoded) echostr and
 * returns its plaintext, which the route must send back bare.
 */
export function verifyUrl(auth: CallbackAuth & { echostr: string }): string {
  return open(auth, auth.echostr);
}

/** The freshness and replay facts of one verified callback (see `WebhookDelivery` in adapters/channel-adapter.ts). */
export type SignedDelivery = { signedAt: Date; replayKey: string; signsPayload: boolean };

/**
 * Adds to a verified request the signed parameters the core checks for freshness and replay, or refuses it
 * with 400 when `timestamp` is not whole seconds since the epoch (Tencent sends ten digits). Call only after
 * the signature has been checked; `signsPayload` says whether that signature covers the payload too.
 */
export function withDelivery<const T extends object>(
  verified: T,
  timestamp: string,
  nonce: string,
  sig: string,
  signsPayload: boolean,
): (T & { delivery: SignedDelivery }) | { ok: false; status: 400; reason: string } {
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, status: 400, reason: 'timestamp 不是秒数 timestamp must be seconds since the epoch' };
  return { ...verified, delivery: { signedAt: new Date(Number(timestamp) * 1000), replayKey: `${timestamp}:${nonce}:${sig}`, signsPayload } };
}

/** Official-account plain mode: `signature` = sha1(sort(token, timestamp, nonce)), compared in constant time. */
export function verifyPlainSignature(token: string, timestamp: string, nonce: string, sig: string): boolean {
  return constantTimeEqual(sortedSha1([token, timestamp, nonce]), sig);
}

/** What to seal, and optionally the values Tencent would pick (fixed in tests, random in production). */
export type SealInput = {
  token: string;
  encodingAESKey: string;
  receiveId: string;
  /** The plaintext XML to encrypt. */
  message: string;
  /** Seconds since the epoch; defaults to now. */
  timestamp?: string;
  nonce?: string;
  random?: Buffer;
};

type Sealed = { encrypt: string; msgSignature: string; timestamp: string; nonce: string };

function seal(input: SealInput): Sealed {
  const timestamp = input.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = input.nonce ?? String(randomInt(1_000_000_000, 10_000_000_000));
  const ciphertext = encrypt(input.encodingAESKey, input.message, input.receiveId, input.random ?? randomBytes(16));
  return { encrypt: ciphertext, msgSignature: signature(input.token, timestamp, nonce, ciphertext), timestamp, nonce };
}

/** Builds the encrypted passive-reply envelope (Encrypt, MsgSignature, TimeStamp in seconds, Nonce). */
export function sealReply(input: SealInput): string {
  const sealed = seal(input);
  return buildXml({
    Encrypt: sealed.encrypt,
    MsgSignature: sealed.msgSignature,
    TimeStamp: Number(sealed.timestamp),
    Nonce: sealed.nonce,
  });
}

/** A sealed push: the POST body plus the query parameters Tencent signs it with. */
export type SealedEvent = { body: string; msgSignature: string; timestamp: string; nonce: string };

/**
 * Builds an encrypted event push as Tencent sends it: `<xml><ToUserName/><Encrypt/><AgentID/></xml>` in the
 * body and `msg_signature`, `timestamp`, `nonce` for the query. Official accounts omit `agentId`.
 */
export function sealEvent(input: SealInput & { toUserName: string; agentId?: string | number }): SealedEvent {
  const sealed = seal(input);
  const envelope: Record<string, XmlInput> = { ToUserName: input.toUserName, Encrypt: sealed.encrypt };
  if (input.agentId !== undefined) envelope.AgentID = input.agentId;
  return { body: buildXml(envelope), msgSignature: sealed.msgSignature, timestamp: sealed.timestamp, nonce: sealed.nonce };
}
