import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { guardMcpRequest } from '../../../src/worker/mcp/request-guards.ts';
import { isOriginAllowed, parseOriginPolicy } from '../../../src/core/http/origin-policy.ts';
import { approveWithKey } from '../../support/consent-form.ts';
import { mcpClient } from '../helpers/mcp-client.ts';
import { authorizationUrl, exchangeCode, pkcePair, registerClient, type RegisteredClient } from '../helpers/oauth.ts';
import { ORIGIN, simulator, workerFetch } from '../helpers/worker.ts';

/**
 * The transport-level rules of MCP 2025-11-25 (Streamable HTTP and authorization), checked on the
 * real Worker with real tokens: DNS-rebinding protection, MCP-Protocol-Version, sessions, the two
 * metadata documents, and token lifetime, refresh and revocation.
 */
// Each test runs the OAuth flow and a few MCP round trips; the first also pays for the Worker's cold
// start, which under a full parallel `npm test` on a small machine can exceed the default 5 s.
vi.setConfig({ testTimeout: 30_000 });

const ACCEPT = 'application/json, text/event-stream';
const LATEST = '2025-11-25';

interface Tokens {
  access: string;
  refresh: string;
  client: RegisteredClient;
}

/** Registration, PKCE, consent with a fresh simulator key, and the code exchange. */
async function tokens(): Promise<Tokens> {
  const { apiKey } = await simulator.createAccount(1);
  const client = await registerClient('Guards test client');
  const { verifier, challenge } = await pkcePair();
  const redirect = await approveWithKey(authorizationUrl(client, challenge), apiKey, workerFetch);
  const response = await exchangeCode(client, redirect.searchParams.get('code')!, verifier);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { access_token: string; refresh_token: string };
  return { access: body.access_token, refresh: body.refresh_token, client };
}

function rpc(method: string, id?: number, params: Record<string, unknown> = {}) {
  return JSON.stringify(id === undefined ? { jsonrpc: '2.0', method, params } : { jsonrpc: '2.0', id, method, params });
}

const initialize = (id = 1) =>
  rpc('initialize', id, { protocolVersion: LATEST, capabilities: {}, clientInfo: { name: 'guards-test', version: '1.0.0' } });

function mcp(token: string | undefined, init: { method?: string; body?: string; headers?: Record<string, string>; path?: string } = {}) {
  const headers: Record<string, string> = { Accept: ACCEPT, ...init.headers };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  return workerFetch(init.path ?? '/mcp', { method: init.method ?? 'POST', headers, body: init.body });
}

/** A Streamable HTTP session, initialized as a client does it: initialize, then `initialized`. */
async function openSession(token: string): Promise<string> {
  const response = await mcp(token, { body: initialize() });
  expect(response.status).toBe(200);
  const sessionId = response.headers.get('mcp-session-id');
  expect(sessionId).toBeTruthy();
  expect(await response.text()).toContain('"protocolVersion"');
  const initialized = await mcp(token, { body: rpc('notifications/initialized'), headers: { 'mcp-session-id': sessionId!, 'mcp-protocol-version': LATEST } });
  expect(initialized.status).toBe(202);
  return sessionId!;
}

async function jsonRpcErrorOf(response: Response): Promise<string> {
  const body = (await response.json()) as { jsonrpc: string; error: { message: string } };
  expect(body.jsonrpc).toBe('2.0');
  return body.error.message;
}

