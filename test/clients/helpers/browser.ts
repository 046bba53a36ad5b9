import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ROOT } from './run-process.ts';

/**
 * Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it), driven by playwright-core.
 * No browser is downloaded. Headless, no sandbox (CI containers run as root), and nothing that
 * phones home.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30_000,
  });
}

/** Where screenshots go (gitignored); names are fixed by the tests and never contain secrets. */
export function artifactPath(name: string): string {
  const dir = join(ROOT, 'test-artifacts', 'clients');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
