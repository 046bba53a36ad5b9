import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerDeleteGenerationTool } from './delete-generation.tool.ts';
import { registerRecentDeletesTools } from './recent-deletes.tool.ts';
import type { ToolContext } from './tool-context.ts';

/** Every tool and resource this server offers, registered on one MCP server. */
export function registerTools(server: McpServer, context: ToolContext): void {
  registerDeleteGenerationTool(server, context);
  registerRecentDeletesTools(server, context);
}