describe('Origin (DNS-rebinding protection)', () => {
  it('refuses a foreign Origin with 403 on every MCP route and method, before authentication', async () => {
    const routes: [string, string, string | undefined][] = [
      ['POST', '/mcp', initialize()],
      ['GET', '/mcp', undefined],
      ['DELETE', '/mcp', undefined],
      ['OPTIONS', '/mcp', undefined],
      ['GET', '/sse', undefined],
      ['POST', '/sse/message?sessionId=abc', initialize()],
    ];
    for (const [method, path, body] of routes) {
      const response = await mcp(undefined, { method, path, body, headers: { Origin: 'https://evil.example' } });
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(response.headers.get('Access-Control-Allow-Origin')).toBeNull();
      expect(await jsonRpcErrorOf(response)).toContain('Origin');
    }
  });

  it('refuses a foreign Origin even with a valid token, and the opaque origin "null"', async () => {
    const { access } = await tokens();
    for (const origin of ['https://evil.example', 'http://evil.example:8787', 'null', 'not an origin']) {
      const response = await mcp(access, { body: initialize(), headers: { Origin: origin } });
      expect(response.status, origin).toBe(403);
      expect(response.headers.get('mcp-session-id')).toBeNull();
      await response.body?.cancel();
    }
  });

  it('serves requests without Origin (non-browser clients) and from loopback origins on any port', async () => {
    const { access } = await tokens();
    for (const origin of [undefined, 'http://localhost:6274', 'http://127.0.0.1:3000', 'http://[::1]:5173', ORIGIN]) {
      const response = await mcp(access, { body: initialize(), headers: origin ? { Origin: origin } : {} });
      expect(response.status, String(origin)).toBe(200);
      expect(await response.text()).toContain('"serverInfo"');
    }
  });

  it('refuses a plain-HTTP request for a non-loopback host name, even same-origin and without Origin (DNS rebinding)', async () => {
    // What a page at http://evil.example:8787, whose DNS now points at 127.0.0.1, sends to wrangler dev.
    const sameOrigin = await workerFetch('http://evil.example:8787/mcp', {
      method: 'POST',
      headers: { Origin: 'http://evil.example:8787', 'Content-Type': 'application/json', Accept: ACCEPT },
      body: initialize(),
    });
    expect(sameOrigin.status).toBe(403);
    // Browsers send no Origin on a same-origin GET, such as opening the SSE stream.
    const sse = await workerFetch('http://evil.example:8787/sse', { headers: { Accept: 'text/event-stream' } });
    expect(sse.status).toBe(403);
    await sse.body?.cancel();
  });

  it('serves its own origin over HTTPS, where the browser has verified the host name', async () => {
    const own = await workerFetch('https://mcp.example.com/mcp', {
      method: 'POST',
      headers: { Origin: 'https://mcp.example.com', 'Content-Type': 'application/json', Accept: ACCEPT },
      body: initialize(),
    });
    expect(own.status).toBe(401); // through the guard, on to the OAuth provider
    await own.body?.cancel();
    const other = await workerFetch('https://mcp.example.com/mcp', {
      method: 'POST',
      headers: { Origin: 'https://other.example.com', 'Content-Type': 'application/json', Accept: ACCEPT },
      body: initialize(),
    });
    expect(other.status).toBe(403);
  });

  it('leaves the metadata and consent endpoints to the OAuth provider', async () => {
    const response = await workerFetch('/.well-known/oauth-protected-resource', { headers: { Origin: 'https://evil.example' } });
    expect(response.status).toBe(200);
    await response.body?.cancel();
  });

  describe('ALLOWED_ORIGINS', () => {
    const request = (url: string, origin: string) => new Request(url, { method: 'POST', headers: { Origin: origin } });

    it('defaults to self and loopback when unset or empty', async () => {
      for (const value of [undefined, '', ' , ']) {
        expect(await guardMcpRequest(request('https://mcp.example.com/mcp', 'https://mcp.example.com'), { ALLOWED_ORIGINS: value })).toBeUndefined();
        expect(await guardMcpRequest(request('https://mcp.example.com/mcp', 'http://localhost:6274'), { ALLOWED_ORIGINS: value })).toBeUndefined();
        expect((await guardMcpRequest(request('https://mcp.example.com/mcp', 'https://evil.example'), { ALLOWED_ORIGINS: value }))?.status).toBe(403);
      }
    });

    it('replaces the defaults when set: listed origins only, unless self or loopback are listed too', async () => {
      const only = { ALLOWED_ORIGINS: 'https://app.example.com' };
      expect(await guardMcpRequest(request('https://mcp.example.com/mcp', 'https://app.example.com'), only)).toBeUndefined();
      expect((await guardMcpRequest(request('https://mcp.example.com/mcp', 'http://localhost:6274'), only))?.status).toBe(403);
      expect((await guardMcpRequest(request('https://mcp.example.com/mcp', 'https://mcp.example.com'), only))?.status).toBe(403);

      const withSelf = { ALLOWED_ORIGINS: ' self , https://app.example.com ' };
      expect(await guardMcpRequest(request('https://mcp.example.com/sse', 'https://mcp.example.com'), withSelf)).toBeUndefined();
      expect((await guardMcpRequest(request('https://mcp.example.com/sse', 'http://127.0.0.1:3000'), withSelf))?.status).toBe(403);
    });

    it('ignores entries that are not origins, so a typo allows nothing', () => {
      const policy = parseOriginPolicy('https://app.example.com/path, app.example.com, ftp://files.example.com, *');
      expect(policy.origins.size).toBe(0);
      expect(policy.self || policy.loopback).toBe(false);
      expect(isOriginAllowed('https://app.example.com', new URL('https://mcp.example.com/mcp'), policy)).toBe(false);
      expect(parseOriginPolicy('https://App.Example.com:443/').origins).toEqual(new Set(['https://app.example.com']));
    });

    it('is read from the Worker\'s variables', () => {
      expect(env.ALLOWED_ORIGINS).toBe('self,loopback');
    });
  });
});

