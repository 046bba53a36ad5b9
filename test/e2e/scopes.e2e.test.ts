import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { auth, UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { openConsentPage, submitConsent } from '../support/consent-form.ts';
import { InMemoryOAuthProvider } from './helpers/mcp-oauth-client.ts';
import { useStack } from './helpers/stack.ts';

/**
 * Read-only grants and step-up with the official SDK client under `wrangler dev`: the person
 * connects the app read-only; its delete gets `insufficient_scope`; the SDK's auth asks again for
 * the scope the challenge named; the person approves; the delete goes through.
 */
const stack = useStack();


/** The person at the consent page the SDK sent them to: approves with the key, delete ticked or not. */
async function consent(provider: InMemoryOAuthProvider, apiKey: string, allowDelete?: boolean): Promise<{ code: string; deleteTicked: boolean }> {
  const page = await openConsentPage(provider.authorizationUrl!);
  expect(page.status).toBe(200);
  const result = await submitConsent(new URL('/authorize', stack.worker.origin), page, { decision: 'approve', lumaApiKey: apiKey, allowDelete });
  expect(result.status).toBe(302);
  return { code: new URL(result.location!).searchParams.get('code')!, deleteTicked: page.deleteTicked };
}

describe('scopes with the official SDK client', () => {
  it('a read-only connection steps up to delete after the person approves', async () => {
    const { apiKey, generations } = await stack.simulator.createAccount(2);
    stack.keysUsed.push(apiKey);
    const provider = new InMemoryOAuthProvider('Step-up client');
    const url = new URL('/mcp', stack.worker.origin);

    // First connection: the person unticks "delete".
    const first = new StreamableHTTPClientTransport(url, { authProvider: provider });
    await expect(new Client({ name: 'e2e', version: '1' }).connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.authorizationUrl!.searchParams.get('scope')).toBe('generations:read generations:delete');
    expect(provider.authorizationUrl!.searchParams.get('resource')).toBe(`${stack.worker.origin}/mcp`);
    const readOnly = await consent(provider, apiKey, false);
    await first.finishAuth(readOnly.code);
    expect(provider.tokens()?.scope).toBe('generations:read');

    const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
    const client = new Client({ name: 'e2e', version: '1' });
    await client.connect(transport);
    expect((await client.callTool({ name: 'list_generations', arguments: {} })).isError).toBeFalsy();

    // The delete is refused with insufficient_scope. SDK 1.32 answers a 403 by refreshing its token
    // first, which cannot add a scope the person did not grant, so it reports the second 403; an
    // app then asks again at the authorization endpoint with the scope the challenge named.
    await expect(client.callTool({ name: 'delete_generation', arguments: { generation_id: generations[0]!.id } })).rejects.toThrow(/403/);
    expect((await stack.simulator.account(apiKey)).deletedIds).toEqual([]);
    const challenge = await fetch(url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${provider.tokens()!.access_token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'delete_generation', arguments: { generation_id: generations[0]!.id } } }),
    });
    expect(challenge.status).toBe(403);
    const scope = /scope="([^"]+)"/.exec(challenge.headers.get('WWW-Authenticate') ?? '')?.[1];
    expect(scope).toBe('generations:read generations:delete');
    await challenge.body?.cancel();

    provider.authorizationUrl = undefined;
    provider.saveTokens(undefined as never); // the read-only token is set aside; the step-up starts afresh
    expect(await auth(provider, { serverUrl: url, scope })).toBe('REDIRECT');
    expect(provider.authorizationUrl!.searchParams.get('scope')).toBe('generations:read generations:delete');
    const wider = await consent(provider, apiKey);
    expect(wider.deleteTicked).toBe(true);
    expect(await auth(provider, { serverUrl: url, scope, authorizationCode: wider.code })).toBe('AUTHORIZED');
    expect(provider.tokens()?.scope?.split(' ').sort()).toEqual(['generations:delete', 'generations:read']);

    const stepped = new Client({ name: 'e2e', version: '1' });
    await stepped.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
    const result = (await stepped.callTool({ name: 'delete_generation', arguments: { generation_id: generations[0]!.id } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect((await stack.simulator.account(apiKey)).deletedIds).toEqual([generations[0]!.id]);
    await stepped.close();
    await client.close().catch(() => undefined);
  });
});
