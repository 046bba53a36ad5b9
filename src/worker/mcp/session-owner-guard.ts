import type { AuthProps, Env } from '../env.ts';

type Transport = 'streamable-http' | 'sse';

interface FetchHandler {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response>;
}

/**
 * `McpAgent` finds a session's Durable Object by the session ID alone (`streamable-http:<id>`,
 * `sse:<id>`), and its legacy SSE route even lets a client name the ID it wants. The object keeps
 * the props of whoever opened the session, so without this check another signed-in user holding
 * the ID could act as that person. The session's owner is compared with the token's user on every
 * request that names a session; a mismatch looks exactly like an unknown session (404).
 */
export function guardSessionOwner(handler: FetchHandler, transport: Transport): FetchHandler {
  return {
    async fetch(request, env, ctx) {
      const sessionId = transport === 'sse' ? new URL(request.url).searchParams.get('sessionId') : request.headers.get('mcp-session-id');
      if (sessionId) {
        const caller = (ctx as ExecutionContext & { props?: AuthProps }).props?.userId;
        const session = env.MCP_OBJECT.get(env.MCP_OBJECT.idFromName(`${transport}:${sessionId}`));
        const owner = await session.sessionOwner();
        if (owner !== undefined && owner !== caller) return sessionNotFound();
      }
      return handler.fetch(request, env, ctx);
    },
  };
}

function sessionNotFound(): Response {
  return Response.json({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }, { status: 404 });
}
