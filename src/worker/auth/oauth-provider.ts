import { OAuthProvider } from '@cloudflare/workers-oauth-provider';
import type { Env } from '../env.ts';
import { authorizeHandler } from './authorize-handler.ts';

/** The protected API: a path and the handler the provider hands authenticated requests to. */
export type ApiRoutes = Record<string, ExportedHandler<Env> & Pick<Required<ExportedHandler<Env>>, 'fetch'>>;

/**
 * The library binds every token to one canonical resource URL, fixed when the provider is built.
 * We serve `/mcp` and `/sse`, so the resource is the bare origin; and since the origin differs
 * between `wrangler dev` ports, workers.dev and a custom domain, one provider is built per origin
 * the Worker is reached at. A token issued at one origin is not accepted at another.
 */
const providers = new Map<string, OAuthProvider<Env>>();

export function oauthProviderFor(origin: string, apiHandlers: ApiRoutes): OAuthProvider<Env> {
  let provider = providers.get(origin);
  if (!provider) {
    provider = new OAuthProvider<Env>({
      apiHandlers: apiHandlers as never,
      defaultHandler: authorizeHandler,
      authorizeEndpoint: '/authorize',
      tokenEndpoint: '/token',
      clientRegistrationEndpoint: '/register',
      resourceMetadata: {
        resource: origin,
        authorization_servers: [origin],
        resource_name: 'Luma Dream Machine generations',
      },
      // Refresh tokens live a month but expire after two idle weeks: a forgotten client loses access.
      accessTokenTTL: 3600,
      refreshTokenTTL: 30 * 24 * 3600,
      refreshTokenIdleTTL: 14 * 24 * 3600,
    });
    providers.set(origin, provider);
  }
  return provider;
}
