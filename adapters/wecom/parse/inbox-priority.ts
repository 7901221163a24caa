/**
 * Which WeCom payloads the core's inbox claims first. An add_external_contact / add_half_external_contact that
 * carries a WelcomeCode gets 1: its welcome message must go out within 20 s of the add, so it jumps the queue;
 * everything else 0 (arrival order). Runs on the callback path for every delivery, before the payload is
 * acknowledged: a cheap look at the plaintext, not a parse (the parser reads it properly afterwards).
 */
const ADD = /<ChangeType>(?:<!\[CDATA\[)?add_(?:half_)?external_contact\b/;
const WELCOME_CODE = /<WelcomeCode>(?:<!\[CDATA\[)?[^<\]]/;

export function wecomInboxPriority(plaintext: string): number {
  return ADD.test(plaintext) && WELCOME_CODE.test(plaintext) ? 1 : 0;
}
