import { oauthProviderFor, type ApiRoutes } from './auth/oauth-provider.ts';
import { misconfiguredResponse, readSecrets } from './config.ts';
import type { Env } from './env.ts';
import { withHelpful401 } from './http/helpful-401.ts';
import { LumaMcpAgent } from './mcp/luma-mcp-agent.ts';
import { eitherEra } from './mcp/mcp-endpoint.ts';
import { guardMcpRequest } from './mcp/request-guards.ts';
import { guardSessionOwner } from './mcp/session-owner-guard.ts';

export { LumaMcpAgent } from './mcp/luma-mcp-agent.ts';
export { UserStore } from './user-store/user-store.ts';

/**
 * The protected API, behind the OAuth provider. Everything else (`/authorize`, `/`) is the consent
 * page handler (auth/authorize-handler.ts); metadata, `/register` and `/token` the library answers.
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
    const refused = await guardMcpRequest(request, env);
    if (refused) return refused;
    return withHelpful401(request, await oauthProviderFor(new URL(request.url).origin, routes).fetch(request, env, ctx));
  },
} satisfies ExportedHandler<Env>;
