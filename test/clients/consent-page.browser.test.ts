import { statSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, launchChromium } from './helpers/browser.ts';
import { beginSignIn, startCallbackServer, type CallbackServer } from './helpers/browser-oauth.ts';
import { startStack, type Stack } from './helpers/stack.ts';

/**
 * The consent page in a real browser: Debian's headless Chromium driven by playwright-core,
 * against the Worker under wrangler dev, with the OAuth flow started by the official SDK the way
 * an app starts it. A screenshot of each state is kept in test-artifacts/clients/.
 */
let stack: Stack;
let browser: Browser;
let callback: CallbackServer;
let context: BrowserContext | undefined;
let cspViolations: string[] = [];

beforeAll(async () => {
  [stack, browser, callback] = await Promise.all([startStack(), launchChromium(), startCallbackServer()]);
});

afterEach(async () => {
  await context?.close();
  context = undefined;
});

afterAll(async () => {
  await browser?.close();
  await callback?.close();
  const leaked = (await stack?.stop()) ?? [];
  expect(leaked, 'secrets in the Worker log').toEqual([]);
});

async function openConsent(): Promise<{ page: Page; provider: Awaited<ReturnType<typeof beginSignIn>>['provider']; status: number }> {
  const { provider, authorizationUrl } = await beginSignIn(stack.worker.origin, callback.url);
  context = await browser.newContext({ viewport: { width: 800, height: 900 }, colorScheme: 'light' });
  const page = await context.newPage();
  cspViolations = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  const response = await page.goto(authorizationUrl.href);
  return { page, provider, status: response?.status() ?? 0 };
}

async function screenshot(page: Page, name: string): Promise<void> {
  const path = artifactPath(name);
  await page.screenshot({ path, fullPage: true });
  expect(statSync(path).size).toBeGreaterThan(1_000);
}

describe('consent page in headless Chromium', () => {
  it('renders: who is asking, where access goes, and the page\'s own styles under its strict CSP', async () => {
    const { page, status } = await openConsent();
    expect(status).toBe(200);
    expect(await page.title()).toBe('Connect Browser test client to Luma Dream Machine');
    await expect.poll(() => page.locator('h1').innerText()).toContain('Allow Browser test client to manage your Luma generations?');
    expect(await page.locator('dd code').innerText()).toBe('127.0.0.1');
    expect(await page.getByRole('button', { name: 'Approve' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Deny' }).isVisible()).toBe(true);
    // The nonce'd stylesheet applied, and the browser reported no CSP violation.
    expect(await page.locator('main.card').evaluate((el) => getComputedStyle(el).borderTopLeftRadius)).toBe('16px');
    expect(cspViolations).toEqual([]);
    await screenshot(page, 'consent-1-rendered.png');
  });

  it('asks for the key in a password field that does not show what is typed', async () => {
    const { page } = await openConsent();
    const field = page.getByLabel('Your Luma API key');
    expect(await field.getAttribute('type')).toBe('password');
    expect(await field.evaluate((el) => (el as HTMLInputElement).type)).toBe('password');
    expect(await field.getAttribute('autocomplete')).toBe('off');
    const typed = 'luma-typed-but-not-submitted-0123456789';
    await field.fill(typed);
    expect(await page.locator('body').innerText()).not.toContain(typed);
    await screenshot(page, 'consent-2-key-entered.png');
  });

  it('shows an error for a key Luma refuses, grants nothing, and does not echo the key', async () => {
    const { page } = await openConsent();
    const wrongKey = `luma-wrong-${crypto.randomUUID()}`;
    await page.getByLabel('Your Luma API key').fill(wrongKey);
    const answered = page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/authorize');
    await page.getByRole('button', { name: 'Approve' }).click();
    expect((await answered).status()).toBe(400);
    await page.waitForLoadState();
    expect(await page.getByRole('alert').innerText()).toContain('Luma did not accept this API key');
    expect(await page.content()).not.toContain(wrongKey);
    expect(await page.getByLabel('Your Luma API key').inputValue()).toBe('');
    expect(page.url().startsWith(callback.url)).toBe(false);
    expect(callback.received.filter((url) => url.searchParams.has('code'))).toEqual([]);
    expect(cspViolations).toEqual([]);
    await screenshot(page, 'consent-3-wrong-key.png');
  });

  it('Approve redirects to the app with a code (and its state) that the app exchanges for a working token', async () => {
    const { apiKey } = await stack.account(1);
    const { page, provider } = await openConsent();
    await page.getByLabel('Your Luma API key').fill(apiKey);
    const arrived = callback.next();
    await page.getByRole('button', { name: 'Approve' }).click();
    const redirect = await arrived;
    await page.waitForURL((url) => url.href.startsWith(callback.url));
    expect(redirect.searchParams.get('state')).toBe(provider.stateValue);
    const code = redirect.searchParams.get('code');
    expect(code).toBeTruthy();
    expect(redirect.href).not.toContain(apiKey);
    await screenshot(page, 'consent-4-approved.png');

    // The code is real: the SDK exchanges it (with its PKCE verifier) and the token opens a session.
    const serverUrl = new URL('/mcp', stack.worker.origin);
    expect(await auth(provider, { serverUrl, authorizationCode: code! })).toBe('AUTHORIZED');
    stack.secrets.push(provider.tokens()!.access_token);
    const client = new Client({ name: 'browser-approved', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(serverUrl, { authProvider: provider }));
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('delete_generation');
    await client.close();
  });

  it('Deny redirects to the app with access_denied and its state, and no code', async () => {
    const { page, provider } = await openConsent();
    const arrived = callback.next();
    await page.getByRole('button', { name: 'Deny' }).click();
    const redirect = await arrived;
    await page.waitForURL((url) => url.href.startsWith(callback.url));
    expect(redirect.searchParams.get('error')).toBe('access_denied');
    expect(redirect.searchParams.get('state')).toBe(provider.stateValue);
    expect(redirect.searchParams.has('code')).toBe(false);
    await screenshot(page, 'consent-5-denied.png');
  });
});
