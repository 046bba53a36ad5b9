import { OAuthAuthorizationServer, OAuthResourceServer, type OAuthHelpers, type OAuthResourceAuth } from '@cloudflare/workers-oauth-provider';
import type { AuthProps, Env } from '../env.ts';
import { handleAppPages } from './authorize-handler.ts';
import { checkClientMetadata } from './client-metadata.ts';
import { admitRequest, clientAddress, retryAfterSeconds } from './limits.ts';
import { recordUse } from './account.ts';
import { ALL_SCOPES, requireScopes, type ProtectedHandler } from './scope-guard.ts';

/**
 * OAuth for one origin: the authorization server (metadata, registration, token, revocation; the
 * consent page is ours) and three protected resources, as RFC 8707 and RFC 9728 name them:
 *
 * - `<origin>/mcp` (Streamable HTTP) and `<origin>/sse` (legacy SSE), each with its own metadata
 *   document at `/.well-known/oauth-protected-resource/mcp` and `…/sse`. A token asked for one of
 *   them works there and nowhere else.
 * - `<origin>` itself, for older clients that copy the bare origin from the root metadata document
 *   (and for tokens issued before the two existed): such a token, or one asked for without any
 *   `resource`, works on both endpoints.
 *
 * Everything is bound to the origin the Worker was reached at (`wrangler dev` ports, workers.dev,
 * a custom domain): each origin gets its own instances, and a token issued at one origin is not
 * accepted at another. The library's helpers are obtained per request for the request's origin,
 * never from a copy cached on the shared `env`.
 */
export interface OriginAuth {
  origin: string;
  authorizationServer: OAuthAuthorizationServer<Env>;
  resources: { mcp: string; sse: string; origin: string };
  mcp: OAuthResourceServer<Env, AuthProps>;
  sse: OAuthResourceServer<Env, AuthProps>;
  root: OAuthResourceServer<Env, AuthProps>;
}

/** The protected API: a path and the handler authenticated requests go to (see index.ts). */
export type ApiRoutes = Record<'/mcp' | '/sse', ProtectedHandler>;

/**
 * The protected endpoints, each behind the delete-scope check (see scope-guard.ts), noting when
 * the app was last used (for the account page). Built once per routes object.
 */
const guardedRoutes = new WeakMap<ApiRoutes, ApiRoutes>();

function guarded(routes: ApiRoutes): ApiRoutes {
  let wrapped = guardedRoutes.get(routes);
  if (!wrapped) {
    wrapped = { '/mcp': trackUse(requireScopes(routes['/mcp'])), '/sse': trackUse(requireScopes(routes['/sse'])) };
    guardedRoutes.set(routes, wrapped);
  }
  return wrapped;
}

function trackUse(handler: ProtectedHandler): ProtectedHandler {
  return {
    fetch(request, env, ctx) {
      const token = (ctx as ExecutionContext & { auth?: OAuthResourceAuth }).auth?.token;
      if (token) ctx.waitUntil(recordUse(env, token));
      return handler.fetch(request, env, ctx);
    },
  };
}

/**
 * Built instances per origin. Configuration only, nothing per user; bounded, because the `Host` a
 * request names is the client's to choose where no route restricts it (`wrangler dev`).
 */
const MAX_ORIGINS = 16;
const byOrigin = new Map<string, OriginAuth | null>();

export function oauthFor(origin: string, routes: ApiRoutes): OriginAuth | undefined {
  let auth = byOrigin.get(origin);
  if (auth === undefined) {
    auth = buildOriginAuth(origin, guarded(routes));
    if (byOrigin.size >= MAX_ORIGINS) byOrigin.delete(byOrigin.keys().next().value!);
    byOrigin.set(origin, auth);
  }
  return auth ?? undefined;
}

