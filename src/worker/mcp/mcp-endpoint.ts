import type { OAuthResourceContext } from '@cloudflare/workers-oauth-provider';
import { isLegacyRequest } from '@modelcontextprotocol/server';
import type { AuthProps, Env } from '../env.ts';
import { serveModernMcp } from './modern-mcp-handler.ts';

interface FetchHandler {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response>;
}

/**
 * `/mcp` serves both protocol eras: a request carrying the 2026-07-28 envelope (or claiming it
 * badly: that path answers the error) is served statelessly in the Worker; everything else (the
 * `initialize` handshake, session requests, GET and DELETE on a session) goes to the 2025-era
 * McpAgent, as before. The SDK's own classifier decides, so this split cannot disagree with it.
 */
export function eitherEra(legacy: FetchHandler): FetchHandler {
  return {
    async fetch(request, env, ctx) {
      if (await isLegacyRequest(request)) return legacy.fetch(request, env, ctx);
      const verified = ctx as OAuthResourceContext<AuthProps>;
      return serveModernMcp(request, env, verified.props, verified.auth);
    },
  };
}
