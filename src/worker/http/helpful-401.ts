import { README_PATH } from '../pages/landing-page.ts';

/** The protected MCP endpoints; only their 401s are explained (the OAuth endpoints' own bodies are the spec's). */
const PROTECTED_PATHS = ['/mcp', '/sse'];

/**
 * A `401` on `/mcp` or `/sse` from the OAuth library says what is missing only in its
 * `WWW-Authenticate` header, and with no token at all its body is empty, so a tool that prints
 * the body (the Inspector CLI, curl) shows nothing. This gives every such 401 a short JSON body
 * that says how to authenticate. Status and headers (`WWW-Authenticate` included) are kept; an
 * existing JSON body's `error` and `error_description` are kept too.
 */
export async function withHelpful401(request: Request, response: Response): Promise<Response> {
  if (response.status !== 401) return response;
  const url = new URL(request.url);
  if (!PROTECTED_PATHS.some((path) => url.pathname === path || url.pathname.startsWith(`${path}/`))) return response;

  const existing = await readJsonObject(response);
  if (existing === undefined) return response;
  const hadToken = /^Bearer\s+\S/i.test(request.headers.get('Authorization') ?? '');
  const body = {
    error: typeof existing.error === 'string' ? existing.error : hadToken ? 'invalid_token' : 'unauthorized',
    error_description:
      typeof existing.error_description === 'string'
        ? existing.error_description
        : hadToken
          ? 'Invalid access token'
          : 'This MCP server needs an OAuth access token (Authorization: Bearer <token>).',
    how_to_authenticate:
      `Connect with an MCP client that supports OAuth (Claude, ChatGPT connectors, Cursor, MCP Inspector, mcp-remote) ` +
      `and give it ${url.origin}/mcp. It finds this server's OAuth metadata through the WWW-Authenticate header, ` +
      `registers itself, and opens a consent page where you paste your Luma API key once.` +
      (hadToken ? ' Your token was refused (expired, revoked or issued elsewhere): connect again.' : ''),
    // Each endpoint is its own protected resource, with its own metadata document.
    resource_metadata: `${url.origin}/.well-known/oauth-protected-resource${url.pathname === '/sse' || url.pathname.startsWith('/sse/') ? '/sse' : '/mcp'}`,
    documentation: `${url.origin}${README_PATH}`,
  };
  const headers = new Headers(response.headers);
  headers.set('Content-Type', 'application/json');
  headers.delete('Content-Length');
  return new Response(JSON.stringify(body), { status: 401, statusText: response.statusText, headers });
}

/** The body as a JSON object: `{}` when empty, `undefined` when it is something else (left alone). */
async function readJsonObject(response: Response): Promise<Record<string, unknown> | undefined> {
  const text = await response.clone().text();
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
