/** Debian's Chromium for browser tests (never a downloaded browser), with flags for this closed network. */
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Call in a `before` hook: skips the suite with a reason when Chromium is not installed (.ci/run installs it). */
export function requireChromium(ctx: Mocha.Context): void {
  if (!existsSync(CHROMIUM)) {
    console.warn(`    skipped: ${CHROMIUM} is missing — install Debian's chromium (apt-get install chromium; .ci/run does)`);
    ctx.skip();
  }
}
