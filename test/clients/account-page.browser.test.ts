import { statSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWithOAuth } from '../e2e/helpers/mcp-oauth-client.ts';
import { artifactPath, launchChromium } from './helpers/browser.ts';
import { startStack, type Stack } from './helpers/stack.ts';

/**
 * The account page in headless Chromium against the Worker under wrangler dev: sign in with the
 * key, see the app connected through the official SDK's OAuth flow, disconnect it (its token stops
 * working), erase everything. Screenshots land in test-artifacts/clients/.
 */
let stack: Stack;
let browser: Browser;
let context: BrowserContext | undefined;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchChromium()]);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  const leaked = (await stack?.stop()) ?? [];
  expect(leaked, 'secrets in the Worker log').toEqual([]);
});

async function screenshot(page: Page, name: string): Promise<void> {
  const path = artifactPath(name);
  await page.screenshot({ path, fullPage: true });
  expect(statSync(path).size).toBeGreaterThan(1_000);
}

describe('account page in headless Chromium', () => {
  it('signs in with the key, lists the connected app, disconnects it, and erases everything', async () => {
    const { apiKey } = await stack.account(1);
    const { client, provider } = await connectWithOAuth(stack.worker.origin, 'streamable-http', apiKey);
    await client.listTools();
    await client.close();
    const token = provider.tokens()!.access_token;
    stack.secrets.push(token);

    context = await browser.newContext({ viewport: { width: 800, height: 1000 }, colorScheme: 'light' });
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    expect((await page.goto(`${stack.worker.origin}/account`))?.status()).toBe(200);
    await page.getByLabel('Your Luma API key').fill(apiKey);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForLoadState();

    await expect.poll(() => page.locator('.app').count()).toBe(1);
    expect(await page.locator('.app').innerText()).toContain('E2E test client');
    expect(await page.content()).not.toContain(apiKey);
    await screenshot(page, 'account-1-apps.png');

    await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
    await page.waitForLoadState();
    await expect.poll(() => page.getByRole('status').innerText()).toContain('Disconnected 1 app');
    const revoked = await fetch(new URL('/mcp', stack.worker.origin), {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(revoked.status).toBe(401);
    await screenshot(page, 'account-2-disconnected.png');

    await page.getByLabel('Yes, erase everything this server holds about me').check();
    await page.getByRole('button', { name: 'Erase' }).click();
    await page.waitForLoadState();
    await expect.poll(() => page.locator('h1').innerText()).toBe('Everything is erased');
    expect(cspViolations).toEqual([]);
    await screenshot(page, 'account-3-erased.png');
  });
});
