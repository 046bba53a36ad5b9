import { handleOAuthRequest, type ApiRoutes } from './auth/oauth-provider.ts';
import { bodyLimitFor, boundRequestBody } from '../core/http/body-limit.ts';
import { misconfiguredResponse, readSecrets } from './config.ts';
import type { Env } from './env.ts';
import { withHelpful401 } from './http/helpful-401.ts';
import { LumaMcpAgent } from './mcp/luma-mcp-agent.ts';
import { eitherEra } from './mcp/mcp-endpoint.ts';
import { guardMcpRequest } from './mcp/request-guards.ts';
import { guardSessionOwner } from './mcp/session-owner-guard.ts';

export { LumaMcpAgent } from './mcp/luma-mcp-agent.ts';
export { UserStore } from './user-store/user-store.ts';
export { RateLimiter } from './auth/rate-limiter.ts';

/**
 * The protected API, behind OAuth (auth/oauth-provider.ts: each endpoint its own protected resource,
 * behind the delete-scope check). Everything else (`/authorize`, `/account`, `/`) is our pages
 * (auth/authorize-handler.ts); metadata, `/register` and `/token` the library answers.
 *
 *   /mcp  2026-07-28 requests → served here, per request (mcp/modern-mcp-handler.ts)
 *         2025-era requests   → McpAgent, one Durable Object per session (mcp/luma-mcp-agent.ts)
 *   /sse  legacy SSE          → McpAgent
 */
const routes: ApiRoutes = {
  '/mcp': eitherEra(guardSessionOwner(LumaMcpAgent.serve('/mcp', { binding: 'MCP_OBJECT' }), 'streamable-http')),
  '/sse': guardSessionOwner(LumaMcpAgent.serveSSE('/sse', { binding: 'MCP_OBJECT' }), 'sse'),
};

/**
 * The Worker: refuses to serve without its secrets, refuses MCP requests from origins that may not
 * use it (and other transport-level violations, see mcp/request-guards.ts), then hands every
 * request to the OAuth provider.
 */
export default {
  async fetch(request, env, ctx) {
    const secrets = readSecrets(env);
    if (!secrets.ok) {
      console.error(`Refusing to serve: ${secrets.problems.join('; ')}`);
      return misconfiguredResponse(secrets.problems);
    }
    // Bodies are bounded before anything parses them (413 without reading an oversized one).
    const bounded = await boundRequestBody(request, bodyLimitFor(new URL(request.url).pathname));
    if (!bounded.ok) return bounded.response;
    const refused = await guardMcpRequest(bounded.request, env);
    if (refused) return refused;
    return withHelpful401(bounded.request, await handleOAuthRequest(bounded.request, env, ctx, routes));
  },
} satisfies ExportedHandler<Env>;