describe('MCP-Protocol-Version', () => {
  it('answers 400 to an unsupported version on /mcp requests after initialize (POST, GET, DELETE)', async () => {
    const { access } = await tokens();
    const sessionId = await openSession(access);
    const bad = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '1999-01-01' };
    const post = await mcp(access, { body: rpc('tools/list', 2), headers: bad });
    expect(post.status).toBe(400);
    expect(await jsonRpcErrorOf(post)).toContain('Unsupported protocol version');
    const get = await mcp(access, { method: 'GET', headers: { ...bad, Accept: 'text/event-stream' } });
    expect(get.status).toBe(400);
    await get.body?.cancel();
    const del = await mcp(access, { method: 'DELETE', headers: bad });
    expect(del.status).toBe(400);
    await del.body?.cancel();
    // The session survived the refused DELETE.
    const ok = await mcp(access, { body: rpc('tools/list', 3), headers: { 'mcp-session-id': sessionId, 'mcp-protocol-version': LATEST } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('delete_generation');
  });

  it('accepts every supported version, and treats a missing header as the spec says (the request is served)', async () => {
    const { access } = await tokens();
    const sessionId = await openSession(access);
    for (const version of ['2025-11-25', '2025-06-18', '2025-03-26', undefined]) {
      const headers: Record<string, string> = { 'mcp-session-id': sessionId };
      if (version) headers['mcp-protocol-version'] = version;
      const response = await mcp(access, { body: rpc('ping', 10), headers });
      expect(response.status, String(version)).toBe(200);
      expect(await response.text()).toContain('"result":{}');
    }
  });

  it('negotiates on initialize, which carries its version in the body, whatever the header says', async () => {
    const { access } = await tokens();
    const response = await mcp(access, { body: initialize(), headers: { 'mcp-protocol-version': '1999-01-01' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(`"protocolVersion":"${LATEST}"`);
  });

  it('applies the same rule on the legacy SSE transport', async () => {
    const { access } = await tokens();
    const refusedOpen = await mcp(access, { method: 'GET', path: '/sse', headers: { Accept: 'text/event-stream', 'mcp-protocol-version': '1999-01-01' } });
    expect(refusedOpen.status).toBe(400);

    const stream = await mcp(access, { method: 'GET', path: '/sse', headers: { Accept: 'text/event-stream' } });
    expect(stream.status).toBe(200);
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = '';
    for (let i = 0; i < 20 && !received.includes('sessionId='); i++) received += (await reader.read()).value ?? '';
    const endpoint = /data: (\/sse\/message\?sessionId=[^\s]+)/.exec(received)?.[1];
    expect(endpoint).toBeTruthy();
    try {
      const init = await mcp(access, { path: endpoint!, body: initialize(), headers: { 'mcp-protocol-version': '1999-01-01' } });
      expect(init.status).toBe(202); // initialize is exempt
      await init.body?.cancel();
      const refused = await mcp(access, { path: endpoint!, body: rpc('tools/list', 2), headers: { 'mcp-protocol-version': '1999-01-01' } });
      expect(refused.status).toBe(400);
      expect(await jsonRpcErrorOf(refused)).toContain('unsupported MCP-Protocol-Version');
      const accepted = await mcp(access, { path: endpoint!, body: rpc('tools/list', 3), headers: { 'mcp-protocol-version': LATEST } });
      expect(accepted.status).toBe(202);
      await accepted.body?.cancel();
    } finally {
      await reader.cancel();
    }
  });
});

describe('sessions (Streamable HTTP)', () => {
  it('answers 400 when a request after initialize has no Mcp-Session-Id, on POST, GET and DELETE', async () => {
    const { access } = await tokens();
    const post = await mcp(access, { body: rpc('tools/list', 2), headers: { 'mcp-protocol-version': LATEST } });
    expect(post.status).toBe(400);
    expect(await jsonRpcErrorOf(post)).toContain('Mcp-Session-Id');
    const get = await mcp(access, { method: 'GET', headers: { Accept: 'text/event-stream' } });
    expect(get.status).toBe(400);
    await get.body?.cancel();
    const del = await mcp(access, { method: 'DELETE' });
    expect(del.status).toBe(400);
    await del.body?.cancel();
  });

  it('answers 404 for a session it never issued', async () => {
    const { access } = await tokens();
    const response = await mcp(access, { body: rpc('tools/list', 2), headers: { 'mcp-session-id': crypto.randomUUID(), 'mcp-protocol-version': LATEST } });
    expect(response.status).toBe(404);
    await response.body?.cancel();
  });

  it('ends a session on DELETE: afterwards every request in it gets 404', async () => {
    const { access } = await tokens();
    const sessionId = await openSession(access);
    const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': LATEST };
    const before = await mcp(access, { body: rpc('tools/list', 2), headers });
    expect(before.status).toBe(200);
    await before.body?.cancel();

    const ended = await mcp(access, { method: 'DELETE', headers });
    expect(ended.status).toBe(204);
    const post = await mcp(access, { body: rpc('tools/list', 3), headers });
    expect(post.status).toBe(404);
    await post.body?.cancel();
    const get = await mcp(access, { method: 'GET', headers: { ...headers, Accept: 'text/event-stream' } });
    expect(get.status).toBe(404);
    await get.body?.cancel();
    const again = await mcp(access, { method: 'DELETE', headers });
    expect(again.status).toBe(404);
    await again.body?.cancel();
  });
});

describe('authorization metadata', () => {
  it('protected-resource and authorization-server metadata agree with each other and with what the Worker serves', async () => {
    const prm = (await (await workerFetch('/.well-known/oauth-protected-resource')).json()) as { resource: string; authorization_servers: string[] };
    expect(prm.resource).toBe(ORIGIN);
    expect(prm.authorization_servers).toEqual([ORIGIN]);
    // The MCP endpoints are under the resource, so a token for it is a token for them (RFC 8707).
    for (const path of ['/mcp', '/sse']) expect(new URL(path, prm.resource).href.startsWith(prm.resource)).toBe(true);

    const issuer = prm.authorization_servers[0]!;
    const asm = (await (await workerFetch(new URL('/.well-known/oauth-authorization-server', issuer).href)).json()) as Record<string, unknown>;
    expect(asm.issuer).toBe(issuer);
    // The root document names the bare origin (older clients); /mcp and /sse are resources of their own too.
    expect(asm.protected_resources).toEqual([`${ORIGIN}/mcp`, `${ORIGIN}/sse`, prm.resource]);
    for (const field of ['authorization_endpoint', 'token_endpoint', 'registration_endpoint', 'revocation_endpoint']) {
      expect(new URL(String(asm[field])).origin, field).toBe(issuer);
    }
    expect(asm.response_types_supported).toContain('code');
    expect(asm.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token']));
    expect(asm.code_challenge_methods_supported).toEqual(['S256']);
    expect(asm.token_endpoint_auth_methods_supported).toContain('none');

    // Every advertised endpoint is really served here (answers a bad request, not 404).
    const authorize = await workerFetch(String(asm.authorization_endpoint));
    expect(authorize.status).toBe(400);
    await authorize.body?.cancel();
    const token = await workerFetch(String(asm.token_endpoint), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'grant_type=authorization_code' });
    expect([400, 401]).toContain(token.status);
    await token.body?.cancel();
    const register = await workerFetch(String(asm.registration_endpoint), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(register.status).toBe(400);
    await register.body?.cancel();
  });

  it('challenges a missing or invalid token with 401 and resource_metadata pointing at that endpoint\'s own document', async () => {
    const cases: [string, string | undefined][] = [
      ['/mcp', undefined],
      ['/sse', undefined],
      ['/mcp', 'not-a-token'],
      ['/mcp', 'user:grant:forged-secret-that-was-never-issued'],
      ['/sse', 'user:grant:forged-secret-that-was-never-issued'],
    ];
    for (const [path, token] of cases) {
      const response = await mcp(token, { method: path === '/mcp' ? 'POST' : 'GET', path, body: path === '/mcp' ? initialize() : undefined });
      expect(response.status, `${path} ${token}`).toBe(401);
      await response.body?.cancel();
      const challenge = response.headers.get('WWW-Authenticate') ?? '';
      expect(challenge).toMatch(/^Bearer /);
      if (token) expect(challenge).toContain('error="invalid_token"');
      const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
      expect(metadataUrl).toBe(`${ORIGIN}/.well-known/oauth-protected-resource${path}`);
      const document = (await (await workerFetch(metadataUrl!)).json()) as { resource: string; authorization_servers: string[] };
      expect(document.resource).toBe(`${ORIGIN}${path}`);
      expect(document.authorization_servers).toEqual([ORIGIN]);
    }
  });
});

describe('tokens', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const refresh = (t: Tokens) =>
    workerFetch('/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: t.refresh, client_id: t.client.clientId }).toString(),
    });

  const revoke = (t: Tokens, token: string, hint: 'access_token' | 'refresh_token') =>
    workerFetch('/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, token_type_hint: hint, client_id: t.client.clientId }).toString(),
    });

  async function status(token: string): Promise<number> {
    const response = await mcp(token, { body: initialize() });
    await response.body?.cancel();
    return response.status;
  }

  it('honours expiry: an access token stops working after its lifetime, and a refresh gives a working one', async () => {
    const t = await tokens();
    expect(await status(t.access)).toBe(200);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 3_601_000); // accessTokenTTL is one hour
    expect(await status(t.access)).toBe(401);

    const refreshed = await refresh(t);
    expect(refreshed.status).toBe(200);
    const body = (await refreshed.json()) as { access_token: string; refresh_token: string; expires_in: number };
    expect(body.expires_in).toBe(3600);
    expect(body.access_token).not.toBe(t.access);
    expect(await status(body.access_token)).toBe(200);
  });

  it('a revoked grant stops working at once, in an already open session too', async () => {
    const t = await tokens();
    const client = await mcpClient(t.access);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);

    const revoked = await revoke(t, t.refresh, 'refresh_token');
    expect(revoked.status).toBe(200);
    await expect(client.listTools()).rejects.toThrow();
    expect(await status(t.access)).toBe(401);
    const again = await refresh(t);
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe('invalid_grant');
    await client.close().catch(() => undefined);
  });

  it('revoking only the access token ends it at once and leaves the grant refreshable', async () => {
    const t = await tokens();
    expect(await status(t.access)).toBe(200);
    expect((await revoke(t, t.access, 'access_token')).status).toBe(200);
    expect(await status(t.access)).toBe(401);
    const refreshed = await refresh(t);
    expect(refreshed.status).toBe(200);
    expect(await status(((await refreshed.json()) as { access_token: string }).access_token)).toBe(200);
  });
});
