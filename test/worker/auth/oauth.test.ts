import { getOAuthApi } from '@cloudflare/workers-oauth-provider';
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../../src/worker/env.ts';
import worker from '../../../src/worker/index.ts';
import { openConsentPage, submitConsent } from '../../support/consent-form.ts';
import { mcpClient } from '../helpers/mcp-client.ts';
import { authorizationUrl, connectAs, exchangeCode, pkcePair, registerClient } from '../helpers/oauth.ts';
import { ORIGIN, simulator, workerFetch } from '../helpers/worker.ts';

describe('OAuth discovery', () => {
  it('answers an unauthenticated /mcp and /sse with 401 pointing at the metadata document for that endpoint, with the scopes', async () => {
    for (const path of ['/mcp', '/sse']) {
      const response = await workerFetch(path, { method: path === '/mcp' ? 'POST' : 'GET' });
      expect(response.status).toBe(401);
      const challenge = response.headers.get('WWW-Authenticate');
      expect(challenge).toContain(`resource_metadata="${ORIGIN}/.well-known/oauth-protected-resource${path}"`);
      expect(challenge).toContain('scope="generations:read generations:delete"');
    }
  });

  it('publishes protected-resource metadata for the bare origin, naming this server as its authorization server', async () => {
    const metadata = (await (await workerFetch('/.well-known/oauth-protected-resource')).json()) as Record<string, unknown>;
    expect(metadata.resource).toBe(ORIGIN);
    expect(metadata.authorization_servers).toEqual([ORIGIN]);
  });

  it('publishes authorization-server metadata with registration and PKCE S256 only', async () => {
    const metadata = (await (await workerFetch('/.well-known/oauth-authorization-server')).json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe(ORIGIN);
    expect(metadata.authorization_endpoint).toBe(`${ORIGIN}/authorize`);
    expect(metadata.token_endpoint).toBe(`${ORIGIN}/token`);
    expect(metadata.registration_endpoint).toBe(`${ORIGIN}/register`);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
  });
});

describe('consent page', () => {
  it('names the client and where access goes, asks for the key in a password field, and forbids framing', async () => {
    const client = await registerClient('Claude <script>alert(1)</script>');
    const { challenge } = await pkcePair();
    const response = await workerFetch(authorizationUrl(client, challenge).toString());
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain('Claude &#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('127.0.0.1');
    expect(html).toMatch(/<input[^>]+name="luma_api_key"[^>]+type="password"/);
    const csp = response.headers.get('Content-Security-Policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.getSetCookie().some((cookie) => cookie.startsWith('__Host-'))).toBe(true);
  });

  it('re-renders with a clear message and grants nothing when Luma rejects the key', async () => {
    const client = await registerClient();
    const { challenge } = await pkcePair();
    const page = await openConsentPage(authorizationUrl(client, challenge), workerFetch);
    const result = await submitConsent(`${ORIGIN}/authorize`, page, { decision: 'approve', lumaApiKey: 'luma-not-a-real-key' }, workerFetch);
    expect(result.status).toBe(400);
    expect(result.location).toBeNull();
    expect(result.page?.html).toContain('Luma did not accept this API key');
    expect(result.page?.html).not.toContain('luma-not-a-real-key');
    // The fresh page works: a right key now succeeds.
    const { apiKey } = await simulator.createAccount(1);
    const retry = await submitConsent(`${ORIGIN}/authorize`, result.page!, { decision: 'approve', lumaApiKey: apiKey }, workerFetch);
    expect(retry.status).toBe(302);
    expect(new URL(retry.location!).searchParams.get('code')).toBeTruthy();
  });

  it('asks again for an empty key', async () => {
    const client = await registerClient();
    const { challenge } = await pkcePair();
    const page = await openConsentPage(authorizationUrl(client, challenge), workerFetch);
    const result = await submitConsent(`${ORIGIN}/authorize`, page, { decision: 'approve', lumaApiKey: '' }, workerFetch);
    expect(result.status).toBe(400);
    expect(result.page?.html).toContain('Paste your Luma API key');
  });

  it('returns access_denied with the state to the client on Deny', async () => {
    const client = await registerClient();
    const { challenge } = await pkcePair();
    const page = await openConsentPage(authorizationUrl(client, challenge, { state: 'my-state' }), workerFetch);
    const result = await submitConsent(`${ORIGIN}/authorize`, page, { decision: 'deny' }, workerFetch);
    expect(result.status).toBe(302);
    const redirect = new URL(result.location!);
    expect(redirect.origin + redirect.pathname).toBe(client.redirectUri);
    expect(redirect.searchParams.get('error')).toBe('access_denied');
    expect(redirect.searchParams.get('state')).toBe('my-state');
  });

  it('refuses a form posted without the browser-binding cookie (CSRF)', async () => {
    const client = await registerClient();
    const { challenge } = await pkcePair();
    const page = await openConsentPage(authorizationUrl(client, challenge), workerFetch);
    const { apiKey } = await simulator.createAccount(1);
    const forged = await submitConsent(`${ORIGIN}/authorize`, { ...page, cookie: '' }, { decision: 'approve', lumaApiKey: apiKey }, workerFetch);
    expect(forged.status).toBe(400);
    expect(forged.location).toBeNull();
    // The key was never even sent to Luma.
    expect(await simulator.requestsFor(apiKey)).toEqual([]);
  });
});

describe('tokens', () => {
  it('issues a token through registration, PKCE and consent that opens an MCP session', async () => {
    const { apiKey } = await simulator.createAccount(1);
    const { accessToken } = await connectAs(apiKey);
    const client = await mcpClient(accessToken);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('delete_generation');
    await client.close();
  });

  it('refuses a code exchange with the wrong PKCE verifier', async () => {
    const { apiKey } = await simulator.createAccount(1);
    const client = await registerClient();
    const { challenge } = await pkcePair();
    const page = await openConsentPage(authorizationUrl(client, challenge), workerFetch);
    const result = await submitConsent(`${ORIGIN}/authorize`, page, { decision: 'approve', lumaApiKey: apiKey }, workerFetch);
    const code = new URL(result.location!).searchParams.get('code')!;
    const response = await exchangeCode(client, code, 'a-verifier-that-does-not-match-the-challenge-at-all');
    expect(response.status).toBe(400);
  });

  it('never puts the Luma key in the redirect, the token response or the OAuth storage', async () => {
    const { apiKey } = await simulator.createAccount(1);
    const client = await registerClient();
    const { verifier, challenge } = await pkcePair();
    const page = await openConsentPage(authorizationUrl(client, challenge), workerFetch);
    const result = await submitConsent(`${ORIGIN}/authorize`, page, { decision: 'approve', lumaApiKey: apiKey }, workerFetch);
    expect(result.location).not.toContain(apiKey);
    const response = await exchangeCode(client, new URL(result.location!).searchParams.get('code')!, verifier);
    const body = await response.text();
    expect(body).not.toContain(apiKey);
    // The library stores props encrypted, so searching its raw records for the key proves nothing:
    // decrypt the props the token actually carries, and check what they hold.
    const { access_token: accessToken } = JSON.parse(body) as { access_token: string };
    const oauth = getOAuthApi({ apiHandlers: {}, defaultHandler: { fetch: () => new Response(null) }, authorizeEndpoint: '/authorize', tokenEndpoint: '/token', resourceMetadata: { resource: ORIGIN, authorization_servers: [ORIGIN] } } as never, env);
    const token = await oauth.unwrapToken<Record<string, unknown>>(accessToken);
    expect(token).not.toBeNull();
    const props = token!.grant.props;
    expect(Object.keys(props).sort()).toEqual(['clientId', 'clientName', 'userId']);
    expect(props.userId).toMatch(/^u_/);
    expect(JSON.stringify(props)).not.toContain(apiKey);
    // …and the same props as the MCP session stored them when it began.
    const session = await mcpClient(accessToken);
    await session.listTools();
    const sessionId = (session.transport as { sessionId?: string }).sessionId!;
    const stored = await runInDurableObject(env.MCP_OBJECT.get(env.MCP_OBJECT.idFromName(`streamable-http:${sessionId}`)), (_instance, state) =>
      state.storage.get<Record<string, unknown>>('props'),
    );
    await session.close();
    expect(stored).toEqual(props);
    // Nothing else the OAuth library stored mentions the key either.
    const { keys } = await env.OAUTH_KV.list();
    for (const { name } of keys) {
      expect(name).not.toContain(apiKey);
      expect((await env.OAUTH_KV.get(name)) ?? '').not.toContain(apiKey);
    }
  });
});

describe('configuration', () => {
  it('refuses to serve, naming the missing secret, when a secret is not set', async () => {
    const response = await worker.fetch(new Request(`${ORIGIN}/mcp`, { method: 'POST' }), { ...env, USER_ID_SECRET: undefined } as Env, {} as ExecutionContext);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('USER_ID_SECRET is not set');
  });

  it('refuses a secret too short to be safe', async () => {
    const response = await worker.fetch(new Request(`${ORIGIN}/`), { ...env, KEY_ENCRYPTION_SECRET: 'short' } as Env, {} as ExecutionContext);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('KEY_ENCRYPTION_SECRET is shorter than 32 characters');
  });
});
