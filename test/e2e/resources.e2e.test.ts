import { describe, expect, it } from 'vitest';
import { connectWithOAuth, InMemoryOAuthProvider, type TransportKind } from './helpers/mcp-oauth-client.ts';
import { useStack } from './helpers/stack.ts';

/**
 * RFC 8707 resource indicators with the official SDK client under `wrangler dev`: the client asks
 * for the endpoint's own URL (what the SDK takes from the metadata document), the bare origin (what
 * older clients copy from the root document), or no resource at all, and gets a token that works
 * where it was meant to and nowhere else.
 */
const stack = useStack();


/** A provider that picks the `resource` the SDK sends: the origin, or none at all. */
class ChoosingProvider extends InMemoryOAuthProvider {
  private readonly choice: 'origin' | 'none';
  constructor(choice: 'origin' | 'none') {
    super(`resource ${choice}`);
    this.choice = choice;
  }
  async validateResourceURL(serverUrl: string | URL): Promise<URL | undefined> {
    return this.choice === 'origin' ? new URL(new URL(serverUrl).origin) : undefined;
  }
}

async function works(endpoint: '/mcp' | '/sse', token: string): Promise<number> {
  const response =
    endpoint === '/mcp'
      ? await fetch(new URL('/mcp', stack.worker.origin), {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'r', version: '1' } } }),
        })
      : await fetch(new URL('/sse', stack.worker.origin), { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' } });
  await response.body?.cancel();
  return response.status;
}

/** The token the SDK got, and the `resource` its authorization request carried. */
async function tokenFor(kind: TransportKind, provider = new InMemoryOAuthProvider()): Promise<{ token: string; asked: string | null }> {
  const { apiKey } = await stack.simulator.createAccount(1);
  stack.keysUsed.push(apiKey);
  const { client } = await connectWithOAuth(stack.worker.origin, kind, apiKey, provider);
  await client.close();
  return { token: provider.tokens()!.access_token, asked: provider.authorizationUrl!.searchParams.get('resource') };
}

describe('resource indicators with the official SDK client', () => {
  it('over /mcp the SDK asks for the /mcp URL, and the token works there only', async () => {
    const { token, asked } = await tokenFor('streamable-http');
    expect(asked).toBe(`${stack.worker.origin}/mcp`);
    expect(await works('/mcp', token)).toBe(200);
    expect(await works('/sse', token)).toBe(401);
  });

  it('over /sse the SDK asks for the /sse URL, and the token works there only', async () => {
    const { token, asked } = await tokenFor('sse');
    expect(asked).toBe(`${stack.worker.origin}/sse`);
    expect(await works('/sse', token)).toBe(200);
    expect(await works('/mcp', token)).toBe(401);
  });

  it('a client asking for the bare origin gets a token for both endpoints', async () => {
    const { token, asked } = await tokenFor('streamable-http', new ChoosingProvider('origin'));
    expect(new URL(asked!).href).toBe(new URL(stack.worker.origin).href);
    expect(await works('/mcp', token)).toBe(200);
    expect(await works('/sse', token)).toBe(200);
  });

  it('a client sending no resource gets a token for both endpoints', async () => {
    const { token, asked } = await tokenFor('sse', new ChoosingProvider('none'));
    expect(asked).toBeNull();
    expect(await works('/sse', token)).toBe(200);
    expect(await works('/mcp', token)).toBe(200);
  });
});
