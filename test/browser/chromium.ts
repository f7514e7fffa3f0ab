/**
 * Headless Debian Chromium driven by playwright-core (no downloaded browser: .ci/run installs
 * Debian's `chromium`). Without it a developer's run skips the browser tests with one visible
 * warning; on CI (CI set) the tests fail instead, so a missing browser is never silent.
 */
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that let Chromium run as root in a container, offline and without side traffic. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const MISSING_CHROMIUM = `${CHROMIUM_PATH} is missing: install Debian's chromium (apt-get install chromium; .ci/run does it).`;

/**
 * `describe` when Chromium is there or CI must have it (then launching fails with
 * MISSING_CHROMIUM); otherwise `describe.skip` after one console.warn.
 */
export function describeWithChromium(): jest.Describe {
  if (existsSync(CHROMIUM_PATH) || process.env.CI) return describe;
  console.warn(`Skipping the browser tests: ${MISSING_CHROMIUM}`);
  return describe.skip;
}

/** A fresh profile in `userDataDir` (playwright refuses --user-data-dir in args). */
export async function launchChromium(userDataDir: string): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(MISSING_CHROMIUM);
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
    viewport: { width: 1000, height: 800 },
  });
}