function buildOriginAuth(origin: string, routes: ApiRoutes): OriginAuth | null {
  const resources = { mcp: `${origin}/mcp`, sse: `${origin}/sse`, origin };
  let authorizationServer: OAuthAuthorizationServer<Env>;
  try {
    authorizationServer = new OAuthAuthorizationServer<Env>({
      issuer: origin,
      resources: [resources.mcp, resources.sse, resources.origin],
      // No `resource` (older clients): the whole server, as before resources were split.
      defaultResource: resources.origin,
      legacyGrantResource: resources.origin,
      authorizeEndpoint: '/authorize',
      tokenEndpoint: '/token',
      clientRegistrationEndpoint: '/register',
      scopesSupported: [...ALL_SCOPES],
      clientRegistrationCallback: checkClientMetadata,
      // Refresh tokens live a month but expire after two idle weeks: a forgotten client loses access.
      accessTokenTTL: 3600,
      refreshTokenTTL: 30 * 24 * 3600,
      refreshTokenIdleTTL: 14 * 24 * 3600,
    });
  } catch {
    // Not an origin an authorization server can be (plain HTTP on a public host name, say).
    return null;
  }
  const resourceServer = (resource: string, handler: { fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> }) =>
    new OAuthResourceServer<Env, AuthProps>({
      resourceMetadata: { resource, authorization_servers: [origin], resource_name: 'Luma Dream Machine generations' },
      // Both scopes are asked for first; the person may grant only the first on the consent page.
      requiredScopes: [...ALL_SCOPES],
      validateToken: (env) => async (canonical, token) => {
        const exact = await authorizationServer.validateToken<AuthProps>(canonical, token, env);
        if (exact || canonical === origin) return exact;
        // A token for the bare origin covers every resource on it (RFC 8707 §2).
        const general = await authorizationServer.validateToken<AuthProps>(origin, token, env);
        return general ? { ...general, audience: canonical } : null;
      },
      handler,
    });
  return {
    origin,
    authorizationServer,
    resources,
    mcp: resourceServer(resources.mcp, routes['/mcp']),
    sse: resourceServer(resources.sse, routes['/sse']),
    root: resourceServer(resources.origin, { fetch: async () => new Response('Not Found', { status: 404 }) }),
  };
}

const PROTECTED_RESOURCE_METADATA = '/.well-known/oauth-protected-resource';

/** Routes one request to the authorization server, a protected resource, or our own pages. */
export async function handleOAuthRequest(request: Request, env: Env, ctx: ExecutionContext, routes: ApiRoutes): Promise<Response> {
  const url = new URL(request.url);
  const auth = oauthFor(url.origin, routes);
  if (!auth) return new Response('This server is not served at this address.\n', { status: 421, headers: { 'Cache-Control': 'no-store' } });
  const path = url.pathname;

  if (path === PROTECTED_RESOURCE_METADATA) return auth.root.fetch(request, env, ctx);
  if (path === `${PROTECTED_RESOURCE_METADATA}/mcp`) return auth.mcp.fetch(request, env, ctx);
  if (path === `${PROTECTED_RESOURCE_METADATA}/sse`) return auth.sse.fetch(request, env, ctx);
  if (path.startsWith(`${PROTECTED_RESOURCE_METADATA}/`)) return new Response(null, { status: 404 });
  if (isUnder(path, '/mcp')) return auth.mcp.fetch(request, env, ctx);
  if (isUnder(path, '/sse')) return auth.sse.fetch(request, env, ctx);

  if (path === '/register' && request.method === 'POST') {
    const admitted = await admitRequest(env, 'registrations', clientAddress(request));
    if (!admitted.ok) return tooManyRegistrations(admitted.retryAt);
  }
  if (path === '/token' || path === '/register' || path.startsWith('/.well-known/oauth-authorization-server')) {
    return auth.authorizationServer.fetch(request, env, ctx);
  }
  return handleAppPages(request, env, auth.authorizationServer.getOAuthApi(env) as OAuthHelpers);
}

function isUnder(path: string, base: string): boolean {
  return path === base || path.startsWith(`${base}/`);
}

function tooManyRegistrations(retryAt: number): Response {
  const seconds = retryAfterSeconds(retryAt);
  return Response.json(
    { error: 'temporarily_unavailable', error_description: `Too many client registrations from this address. Try again in ${seconds} seconds.` },
    { status: 429, headers: { 'Retry-After': String(seconds), 'Cache-Control': 'no-store' } },
  );
}
