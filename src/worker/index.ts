import { oauthProviderFor } from './auth/oauth-provider.ts';
import { misconfiguredResponse, readSecrets } from './config.ts';
import type { Env } from './env.ts';
import { withHelpful401 } from './http/helpful-401.ts';
import { guardMcpRequest } from './mcp/request-guards.ts';

export { LumaMcpAgent } from './mcp/luma-mcp-agent.ts';
export { UserStore } from './user-store/user-store.ts';

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
    const refused = await guardMcpRequest(request, env);
    if (refused) return refused;
    return withHelpful401(request, await oauthProviderFor(new URL(request.url).origin).fetch(request, env, ctx));
  },
} satisfies ExportedHandler<Env>;
