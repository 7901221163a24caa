/**
 * `npm run bench -- crypto [--n 50000]`: how many WeCom callbacks one core can verify, decrypt and parse.
 * The sealed bodies are built up front so only the receiving side is timed.
 */
import { sealEvent, verifyAndOpen } from '../adapters/wecom/crypto/callback-envelope.ts';
import type { SealedEvent } from '../adapters/wecom/crypto/callback-envelope.ts';
import { parseXml } from '../adapters/shared/xml.ts';
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

/** Seals N events, then times verify signature + decrypt + parse of all of them on this one thread. */
export async function run(args: string[]): Promise<BenchResult> {
  const n = intArg(args, 'n', 50_000);
  const sealed: SealedEvent[] = [];
  for (let i = 0; i < n; i++) {
    sealed.push(sealEvent({ ...ACCOUNT, message: event(i), toUserName: ACCOUNT.receiveId, agentId: 1000002 }));
  }

  let added = 0;
  const started = process.hrtime.bigint();
  for (const push of sealed) {
    const inner = parseXml(verifyAndOpen({ ...ACCOUNT, ...push }));
    if (inner.ChangeType === 'add_external_contact') added++;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  if (added !== Math.ceil(n / CHANGE_TYPES.length)) throw new Error(`parsed ${added} add_external_contact events`);
  return { bench: 'crypto', n, events_per_s: Math.round(n / seconds) };
}
