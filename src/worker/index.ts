import { handleOAuthRequest } from './auth/oauth-provider.ts';
import { bodyLimitFor, boundRequestBody } from '../core/http/body-limit.ts';
import { misconfiguredResponse, readSecrets } from './config.ts';
import type { Env } from './env.ts';
import { guardMcpRequest } from './mcp/request-guards.ts';

export { LumaMcpAgent } from './mcp/luma-mcp-agent.ts';
export { UserStore } from './user-store/user-store.ts';
export { RateLimiter } from './auth/rate-limiter.ts';

/**
 * The Worker: refuses to serve without its secrets, refuses MCP requests from origins that may not
 * use it (and other transport-level violations, see http/request-guards.ts), then hands every
 * request to the OAuth provider, which answers the OAuth endpoints itself, sends authenticated
 * `/mcp` and `/sse` requests to the MCP agent, and everything else to the consent page handler.
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
    return handleOAuthRequest(bounded.request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
