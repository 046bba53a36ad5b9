import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { connectWithOAuth, InMemoryOAuthProvider, type TransportKind } from '../../test/e2e/helpers/mcp-oauth-client.ts';

/**
 * MCP sessions for the benchmark and the soak: the official SDK client, to the product through
 * its real OAuth flow (test/e2e/helpers), or to the baseline Worker with no auth at all. 2025-era
 * sessions use the v1 client (`initialize`, `Mcp-Session-Id`); 2026-07-28 "sessions" use the v2
 * client pinned to that revision (`server/discover`, then one self-contained request per call).
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

// ── MCP 2026-07-28 (stateless) ───────────────────────────────────────────────────────────────────

/** A connected v2 client speaking 2026-07-28 only: `connect()` probes with `server/discover`. */
export interface ModernSessionFactory {
  label: string;
  open(): Promise<ModernClient>;
}

async function openModern(url: URL, headers: Record<string, string>): Promise<ModernClient> {
  const client = new ModernClient(clientInfo, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new ModernTransport(url, { requestInit: { headers } }));
  return client;
}

/** The baseline Worker's stateless handler (no token), at `/mcp` or at another path (the hop ladder). */
export function baselineModernSessions(origin: string, path = '/mcp'): ModernSessionFactory {
  return { label: `baseline 2026-07-28 ${path}`, open: () => openModern(new URL(path, origin), {}) };
}

/** The product's `/mcp` for a signed-in user, with the access token from the real OAuth flow. */
export function productModernSessions(origin: string, provider: InMemoryOAuthProvider): ModernSessionFactory {
  return {
    label: 'product 2026-07-28 /mcp',
    open() {
      const token = provider.tokens()?.access_token;
      if (!token) throw new Error('no access token: sign in first');
      return openModern(new URL('/mcp', origin), { Authorization: `Bearer ${token}` });
    },
  };
}

export async function callDeleteModern(client: ModernClient, generationId: string, timeoutMs = 60_000): Promise<CallToolResult> {
  return (await client.callTool({ name: 'delete_generation', arguments: { generation_id: generationId } }, { timeout: timeoutMs })) as unknown as CallToolResult;
}

export type { ModernClient };
