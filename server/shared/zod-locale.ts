/**
 * zod speaks zh-CN first, then English, in every issue message a page or the CLI shows. Imported for its
 * effect by the modules every entry point passes through (config loading, HTTP validation) so the server,
 * the CLI and tests get the same messages; z.config is process-wide, and calling it twice is harmless.
 */
import { z } from 'zod';
const zh = z.locales.zhCN().localeError;
const english = z.locales.en().localeError;

function text(message: unknown): string | undefined {
  if (typeof message === 'string') return message;
  if (message && typeof message === 'object' && 'message' in message) return String(message.message);
  return undefined;
}

z.config({
  localeError: (issue) => {
    const first = text(zh(issue));
    const second = text(english(issue));
    if (first && second && first !== second) return `${first} ${second}`;
    return first ?? second;
  },
});
