import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerDeleteGenerationTool } from './delete-generation.tool.ts';
import type { ToolContext } from './tool-context.ts';

/** Every tool this server offers, registered on one MCP server. */
export function registerTools(server: McpServer, context: ToolContext): void {
  registerDeleteGenerationTool(server, context);
}
