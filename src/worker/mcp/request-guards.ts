import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { Env } from '../env.ts';
import { isLoopbackHostname, isOriginAllowed, parseOriginPolicy } from '../../core/http/origin-policy.ts';

/**
 * Checks on every request to the MCP endpoints (`/mcp`, `/sse`, `/sse/message`) that the MCP
 * 2025-11-25 transport spec asks for and `agents`' `McpAgent.serve` does not do itself. They run
 * before the OAuth provider, so a refused request never reaches token checks or a session.
 *
 * What `McpAgent.serve` already does on `/mcp`, and is therefore not repeated here: `400` for an
 * unsupported `MCP-Protocol-Version` on every request but `initialize`, `400` for a missing
 * `Mcp-Session-Id`, `404` for an unknown or terminated session, and `DELETE` ending a session.
 *
 * Returns the refusal, or `undefined` to let the request through.
 */
export async function guardMcpRequest(request: Request, env: Pick<Env, 'ALLOWED_ORIGINS'>): Promise<Response | undefined> {
  const url = new URL(request.url);
  const endpoint = mcpEndpoint(url.pathname);
  if (!endpoint) return undefined;
  return refuseUnverifiedHost(url) ?? refuseForeignOrigin(request, url, env) ?? (endpoint === 'sse' ? await refuseSseProtocolVersion(request) : undefined);
}

type Endpoint = 'mcp' | 'sse';

function mcpEndpoint(pathname: string): Endpoint | undefined {
  if (pathname === '/mcp' || pathname.startsWith('/mcp/')) return 'mcp';
  if (pathname === '/sse' || pathname.startsWith('/sse/')) return 'sse';
  return undefined;
}

/**
 * Over plain HTTP the `Host` is only as trustworthy as the DNS that produced it: a non-loopback
 * name there is what a DNS-rebinding attack against `wrangler dev` looks like (Workers themselves
 * are only served over HTTPS). Browsers send no `Origin` on a same-origin GET such as opening
 * `/sse`, so the `Origin` check alone would not see it.
 */
function refuseUnverifiedHost(url: URL): Response | undefined {
  if (url.protocol === 'https:' || isLoopbackHostname(url.hostname)) return undefined;
  return jsonRpcError(403, 'Forbidden: plain-HTTP requests are accepted only on a loopback host name');
}

/** A browser page from a site that is not allowed gets `403` (spec: "MUST respond with 403"). */
function refuseForeignOrigin(request: Request, url: URL, env: Pick<Env, 'ALLOWED_ORIGINS'>): Response | undefined {
  const origin = request.headers.get('Origin');
  if (origin === null) return undefined; // not a browser: nothing to rebind
  if (isOriginAllowed(origin, url, parseOriginPolicy(env.ALLOWED_ORIGINS))) return undefined;
  return jsonRpcError(403, 'Forbidden: this Origin may not use this MCP server');
}

/**
 * The legacy SSE transport predates the header, and `agents` ignores it there; clients that send
 * it anyway must get the same answer as on `/mcp`. As on `/mcp` (and in the SDK's own server), a
 * message carrying `initialize` is exempt: it negotiates the version in its body. A missing header
 * is accepted, as the spec says (the server then assumes 2025-03-26).
 */
async function refuseSseProtocolVersion(request: Request): Promise<Response | undefined> {
  const version = request.headers.get('MCP-Protocol-Version');
  if (version === null || SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return undefined;
  if (request.method === 'POST' && (await carriesInitialize(request))) return undefined;
  return jsonRpcError(400, `Bad Request: unsupported MCP-Protocol-Version ${JSON.stringify(version.slice(0, 40))} (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`);
}

async function carriesInitialize(request: Request): Promise<boolean> {
  try {
    const body: unknown = await request.clone().json();
    const messages = Array.isArray(body) ? body : [body];
    return messages.some((message) => typeof message === 'object' && message !== null && (message as { method?: unknown }).method === 'initialize');
  } catch {
    return false; // not JSON: the transport answers that itself
  }
}

function jsonRpcError(status: number, message: string): Response {
  return Response.json({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }, { status, headers: { 'Cache-Control': 'no-store' } });
}
