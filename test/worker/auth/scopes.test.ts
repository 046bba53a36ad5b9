import { describe, expect, it } from 'vitest';
import { DELETE_SCOPE_TOOLS, deleteToolsCalled, mayDelete } from '../../../src/worker/auth/scope-guard.ts';
import { openConsentPage, submitConsent } from '../../support/consent-form.ts';
import { callDelete, mcpClient } from '../helpers/mcp-client.ts';
import { modernClient } from '../helpers/modern-client.ts';
import { authorizationUrl, pkcePair, registerClient, type RegisteredClient } from '../helpers/oauth.ts';
import { ORIGIN, simulator, workerFetch } from '../helpers/worker.ts';

const ACCEPT = 'application/json, text/event-stream';

/** Consent with `apiKey`, ticking or unticking "also delete"; returns the token response. */
async function connect(client: RegisteredClient, apiKey: string, options: { scope?: string; allowDelete?: boolean; resource?: string } = {}) {
  const resource = options.resource ?? `${ORIGIN}/mcp`;
  const { verifier, challenge } = await pkcePair();
  const page = await openConsentPage(authorizationUrl(client, challenge, { state: 'st', scope: options.scope, resource }), workerFetch);
  expect(page.status).toBe(200);
  const result = await submitConsent(`${ORIGIN}/authorize`, page, { decision: 'approve', lumaApiKey: apiKey, allowDelete: options.allowDelete }, workerFetch);
  expect(result.status).toBe(302);
  const code = new URL(result.location!).searchParams.get('code')!;
  const exchange = await workerFetch('/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: client.redirectUri, client_id: client.clientId, code_verifier: verifier, resource }).toString(),
  });
  expect(exchange.status).toBe(200);
  return { page, tokens: (await exchange.json()) as { access_token: string; scope: string } };
}

function post(token: string, body: unknown, headers: Record<string, string> = {}) {
  return workerFetch('/mcp', {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: ACCEPT, ...headers },
    body: JSON.stringify(body),
  });
}

async function openSession(token: string): Promise<Record<string, string>> {
  const init = await post(token, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'scopes', version: '1' } } });
  expect(init.status).toBe(200);
  await init.body?.cancel();
  const headers = { 'mcp-session-id': init.headers.get('mcp-session-id')!, 'MCP-Protocol-Version': '2025-11-25' };
  const initialized = await post(token, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
  await initialized.body?.cancel();
  return headers;
}

function expectStepUp(response: Response): void {
  expect(response.status).toBe(403);
  const challenge = response.headers.get('WWW-Authenticate') ?? '';
  expect(challenge).toMatch(/^Bearer /);
  expect(challenge).toContain('error="insufficient_scope"');
  expect(challenge).toContain('scope="generations:read generations:delete"');
  expect(challenge).toContain(`resource_metadata="${ORIGIN}/.well-known/oauth-protected-resource/mcp"`);
}

describe('which tools need the delete scope', () => {
  it('every tool not annotated read-only: the deletes, clearing the log, and the confirmation switch', () => {
    expect([...DELETE_SCOPE_TOOLS].sort()).toEqual(['clear_recent_deletes', 'delete_generation', 'delete_generations', 'set_delete_confirmation']);
  });
});

describe('which requests need the delete scope', () => {
  it('reads the method and params.name of each message, whatever else params carries', () => {
    expect(deleteToolsCalled({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'delete_generation', arguments: {} } })).toEqual(['delete_generation']);
    // A 2026-07-28 request: the same method and name, with `_meta` envelope keys beside them.
    const stateless = {
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'delete_generations', arguments: { generation_ids: [] }, _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'x', version: '1' } } },
    };
    expect(deleteToolsCalled(stateless)).toEqual(['delete_generations']);
    expect(deleteToolsCalled([{ method: 'tools/call', params: { name: 'list_generations' } }, { method: 'tools/call', params: { name: 'clear_recent_deletes' } }])).toEqual(['clear_recent_deletes']);
    expect(deleteToolsCalled({ method: 'tools/call', params: { name: 'set_delete_confirmation' } })).toEqual(['set_delete_confirmation']);
    expect(deleteToolsCalled({ method: 'tools/list' })).toEqual([]);
    expect(deleteToolsCalled({ method: 'tools/call', params: { name: 'get_generation' } })).toEqual([]);
    expect(deleteToolsCalled('not an object')).toEqual([]);
  });

  it('tokens from before the scopes keep what their consent page granted; new ones carry theirs', () => {
    expect(mayDelete([])).toBe(true);
    expect(mayDelete(['generations:read'])).toBe(false);
    expect(mayDelete(['generations:read', 'generations:delete'])).toBe(true);
  });
});

