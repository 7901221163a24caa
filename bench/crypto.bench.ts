/**
 * `npm run bench -- crypto [--n 50000]`: how many WeCom callbacks one core can take through the acknowledgement
 * path (read the envelope, verify msg_signature, decrypt, check the receive id, refuse a DTD, pick the inbox
 * priority: what `WecomAdapter.verify` does before the row is recorded), and, separately, parse (what the inbound
 * processor does later, off that path). The sealed bodies are built up front so only the receiving side is
 * timed. The same payloads also go through bare node:crypto (SHA-1 over the same sorted fields, AES-256-CBC
 * decrypt of the same ciphertext, no checks, no parsing): `ratio` = acknowledgement path / bare, a same-run
 * number the machine's speed cancels out of; `ratio_with_parse` adds the parse.
 */
import { createDecipheriv, createHash } from 'node:crypto';
import { sealEvent, verifyAndOpen } from '../adapters/wecom/crypto/callback-envelope.ts';
import type { SealedEvent } from '../adapters/wecom/crypto/callback-envelope.ts';
import { parseXml } from '../adapters/shared/xml.ts';
import { declaresDtd } from '../adapters/shared/query.ts';
import { wecomInboxPriority } from '../adapters/wecom/parse/inbox-priority.ts';
import type { BenchResult } from './run.ts';

const ACCOUNT = {
  token: 'SiyuBenchToken',
  encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  receiveId: 'ww5823bf96d3bd56c7',
};
const CHANGE_TYPES = ['add_external_contact', 'edit_external_contact', 'del_follow_user'] as const;

function intArg(args: string[], name: string, fallback: number): number {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return fallback;
  const raw = args[i]?.includes('=') ? args[i]?.split('=')[1] : args[i + 1];
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

/** A `change_external_contact` push shaped like the documented example (protocol notes §2.1). */
function event(i: number): string {
  const changeType = CHANGE_TYPES[i % CHANGE_TYPES.length] ?? 'add_external_contact';
  const welcome =
    changeType === 'add_external_contact'
      ? `<State><![CDATA[teststate]]></State><WelcomeCode><![CDATA[WELCOMECODE${i}]]></WelcomeCode>`
      : '';
  return (
    `<xml><ToUserName><![CDATA[${ACCOUNT.receiveId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>` +
    `<CreateTime>${1403610513 + i}</CreateTime><MsgType><![CDATA[event]]></MsgType>` +
    `<Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[${changeType}]]></ChangeType>` +
    `<UserID><![CDATA[zhangsan${i % 97}]]></UserID><ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0m${i}]]></ExternalUserID>` +
    `${welcome}</xml>`
  );
}

const KEY = Buffer.from(`${ACCOUNT.encodingAESKey}=`, 'base64');

/** The floor: the same SHA-1 and AES-256-CBC work with nothing else (the ciphertext is read out of the body by index). */
function bare(push: SealedEvent): number {
  const start = push.body.indexOf('<Encrypt><![CDATA[') + 18;
  const encrypt = push.body.slice(start, push.body.indexOf(']]>', start));
  const sig = createHash('sha1').update([ACCOUNT.token, push.timestamp, push.nonce, encrypt].sort().join('')).digest('hex');
  if (sig !== push.msgSignature) throw new Error('bare signature mismatch');
  const decipher = createDecipheriv('aes-256-cbc', KEY, KEY.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()]).length;
}

/** Seals N events, then times verify signature + decrypt + parse of all of them on this one thread. */
export async function run(args: string[]): Promise<BenchResult> {
  const n = intArg(args, 'n', 50_000);
  const sealed: SealedEvent[] = [];
  for (let i = 0; i < n; i++) {
    sealed.push(sealEvent({ ...ACCOUNT, message: event(i), toUserName: ACCOUNT.receiveId, agentId: 1000002 }));
  }

  // The acknowledgement path as the adapter runs it, then the parse the processor runs later.
  const acknowledge = (push: SealedEvent): string => {
    // Built as WecomAdapter.verifyWebhook builds it: one object literal.
    const plaintext = verifyAndOpen({
      token: ACCOUNT.token,
      encodingAESKey: ACCOUNT.encodingAESKey,
      receiveId: ACCOUNT.receiveId,
      msgSignature: push.msgSignature,
      timestamp: push.timestamp,
      nonce: push.nonce,
      body: push.body,
    });
    if (declaresDtd(plaintext)) throw new Error('DTD');
    wecomInboxPriority(plaintext);
    return plaintext;
  };
  // Warm every path (V8 optimises hot code late), so none pays another's warm-up.
  for (const push of sealed.slice(0, Math.min(2000, n))) {
    parseXml(acknowledge(push));
    bare(push);
  }
  // Both paths are timed in alternating chunks, each going first in every other chunk, so a machine that slows
  // down or speeds up during the run moves both sides of the ratio alike (timed one after the other, runs of
  // unchanged code gave 0.51 to 0.65 on a noisy machine).
  const CHUNK = 1000;
  const opened: string[] = new Array(n);
  let seconds = 0;
  let bareSeconds = 0;
  let bytes = 0;
  const timeOurs = (from: number, to: number): void => {
    const started = process.hrtime.bigint();
    for (let i = from; i < to; i++) opened[i] = acknowledge(sealed[i]!);
    seconds += Number(process.hrtime.bigint() - started) / 1e9;
  };
  const timeBare = (from: number, to: number): void => {
    const started = process.hrtime.bigint();
    for (let i = from; i < to; i++) bytes += bare(sealed[i]!);
    bareSeconds += Number(process.hrtime.bigint() - started) / 1e9;
  };
  for (let from = 0, chunk = 0; from < n; from += CHUNK, chunk++) {
    const to = Math.min(n, from + CHUNK);
    if (chunk % 2 === 0) {
      timeOurs(from, to);
      timeBare(from, to);
    } else {
      timeBare(from, to);
      timeOurs(from, to);
    }
  }
  if (!bytes) throw new Error('bare decrypt produced nothing');
  let added = 0;
  const parseStarted = process.hrtime.bigint();
  for (const plaintext of opened) if (parseXml(plaintext).ChangeType === 'add_external_contact') added++;
  const parseSeconds = Number(process.hrtime.bigint() - parseStarted) / 1e9;

  if (added !== Math.ceil(n / CHANGE_TYPES.length)) throw new Error(`parsed ${added} add_external_contact events`);
  return {
    bench: 'crypto',
    n,
    events_per_s: Math.round(n / seconds),
    bare_per_s: Math.round(n / bareSeconds),
    ratio: Number((bareSeconds / seconds).toFixed(3)),
    parse_per_s: Math.round(n / parseSeconds),
    with_parse_per_s: Math.round(n / (seconds + parseSeconds)),
    ratio_with_parse: Number((bareSeconds / (seconds + parseSeconds)).toFixed(3)),
  };
}
