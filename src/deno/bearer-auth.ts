/**
 * The self-hosted server's only credential: one bearer token from the environment, in place of
 * the Worker's OAuth. Tokens are compared as SHA-256 digests, byte by byte without an early exit,
 * so the time a comparison takes says nothing about how much of a guess was right (nor about the
 * token's length). Nothing here ever repeats a token.
 */
export const REALM = 'luma-mcp';

export interface BearerCheck {
  /** `null` when the request may go on; otherwise the 401 to answer with. */
  (request: Request): Promise<Response | null>;
}

export async function bearerCheck(expectedToken: string): Promise<BearerCheck> {
  const expected = await digest(expectedToken);
  return async (request) => {
    const presented = bearerTokenOf(request.headers.get('Authorization'));
    if (presented === undefined) return unauthorized(false);
    return equalBytes(await digest(presented), expected) ? null : unauthorized(true);
  };
}

/** The token of an `Authorization: Bearer …` header (scheme case-insensitive, RFC 7235). */
function bearerTokenOf(header: string | null): string | undefined {
  const match = header?.match(/^Bearer[ ]+(\S+)[ ]*$/i);
  return match?.[1];
}

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let index = 0; index < a.length; index++) difference |= a[index]! ^ (b[index] ?? 0);
  return difference === 0;
}

/**
 * RFC 6750: no error code when no credentials were sent, `invalid_token` when they were wrong.
 * There is no OAuth metadata to point to; the message says what to configure instead.
 */
function unauthorized(tokenWasSent: boolean): Response {
  const challenge = tokenWasSent ? `Bearer realm="${REALM}", error="invalid_token"` : `Bearer realm="${REALM}"`;
  const message = tokenWasSent
    ? 'The bearer token is not valid for this server.'
    : 'This server needs a bearer token: send "Authorization: Bearer <token>", with the token set as MCP_BEARER_TOKEN on the server.';
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message }, id: null }), {
    status: 401,
    headers: { 'Content-Type': 'application/json', 'WWW-Authenticate': challenge, 'Cache-Control': 'no-store' },
  });
}