describe('read-only grants and step-up', { timeout: 30_000 }, () => {
  it('the consent page offers deleting ticked when asked for it (or for nothing), unticked for read-only', async () => {
    const client = await registerClient('Scoped');
    const { challenge } = await pkcePair();
    expect((await openConsentPage(authorizationUrl(client, challenge, { state: 'st', scope: 'generations:read generations:delete', resource: `${ORIGIN}/mcp` }), workerFetch)).deleteTicked).toBe(true);
    expect((await openConsentPage(authorizationUrl(client, challenge, { state: 'st', resource: `${ORIGIN}/mcp` }), workerFetch)).deleteTicked).toBe(true);
    expect((await openConsentPage(authorizationUrl(client, challenge, { state: 'st', scope: 'generations:read', resource: `${ORIGIN}/mcp` }), workerFetch)).deleteTicked).toBe(false);
  });

  it('a read-only token can read, gets insufficient_scope for every delete tool, and nothing is deleted', async () => {
    const { apiKey, generations } = await simulator.createAccount(2);
    const client = await registerClient('Read only');
    const { tokens } = await connect(client, apiKey, { allowDelete: false });
    expect(tokens.scope).toBe('generations:read');
    const token = tokens.access_token;

    const reader = await mcpClient(token);
    const listed = await reader.callTool({ name: 'list_generations', arguments: {} });
    expect(listed.isError).toBeFalsy();
    await reader.close();

    const session = await openSession(token);
    const calls: [string, Record<string, unknown>][] = [
      ['delete_generation', { generation_id: generations[0]!.id }],
      ['delete_generations', { generation_ids: [generations[0]!.id] }],
      ['clear_recent_deletes', {}],
      ['set_delete_confirmation', { enabled: false }],
    ];
    for (const [name, args] of calls) {
      const response = await post(token, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name, arguments: args } }, session);
      expectStepUp(response);
      expect(((await response.json()) as { error: string }).error).toBe('insufficient_scope');
    }
    // The same call shaped as a 2026-07-28 request (no session, `_meta` envelope) is refused the same way.
    const stateless = await post(token, {
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'delete_generation', arguments: { generation_id: generations[1]!.id }, _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } },
    });
    expectStepUp(stateless);
    await stateless.body?.cancel();

    expect((await simulator.requestsFor(apiKey)).filter((request) => request.method === 'DELETE')).toEqual([]);
    expect((await simulator.account(apiKey)).deletedIds).toEqual([]);
  });

  it('refuses a 2026-07-28 client\u2019s delete the same way, and lets it read', async () => {
    const { apiKey, generations } = await simulator.createAccount(1);
    const { tokens } = await connect(await registerClient('Read only, 2026-07-28'), apiKey, { allowDelete: false });
    const responses: Response[] = [];
    const client = await modernClient(tokens.access_token, { responses });
    expect((await client.callTool({ name: 'list_generations', arguments: {} })).isError).toBeFalsy();
    await expect(client.callTool({ name: 'delete_generation', arguments: { generation_id: generations[0]!.id } })).rejects.toThrow();
    const refused = responses.find((response) => response.status === 403);
    expect(refused?.headers.get('WWW-Authenticate')).toContain('error="insufficient_scope"');
    expect((await simulator.account(apiKey)).deletedIds).toEqual([]);
    await client.close();
  });

  it('refuses a delete over the legacy SSE transport the same way', async () => {
    const { apiKey, generations } = await simulator.createAccount(1);
    const { tokens } = await connect(await registerClient('Read only SSE'), apiKey, { allowDelete: false, resource: `${ORIGIN}/sse` });
    const response = await workerFetch('/sse/message?sessionId=abc', {
      method: 'POST',
      headers: { Authorization: `Bearer ${tokens.access_token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'delete_generation', arguments: { generation_id: generations[0]!.id } } }),
    });
    expect(response.status).toBe(403);
    const challenge = response.headers.get('WWW-Authenticate') ?? '';
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain(`resource_metadata="${ORIGIN}/.well-known/oauth-protected-resource/sse"`);
    await response.body?.cancel();
    expect((await simulator.account(apiKey)).deletedIds).toEqual([]);
  });

  it('asking again with the wider scope gets the person\u2019s consent for it, and the new token deletes', async () => {
    const { apiKey, generations } = await simulator.createAccount(1);
    const client = await registerClient('Steps up');
    const readOnly = await connect(client, apiKey, { allowDelete: false });
    const refused = await post(readOnly.tokens.access_token, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'delete_generation', arguments: { generation_id: generations[0]!.id } } });
    expectStepUp(refused);
    const wanted = /scope="([^"]+)"/.exec(refused.headers.get('WWW-Authenticate')!)![1]!;
    await refused.body?.cancel();

    // The client asks for what the challenge named; the page offers it ticked; the person approves.
    const stepUp = await connect(client, apiKey, { scope: wanted });
    expect(stepUp.page.deleteTicked).toBe(true);
    expect(stepUp.tokens.scope.split(' ').sort()).toEqual(['generations:delete', 'generations:read']);

    const mcp = await mcpClient(stepUp.tokens.access_token);
    const result = await callDelete(mcp, generations[0]!.id);
    await mcp.close();
    expect(result.isError).toBeFalsy();
    expect((await simulator.account(apiKey)).deletedIds).toEqual([generations[0]!.id]);
  });
});
