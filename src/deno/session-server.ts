import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { UserAccount } from '../core/account/user-account.ts';
import { registerOnLegacyServer } from '../core/mcp/legacy-server.ts';
import { SERVER_INFO, serverInstructions } from '../core/mcp/server-info.ts';
import { singleUserContext } from './single-user-context.ts';

export const OWNER = "this server's owner's";

/** One 2025-era session's MCP server, with every tool of the Worker, over the one user's account. */
export function createSessionServer(account: UserAccount): McpServer {
  const server = new McpServer(SERVER_INFO, { instructions: serverInstructions(OWNER) });
  registerOnLegacyServer(server, () => singleUserContext(account, server.server.getClientVersion()));
  return server;
}
