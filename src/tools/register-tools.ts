import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerDeleteGenerationTool } from './delete-generation.tool.ts';
import { registerDeleteGenerationsTool } from './delete-generations.tool.ts';
import { registerGenerationsTools } from './generations.tool.ts';
import { registerPreferencesTools } from './preferences.tool.ts';
import { registerRecentDeletesTools } from './recent-deletes.tool.ts';
import type { ToolContext } from './tool-context.ts';

/** Every tool and resource this server offers, registered on one MCP server. */
export function registerTools(server: McpServer, context: ToolContext): void {
  registerGenerationsTools(server, context);
  registerDeleteGenerationTool(server, context);
  registerDeleteGenerationsTool(server, context);
  registerRecentDeletesTools(server, context);
  registerPreferencesTools(server, context);
}
