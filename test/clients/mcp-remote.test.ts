import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../e2e/helpers/wrangler-dev.ts';
import { artifactPath, launchChromium } from './helpers/browser.ts';
import { binPath, nodeFirstEnv, redact } from './helpers/run-process.ts';
import { startStack, type Stack } from './helpers/stack.ts';

/**
 * mcp-remote, the stdio-to-remote bridge Claude Desktop uses for remote servers, exactly as a
 * Claude Desktop config starts it (`mcp-remote <url> [callback port]`), driven over its stdio side
 * by the official SDK client in the place of Claude Desktop. It does the whole OAuth flow itself:
 * discovery, registration, PKCE, opening the browser, its own loopback callback, the code exchange.
 * "Opening the browser" is caught by a `BROWSER` script that records the URL; the consent page is
 * then completed in headless Chromium.
 */
const MCP_REMOTE = binPath('mcp-remote/dist/proxy.js');

let stack: Stack;
let browser: Browser;
let workDir: string;
let configDir: string;
let urlFile: string;
let browserScript: string;
let user: { apiKey: string; ids: string[] };
const logs: string[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchChromium()]);
  user = await stack.account(3);
  workDir = mkdtempSync(join(tmpdir(), 'mcp-remote-test-'));
  configDir = join(workDir, 'mcp-auth');
  urlFile = join(workDir, 'opened-urls.txt');
  browserScript = join(workDir, 'record-browser.sh');
  // What mcp-remote runs to "open the browser": note the URL for the test, and report success.
  writeFileSync(browserScript, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${urlFile}'\n`);
  chmodSync(browserScript, 0o755);
});

afterAll(async () => {
  await browser?.close();
  const leaked = (await stack?.stop()) ?? [];
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  expect(leaked, 'secrets in the Worker log').toEqual([]);
  // mcp-remote's own log must not show the key either (tokens are its to keep, on disk).
  expect(logs.join('\n')).not.toContain(user?.apiKey ?? 'unset');
});

/** Starts mcp-remote as Claude Desktop would, with the test's BROWSER and a private config dir. */
function mcpRemoteTransport(callbackPort: number): StdioClientTransport {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(nodeFirstEnv())) {
    // No desktop: xdg-open then falls back to $BROWSER, which is the recording script.
    if (value !== undefined && !/^(DISPLAY|WAYLAND_DISPLAY|XDG_CURRENT_DESKTOP|DESKTOP_SESSION|GNOME_DESKTOP_SESSION_ID|KDE_FULL_SESSION)$/.test(name)) env[name] = value;
  }
  Object.assign(env, { BROWSER: browserScript, MCP_REMOTE_CONFIG_DIR: configDir });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MCP_REMOTE, `${stack.worker.origin}/mcp`, String(callbackPort), '--auth-timeout', '60'],
    env,
    stderr: 'pipe',
  });
  const index = logs.push('') - 1;
  (transport.stderr as Readable | null)?.on('data', (chunk: Buffer) => (logs[index] += chunk.toString()));
  return transport;
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}; mcp-remote said:\n${redact(logs.join('\n'), stack.secrets).slice(-3_000)}`);
}

const openedUrls = () => (existsSync(urlFile) ? readFileSync(urlFile, 'utf8').split('\n').filter(Boolean) : []);

/** The person's part: the consent page mcp-remote opened, completed in headless Chromium. */
async function approveInBrowser(authorizationUrl: URL, callbackPort: number): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 800, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(authorizationUrl.href);
    expect(await page.locator('h1').innerText()).toContain('MCP CLI');
    await page.getByLabel('Your Luma API key').fill(user.apiKey);
    await page.screenshot({ path: artifactPath('mcp-remote-1-consent.png'), fullPage: true });
    await page.getByRole('button', { name: 'Approve' }).click();
    // The consent page sends the browser to mcp-remote's own loopback callback.
    await page.waitForURL((url) => url.port === String(callbackPort) && url.pathname === '/oauth/callback');
    expect(await page.locator('body').innerText()).toContain('Authorization successful');
    await page.screenshot({ path: artifactPath('mcp-remote-2-callback.png'), fullPage: true });
  } finally {
    await context.close();
  }
}

describe('mcp-remote (Claude Desktop\'s bridge)', () => {
  it('does its full OAuth flow, with the consent page completed in headless Chromium, then deletes through its stdio side', async () => {
    const callbackPort = await freePort();
    const transport = mcpRemoteTransport(callbackPort);
    const client = new Client({ name: 'claude-desktop-stand-in', version: '1.0.0' });
    const connected = client.connect(transport);
    connected.catch(() => undefined); // awaited below; until then a failure must not go unhandled
    try {
      // mcp-remote registers itself, then "opens the browser" at the Worker's /authorize.
      const authorizationUrl = new URL(await waitFor('mcp-remote to open the browser', () => openedUrls()[0]));
      expect(authorizationUrl.origin + authorizationUrl.pathname).toBe(`${stack.worker.origin}/authorize`);
      expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorizationUrl.searchParams.get('redirect_uri')).toBe(`http://localhost:${callbackPort}/oauth/callback`);
      await approveInBrowser(authorizationUrl, callbackPort);

      await connected;
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('delete_generation');
      const result = (await client.callTool({ name: 'delete_generation', arguments: { generation_id: user.ids[0] } })) as CallToolResult;
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ generation_id: user.ids[0], outcome: 'deleted' });
      expect((await stack.simulator.account(user.apiKey)).deletedIds).toEqual([user.ids[0]]);
    } finally {
      // Ends mcp-remote (stdin closed, then signals) whether or not it ever connected.
      await client.close().catch(() => undefined);
      await transport.close().catch(() => undefined);
    }

    // It kept its tokens, as Claude Desktop relies on between launches; never the Luma key.
    const stored = readdirSync(configDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    const tokenFiles = stored.filter((entry) => entry.name.endsWith('_tokens.json'));
    expect(tokenFiles.length).toBe(1);
    const tokens = JSON.parse(readFileSync(join(tokenFiles[0]!.parentPath, tokenFiles[0]!.name), 'utf8')) as { access_token: string; refresh_token?: string };
    stack.secrets.push(tokens.access_token, ...(tokens.refresh_token ? [tokens.refresh_token] : []));
    expect(tokens.refresh_token).toBeTruthy();
    for (const entry of stored) expect(readFileSync(join(entry.parentPath, entry.name), 'utf8')).not.toContain(user.apiKey);
  });

  it('on its next launch reuses the stored tokens: no browser, straight to the tools', async () => {
    const before = openedUrls().length;
    const transport = mcpRemoteTransport(await freePort());
    const client = new Client({ name: 'claude-desktop-stand-in', version: '1.0.0' });
    try {
      await client.connect(transport);
      const result = (await client.callTool({ name: 'delete_generation', arguments: { generation_id: user.ids[1] } })) as CallToolResult;
      expect(result.structuredContent).toMatchObject({ generation_id: user.ids[1], outcome: 'deleted' });
    } finally {
      await client.close().catch(() => undefined);
      await transport.close().catch(() => undefined);
    }
    expect(openedUrls().length).toBe(before);
    expect((await stack.simulator.account(user.apiKey)).deletedIds.sort()).toEqual([user.ids[0], user.ids[1]].sort());
  });
});
