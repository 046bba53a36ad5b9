import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { connectWithOAuth, InMemoryOAuthProvider, type TransportKind } from '../../test/e2e/helpers/mcp-oauth-client.ts';

/**
 * MCP sessions for the benchmark and the soak: the official SDK client, to the product through
 * its real OAuth flow (test/e2e/helpers), or to the baseline Worker with no auth at all.
 */
export type { TransportKind };

/** An MCP endpoint to open sessions on: the product for one user (OAuth), or the baseline. */
export interface SessionFactory {
  label: string;
  kind: TransportKind;
  open(): Promise<Client>;
}

const clientInfo = { name: 'luma-mcp-bench', version: '1.0.0' };

/** The baseline Worker: no token, straight to /mcp or /sse. */
export function baselineSessions(origin: string, kind: TransportKind): SessionFactory {
  return {
    label: `baseline ${kind}`,
    kind,
    async open() {
      const client = new Client(clientInfo);
      const transport =
        kind === 'sse' ? new SSEClientTransport(new URL('/sse', origin)) : new StreamableHTTPClientTransport(new URL('/mcp', origin));
      await client.connect(transport);
      return client;
    },
  };
}

/**
 * `/mcp` and `/sse` are separate protected resources (RFC 8707): the SDK asks for a token for the
 * endpoint it connects to, which works there only. A user who uses both holds one token for each,
 * as a real client connected to both would; this is the `/sse` one of a signed-in provider.
 */
const sseProviders = new WeakMap<InMemoryOAuthProvider, InMemoryOAuthProvider>();

/**
 * A signed-in user of the product: runs the whole OAuth flow once per endpoint (discovery,
 * registration, PKCE, the consent form with the Luma key, code exchange) and opens every later
 * session with the token it got, as a real client does after its first connection.
 */
export async function signIn(origin: string, lumaKey: string, clientName = 'bench client'): Promise<InMemoryOAuthProvider> {
  const provider = new InMemoryOAuthProvider(clientName);
  const sse = new InMemoryOAuthProvider(clientName);
  for (const [kind, each] of [['streamable-http', provider], ['sse', sse]] as const) {
    const { client } = await connectWithOAuth(origin, kind, lumaKey, each, () => new Client(clientInfo));
    await client.close();
    if (!each.tokens()) throw new Error('the OAuth flow did not produce a token');
  }
  sseProviders.set(provider, sse);
  return provider;
}

export function productSessions(origin: string, kind: TransportKind, lumaKey: string, signedIn: InMemoryOAuthProvider): SessionFactory {
  const provider = kind === 'sse' ? (sseProviders.get(signedIn) ?? signedIn) : signedIn;
  return {
    label: `product ${kind}`,
    kind,
    async open() {
      const { client } = await connectWithOAuth(origin, kind, lumaKey, provider, () => new Client(clientInfo));
      return client;
    },
  };
}

export async function callDelete(client: Client, generationId: string, timeoutMs = 60_000): Promise<CallToolResult> {
  return (await client.callTool({ name: 'delete_generation', arguments: { generation_id: generationId } }, undefined, {
    timeout: timeoutMs,
  })) as CallToolResult;
}

export async function closeQuietly(client: Client | undefined): Promise<void> {
  try {
    await client?.close();
  } catch {
    // already gone
  }
}

export function outcomeOf(result: CallToolResult): string {
  const structured = result.structuredContent as { outcome?: string; error?: { code?: string } } | undefined;
  if (result.isError) return structured?.error?.code ?? 'error_without_code';
  return structured?.outcome ?? 'success_without_outcome';
}
