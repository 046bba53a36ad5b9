import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { RecentDeletesCache } from '../../../src/worker/log-cache/recent-deletes-cache.ts';
import { userIdForLumaKey } from '../../../src/worker/auth/user-id.ts';
import { userStoreFor } from '../../../src/worker/user-store/user-store.ts';
import { callDelete, mcpClient } from '../helpers/mcp-client.ts';
import { connectAs } from '../helpers/oauth.ts';
import { ORIGIN, simulator, workerFetch } from '../helpers/worker.ts';

const USER_ID_SECRET = 'test-user-id-secret-0123456789abcdef-0123';

/** A browser at the account page: keeps cookies, sends its own Origin on forms, from one address. */
let browsers = 0;

class Browser {
  private cookies = new Map<string, string>();
  /** Each browser its own address, so that one test's refused keys do not limit another's. */
  private readonly address = `203.0.113.${++browsers}`;

  async get(path: string): Promise<{ status: number; html: string; headers: Headers }> {
    const response = await this.send(path, { method: 'GET' });
    return { status: response.status, html: await response.text(), headers: response.headers };
  }

  async post(path: string, fields: Record<string, string>, options: { origin?: string | null; csrf?: boolean } = {}): Promise<Response> {
    const form = new URLSearchParams(fields);
    if (options.csrf !== false) form.set('csrf', this.cookies.get('__Host-luma-account-csrf') ?? '');
    const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
    if (options.origin !== null) headers.Origin = options.origin ?? ORIGIN;
    return this.send(path, { method: 'POST', headers, body: form.toString() });
  }

  async signIn(lumaKey: string): Promise<Response> {
    await this.get('/account');
    return this.post('/account/sign-in', { luma_api_key: lumaKey });
  }

  private async send(path: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('CF-Connecting-IP', this.address);
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (cookie) headers.set('Cookie', cookie);
    const response = await workerFetch(new Request(new URL(path, ORIGIN), { ...init, headers, redirect: 'manual' }));
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const [name, ...rest] = pair!.split('=');
      if (/max-age=0/i.test(header)) this.cookies.delete(name!);
      else this.cookies.set(name!, rest.join('='));
    }
    return response;
  }
}

async function mcpStatus(token: string): Promise<number> {
  const response = await workerFetch('/mcp', {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }),
  });
  await response.body?.cancel();
  return response.status;
}

