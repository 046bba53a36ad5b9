import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { DeleteEntry } from '../core/account/deletes-log.ts';
import { registerTools } from '../core/mcp/register-tools.ts';
import { SERVER_INFO, serverInstructions } from '../core/mcp/server-info.ts';
import { singleUserContext, type SingleUserState } from './single-user-context.ts';

/**
 * There is no OAuth client here: the bearer token is the one credential. The log records the
 * token as "who" and the client's own name (from its initialize request) as "through which app".
 */
export const BEARER_CLIENT_ID = 'bearer-token';

/** One session's MCP server, with every tool of the Worker, over the one user's shared state. */
export function createSessionServer(state: SingleUserState): McpServer {
  const server = new McpServer(SERVER_INFO, { instructions: serverInstructions("this server's owner's") });
  registerTools(server, singleUserContext(state, () => clientOf(server)));
  return server;
}

function clientOf(server: McpServer): DeleteEntry['client'] {
  const info = server.server.getClientVersion();
  // Self-reported by the client, so only shown, and kept short.
  const name = (info?.title || info?.name || 'MCP client').slice(0, 100);
  return { id: BEARER_CLIENT_ID, name };
}
