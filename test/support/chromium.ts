/** Debian's Chromium for browser tests (never a downloaded browser), with flags for this closed network. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Call in a `before` hook: skips the suite with a reason when Chromium is not installed (.ci/run installs it). */
export function requireChromium(ctx: Mocha.Context): void {
  if (!existsSync(CHROMIUM)) {
    console.warn(`    skipped: ${CHROMIUM} is missing — install Debian's chromium (apt-get install chromium; .ci/run does)`);
    ctx.skip();
  }
}

export interface OpenBrowser {
  context: BrowserContext;
  /** The context's first page, with an 8 s default timeout. */
  page: Page;
  /** Script errors, failed loads and CSP violations the page reports (console errors and uncaught exceptions). */
  pageErrors: string[];
  /** Closes the browser and removes its profile directory. */
  close(): Promise<void>;
}

type LaunchOptions = NonNullable<Parameters<typeof chromium.launchPersistentContext>[1]>;

/**
 * Chromium in zh-CN with a fresh profile, at this viewport; `options` adds to the launch options (permissions,
 * mobile emulation, downloads). Call `close()` in `after` even when a test failed.
 */
export async function openBrowser(viewport: { width: number; height: number }, options: LaunchOptions = {}): Promise<OpenBrowser> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'siyu-chromium-'));
  let context: BrowserContext | undefined;
  const close = async () => {
    await context?.close();
    await rm(profile, { recursive: true, force: true });
  };
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport, locale: 'zh-CN', ...options });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(8000);
    const pageErrors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && pageErrors.push(m.text())));
    page.on('pageerror', (e) => pageErrors.push(e.message));
    return { context, page, pageErrors, close };
  } catch (err) {
    await close();
    throw err;
  }
}
