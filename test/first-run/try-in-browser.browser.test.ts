import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { DEMO_KEY_BOB, demoAccounts } from '../../simulator/demo-accounts.ts';
import type { SimulatedGeneration } from '../../simulator/luma-simulator.ts';
import { startLumaSimulator, type RunningLumaSimulator } from '../../simulator/node-server.ts';
import { artifactPath, launchChromium } from '../clients/helpers/browser.ts';
import { startWorker, type RunningWorker } from '../e2e/helpers/wrangler-dev.ts';
import { start } from './helpers.ts';

/**
 * `npm run try` the way a person with their own key uses it: no key on the command line; it prints
 * the consent page's address, the person approves in their browser (headless Chromium here), the
 * browser lands on the command's loopback callback, and the command lists the generations.
 */
let simulator: RunningLumaSimulator;
let worker: RunningWorker;
let browser: Browser;

beforeAll(async () => {
  simulator = await startLumaSimulator({ port: 0, accounts: demoAccounts });
  [worker, browser] = await Promise.all([startWorker({ LUMA_API_BASE_URL: simulator.url }), launchChromium()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await simulator?.close();
});

describe('npm run try, signing in through the browser', () => {
  it('prints the consent page, and once approved there lists the generations', async () => {
    const tryIt = start('npm', ['run', 'try', '--', '--no-browser', '--url', `${worker.origin}/mcp`], {});
    try {
      await tryIt.waitFor(/Open this page.*\n\n\s+(http\S+)/, 60_000);
      const url = /Open this page.*\n\n\s+(http\S+)/.exec(tryIt.output())![1]!;
      expect(new URL(url).origin).toBe(worker.origin);

      const context = await browser.newContext({ viewport: { width: 800, height: 900 } });
      try {
        const page = await context.newPage();
        await page.goto(url);
        await page.getByLabel('Your Luma API key').fill(DEMO_KEY_BOB);
        await page.getByRole('button', { name: 'Approve' }).click();
        await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?code=/);
        expect(await page.locator('body').innerText()).toContain('Connected. You can close this tab');
        await page.screenshot({ path: artifactPath('try-callback.png') });
      } finally {
        await context.close();
      }

      await tryIt.waitFor(/→ list_generations[\s\S]*\n\n/, 60_000);
      await new Promise<void>((resolve) => (tryIt.child.exitCode !== null ? resolve() : tryIt.child.once('exit', () => resolve())));
      expect(tryIt.child.exitCode, tryIt.output()).toBe(0);
      for (const generation of demoAccounts[DEMO_KEY_BOB]!.generations as SimulatedGeneration[]) expect(tryIt.output()).toContain(generation.id);
      expect(tryIt.output()).not.toContain(DEMO_KEY_BOB);
    } finally {
      await tryIt.stop();
    }
  }, 120_000);
});