describe('/account', { timeout: 30_000 }, () => {
  it('is a strict page: CSP with a nonce, no framing, __Host- cookies that scripts cannot read', async () => {
    const page = await new Browser().get('/account');
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/<input[^>]+name="luma_api_key"[^>]+type="password"/);
    const csp = page.headers.get('Content-Security-Policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(page.headers.get('Cache-Control')).toBe('no-store');
    const cookie = page.headers.getSetCookie().find((value) => value.startsWith('__Host-luma-account-csrf='));
    expect(cookie).toMatch(/; Secure; HttpOnly; SameSite=Strict/);
  });

  it('refuses forms without the CSRF token or from another site', async () => {
    const { apiKey } = await simulator.createAccount(1);
    const browser = new Browser();
    await browser.get('/account');
    expect((await browser.post('/account/sign-in', { luma_api_key: apiKey }, { csrf: false })).status).toBe(403);
    expect((await browser.post('/account/sign-in', { luma_api_key: apiKey }, { origin: 'https://evil.example' })).status).toBe(403);
    // A browser hiding the origin (`Origin: null`) must at least say the form is its own page's.
    expect((await browser.post('/account/sign-in', { luma_api_key: apiKey }, { origin: 'null' })).status).toBe(403);
    // Nothing reached Luma.
    expect(await simulator.requestsFor(apiKey)).toEqual([]);
  });

  it('proving the key takes the same limits: 5 refused keys per address, then 429 and no Luma call', async () => {
    const browser = new Browser();
    const statuses: number[] = [];
    const keys = Array.from({ length: 7 }, () => `luma-guess-${crypto.randomUUID()}`);
    for (const key of keys) statuses.push((await browser.signIn(key)).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429]);
    let calls = 0;
    for (const key of keys) calls += (await simulator.requestsFor(key)).length;
    expect(calls).toBe(5);
  });

  it('lists the connected apps, and disconnecting one stops its token at once while the other keeps working', async () => {
    const { apiKey } = await simulator.createAccount(1);
    const first = await connectAs(apiKey, 'First <app>');
    const second = await connectAs(apiKey, 'Second app');
    expect(await mcpStatus(first.accessToken)).toBe(200); // used: shows a last-use time

    const browser = new Browser();
    const signedIn = await browser.signIn(apiKey);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.getSetCookie().find((value) => value.startsWith('__Host-luma-account='))).toMatch(/HttpOnly; SameSite=Strict/);
    expect(signedIn.headers.getSetCookie().join(';')).not.toContain(apiKey);
    const listing = await browser.get('/account');
    expect(listing.html).toContain('First &#60;app&#62;');
    expect(listing.html).toContain('Second app');
    expect(listing.html).toContain('<code>127.0.0.1:33418</code>');
    expect(listing.html).not.toContain(apiKey);
    expect(listing.html).toMatch(/last used \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(listing.html).toContain('last used not yet');

    const grantId = new RegExp(`First &#60;app&#62;[\\s\\S]*?name="grant_id" value="([^"]+)"`).exec(listing.html)![1]!;
    const revoked = await browser.post('/account/revoke', { grant_id: grantId });
    expect(revoked.status).toBe(303);
    expect(await mcpStatus(first.accessToken)).toBe(401);
    expect(await mcpStatus(second.accessToken)).toBe(200);
    const after = await browser.get('/account');
    expect(after.html).not.toContain('First &#60;app&#62;');
    expect(after.html).toContain('Second app');
  });

  it('disconnects all apps at once, on both transports', async () => {
    const { apiKey } = await simulator.createAccount(1);
    const apps = [await connectAs(apiKey, 'One'), await connectAs(apiKey, 'Two')];
    const sse = async (token: string) => {
      const response = await workerFetch('/sse', { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' } });
      await response.body?.cancel();
      return response.status;
    };
    // connectAs asks for the bare origin: these tokens work on /mcp and /sse alike.
    expect(await sse(apps[1]!.accessToken)).toBe(200);
    const browser = new Browser();
    await browser.signIn(apiKey);
    expect((await browser.post('/account/revoke', { all: 'yes' })).status).toBe(303);
    for (const app of apps) expect(await mcpStatus(app.accessToken)).toBe(401);
    for (const app of apps) expect(await sse(app.accessToken)).toBe(401);
    expect((await browser.get('/account')).html).toContain('No apps are connected with this key.');
  });

  it('shows nothing of another user, and a forged sign-in cookie is not accepted', async () => {
    const alice = await simulator.createAccount(1);
    await connectAs(alice.apiKey, 'Alice app');
    const aliceId = await userIdForLumaKey(alice.apiKey, USER_ID_SECRET);
    const forged = await workerFetch('/account', { headers: { Cookie: `__Host-luma-account=${aliceId}.9999999999.${'A'.repeat(43)}` } });
    const html = await forged.text();
    expect(html).not.toContain('Alice app');
    expect(html).toContain('name="luma_api_key"');
  });

  it('erases everything: key, deletes log, preferences, KV copy and every app', async () => {
    const { apiKey, generations } = await simulator.createAccount(2);
    const { accessToken } = await connectAs(apiKey, 'Eraser');
    const client = await mcpClient(accessToken);
    expect((await callDelete(client, generations[0]!.id)).isError).toBeFalsy();
    await client.close();
    const userId = await userIdForLumaKey(apiKey, USER_ID_SECRET);
    const store = userStoreFor(env, userId);
    await store.call(userId, 'setPreferences', [{ confirm_deletes: false }]);
    expect(await store.getLumaKey(userId)).toBe(apiKey);
    expect(await store.call(userId, 'getPreferences', [])).toMatchObject({ confirm_deletes: false });
    expect(((await store.call(userId, 'listDeletes', [{ limit: 10 }])) as { entries: unknown[] }).entries).toHaveLength(1);
    expect(await env.DELETES_CACHE.get(RecentDeletesCache.key(userId))).not.toBeNull();

    const browser = new Browser();
    await browser.signIn(apiKey);
    // Not without ticking the confirmation.
    expect((await browser.post('/account/erase', {})).status).toBe(303);
    expect(await store.getLumaKey(userId)).toBe(apiKey);

    const erased = await browser.post('/account/erase', { confirm: 'erase' });
    expect(erased.status).toBe(200);
    expect(await erased.text()).toContain('Everything is erased');
    // The KV copy first: reading the log through the store below writes a fresh (empty) copy.
    expect(await env.DELETES_CACHE.get(RecentDeletesCache.key(userId))).toBeNull();
    expect(await store.getLumaKey(userId)).toBeNull();
    expect(((await store.call(userId, 'listDeletes', [{ limit: 10 }])) as { entries: unknown[] }).entries).toEqual([]);
    expect(await store.call(userId, 'getPreferences', [])).toMatchObject({ confirm_deletes: true });
    expect(await mcpStatus(accessToken)).toBe(401);
    // Signed out, too.
    expect((await browser.get('/account')).html).toContain('name="luma_api_key"');
  });
});
