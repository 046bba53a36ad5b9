import { statSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, launchChromium } from '../clients/helpers/browser.ts';
import { startWorker, type RunningWorker } from '../e2e/helpers/wrangler-dev.ts';

/**
 * `GET /` as a person sees it after opening the server's address: Debian's headless Chromium
 * (playwright-core) against the Worker under wrangler dev. Screenshots, light and dark, land in
 * test-artifacts/clients/landing-page-*.png.
 */
let worker: RunningWorker;
let browser: Browser;

beforeAll(async () => {
  // No Luma request is made from this page; the base URL only has to be set.
  [worker, browser] = await Promise.all([startWorker({ LUMA_API_BASE_URL: 'http://127.0.0.1:9/unused' }), launchChromium()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
});

describe('landing page in headless Chromium', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    it(`${colorScheme}: says what this is, shows the MCP URL to paste, styled under its CSP, and its README link works`, async () => {
      const context = await browser.newContext({ viewport: { width: 900, height: 800 }, colorScheme });
      try {
        const page = await context.newPage();
        const cspViolations: string[] = [];
        page.on('console', (message) => {
          if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
        });
        const response = await page.goto(`${worker.origin}/`);
        expect(response?.status()).toBe(200);
        expect(await page.title()).toBe('Luma Dream Machine MCP server');
        await expect(page.locator('h1').innerText()).resolves.toContain('Luma generations');
        expect(await page.locator('#mcp-url').innerText()).toBe(`${worker.origin}/mcp`);
        // The stylesheet applied (the card's rounded border), so the nonce matched the CSP.
        expect(await page.locator('main.card').evaluate((element) => getComputedStyle(element).borderTopLeftRadius)).toBe('16px');
        expect(cspViolations).toEqual([]);

        const path = artifactPath(`landing-page-${colorScheme}.png`);
        await page.screenshot({ path, fullPage: true });
        expect(statSync(path).size).toBeGreaterThan(1_000);

        await page.getByRole('link', { name: /README/ }).click();
        await page.waitForURL(`${worker.origin}/README.md`);
        expect(await page.locator('body').innerText()).toContain('# Luma Dream Machine MCP server');
      } finally {
        await context.close();
      }
    }, 60_000);
  }
});
