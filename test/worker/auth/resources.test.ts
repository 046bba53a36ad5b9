import { describe, expect, it } from 'vitest';
import { approveWithKey } from '../../support/consent-form.ts';
import { authorizationUrl, pkcePair, registerClient } from '../helpers/oauth.ts';
import { ORIGIN, simulator, workerFetch } from '../helpers/worker.ts';

/** A second host name for the same Worker (as a workers.dev URL beside a custom domain). */
const OTHER_ORIGIN = 'http://127.0.0.1:8787';

interface Issued {
  access_token: string;
  resource?: string;
  scope?: string;
  /** The `iss` the authorization response carried (RFC 9207). */
  iss: string | null;
}

/**
 * The whole OAuth flow with raw requests at `origin`, sending `resource` (RFC 8707) on the
 * authorization and token requests, or none at all.
 */
async function issueToken(origin: string, resource: string | undefined): Promise<Issued> {
  const client = await registerClient('Resource client', origin);
  const { verifier, challenge } = await pkcePair();
  const authorize = authorizationUrl(client, challenge, { origin, state: 's', resource: resource ?? null });
  const { apiKey } = await simulator.createAccount(1);
  const redirect = await approveWithKey(authorize, apiKey, workerFetch);
  const code = redirect.searchParams.get('code');
  expect(code).toBeTruthy();
  const token = await workerFetch(`${origin}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: client.redirectUri,
      client_id: client.clientId,
      code_verifier: verifier,
      ...(resource === undefined ? {} : { resource }),
    }).toString(),
  });
  expect(token.status).toBe(200);
  return { ...((await token.json()) as Omit<Issued, 'iss'>), iss: redirect.searchParams.get('iss') };
}

/** The status of an authenticated request to `/mcp` (initialize) or `/sse` (open the stream). */
async function statusAt(origin: string, endpoint: '/mcp' | '/sse', token: string): Promise<number> {
  const response =
    endpoint === '/mcp'
      ? await workerFetch(`${origin}/mcp`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }),
        })
      : await workerFetch(`${origin}/sse`, { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' } });
  await response.body?.cancel();
  return response.status;
}

describe('resource indicators as the MCP specification writes them', { timeout: 30_000 }, () => {
  it('publishes a metadata document for /mcp, for /sse, and the root one for older clients', async () => {
    for (const [path, resource] of [
      ['/.well-known/oauth-protected-resource/mcp', `${ORIGIN}/mcp`],
      ['/.well-known/oauth-protected-resource/sse', `${ORIGIN}/sse`],
      ['/.well-known/oauth-protected-resource', ORIGIN],
    ] as const) {
      const response = await workerFetch(path);
      expect(response.status, path).toBe(200);
      const metadata = (await response.json()) as Record<string, unknown>;
      expect(metadata.resource).toBe(resource);
      expect(metadata.authorization_servers).toEqual([ORIGIN]);
      expect(metadata.scopes_supported).toEqual(['generations:read', 'generations:delete']);
    }
    expect((await workerFetch('/.well-known/oauth-protected-resource/elsewhere')).status).toBe(404);
  });

  it('resource = the /mcp URL: a token for /mcp only', async () => {
    const issued = await issueToken(ORIGIN, `${ORIGIN}/mcp`);
    expect(issued.resource).toBe(`${ORIGIN}/mcp`);
    expect(await statusAt(ORIGIN, '/mcp', issued.access_token)).toBe(200);
    expect(await statusAt(ORIGIN, '/sse', issued.access_token)).toBe(401);
  });

  it('resource = the /sse URL: a token for /sse only', async () => {
    const issued = await issueToken(ORIGIN, `${ORIGIN}/sse`);
    expect(issued.resource).toBe(`${ORIGIN}/sse`);
    expect(await statusAt(ORIGIN, '/sse', issued.access_token)).toBe(200);
    expect(await statusAt(ORIGIN, '/mcp', issued.access_token)).toBe(401);
  });

  it('resource = the bare origin (older clients, tokens already issued): a token for both endpoints', async () => {
    const issued = await issueToken(ORIGIN, ORIGIN);
    expect(issued.resource).toBe(ORIGIN);
    expect(await statusAt(ORIGIN, '/mcp', issued.access_token)).toBe(200);
    expect(await statusAt(ORIGIN, '/sse', issued.access_token)).toBe(200);
  });

  it('no resource at all: a token for the whole server', async () => {
    const issued = await issueToken(ORIGIN, undefined);
    expect(issued.resource).toBe(ORIGIN);
    expect(await statusAt(ORIGIN, '/mcp', issued.access_token)).toBe(200);
    expect(await statusAt(ORIGIN, '/sse', issued.access_token)).toBe(200);
  });

  it('refuses a resource this server does not serve', async () => {
    const client = await registerClient('Wrong target', ORIGIN);
    const { challenge } = await pkcePair();
    const url = authorizationUrl(client, challenge, { origin: ORIGIN, state: null, resource: 'https://attacker.example/mcp' });
    const response = await workerFetch(url.toString(), { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get('Location')!).searchParams.get('error')).toBe('invalid_target');
  });
});

describe('one authorization server per origin', { timeout: 30_000 }, () => {
  it('two host names each issue their own tokens, which work only at their own origin', async () => {
    // The other origin first, then this one, in the same isolate: nothing learnt at one leaks into the other.
    const other = await issueToken(OTHER_ORIGIN, `${OTHER_ORIGIN}/mcp`);
    const here = await issueToken(ORIGIN, `${ORIGIN}/mcp`);
    expect(other.iss).toBe(OTHER_ORIGIN);
    expect(here.iss).toBe(ORIGIN);
    expect(await statusAt(OTHER_ORIGIN, '/mcp', other.access_token)).toBe(200);
    expect(await statusAt(ORIGIN, '/mcp', here.access_token)).toBe(200);
    expect(await statusAt(ORIGIN, '/mcp', other.access_token)).toBe(401);
    expect(await statusAt(OTHER_ORIGIN, '/mcp', here.access_token)).toBe(401);

    // And each names itself in its metadata.
    const asm = (await (await workerFetch(`${OTHER_ORIGIN}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(asm.issuer).toBe(OTHER_ORIGIN);
    expect(asm.token_endpoint).toBe(`${OTHER_ORIGIN}/token`);
    const prm = (await (await workerFetch(`${OTHER_ORIGIN}/.well-known/oauth-protected-resource/mcp`)).json()) as Record<string, unknown>;
    expect(prm.resource).toBe(`${OTHER_ORIGIN}/mcp`);
    expect(prm.authorization_servers).toEqual([OTHER_ORIGIN]);
  });

  it('a resource of another origin is refused at this one', async () => {
    const client = await registerClient('Cross origin', OTHER_ORIGIN);
    const { challenge } = await pkcePair();
    const url = authorizationUrl(client, challenge, { origin: OTHER_ORIGIN, state: null, resource: `${ORIGIN}/mcp` });
    const response = await workerFetch(url.toString(), { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get('Location')!).searchParams.get('error')).toBe('invalid_target');
  });
});
