/**
 * Which browser pages may talk to the server (the MCP transport spec asks servers to check Origin,
 * against DNS rebinding). A request without an Origin header comes from a program, not a page, and
 * passes. A request with one passes only if that origin is listed in ALLOWED_ORIGINS: comparing it
 * with our own host would not help, since a rebound name makes the Host header match too.
 * Allowed origins also get the CORS headers a browser needs to read the answers.
 */
export interface OriginPolicy {
  /** The 403 for a page of a foreign origin, or `null` to go on. */
  refuse(request: Request): Response | null;
  /** The answer to a CORS preflight (OPTIONS) from an allowed origin, or `null` if it is not one. */
  preflight(request: Request): Response | null;
  /** `response`, with CORS headers when the request came from an allowed origin. */
  decorate(request: Request, response: Response): Response;
}

const ALLOWED_HEADERS = 'Authorization, Content-Type, Accept, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID';
const EXPOSED_HEADERS = 'Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate';

export function originPolicy(allowedOrigins: readonly string[]): OriginPolicy {
  const allowed = new Set(allowedOrigins);
  const allowedOriginOf = (request: Request) => {
    const origin = request.headers.get('Origin');
    return origin !== null && allowed.has(origin) ? origin : undefined;
  };
  return {
    refuse(request) {
      const origin = request.headers.get('Origin');
      if (origin === null || allowed.has(origin)) return null;
      return new Response('Forbidden: requests from this origin are not allowed. Add it to ALLOWED_ORIGINS on the server if it should be.\n', {
        status: 403,
        headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
      });
    },
    preflight(request) {
      const origin = allowedOriginOf(request);
      if (request.method !== 'OPTIONS' || origin === undefined) return null;
      return new Response(null, {
        status: 204,
        headers: {
          'Access-Control-Allow-Origin': origin,
          'Access-Control-Allow-Methods': 'GET, POST, DELETE',
          'Access-Control-Allow-Headers': ALLOWED_HEADERS,
          'Access-Control-Max-Age': '600',
          Vary: 'Origin',
        },
      });
    },
    decorate(request, response) {
      const origin = allowedOriginOf(request);
      if (origin === undefined) return response;
      const headers = new Headers(response.headers);
      headers.set('Access-Control-Allow-Origin', origin);
      headers.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
      headers.append('Vary', 'Origin');
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    },
  };
}
