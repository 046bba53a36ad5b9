import { oauthProviderFor } from './auth/oauth-provider.ts';
import { misconfiguredResponse, readSecrets } from './config.ts';
import type { Env } from './env.ts';

export { LumaMcpAgent } from './mcp/luma-mcp-agent.ts';
export { UserStore } from './user-store/user-store.ts';

/**
 * The Worker: refuses to serve without its secrets, then hands every request to the OAuth
 * provider, which answers the OAuth endpoints itself, sends authenticated `/mcp` and `/sse`
 * requests to the MCP agent, and everything else to the consent page handler.
 */
export default {
  async fetch(request, env, ctx) {
    const secrets = readSecrets(env);
    if (!secrets.ok) {
      console.error(`Refusing to serve: ${secrets.problems.join('; ')}`);
      return misconfiguredResponse(secrets.problems);
    }
    return oauthProviderFor(new URL(request.url).origin).fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
