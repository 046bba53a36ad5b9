import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerDeleteGenerationTool } from '../tools/delete-generation.tool.ts';
import { registerDeleteGenerationsTool } from '../tools/delete-generations.tool.ts';
import { registerGenerationsTools } from '../tools/generations.tool.ts';
import { registerPreferencesTools } from '../tools/preferences.tool.ts';
import { registerRecentDeletesTools } from '../tools/recent-deletes.tool.ts';
import type { ToolContext } from '../tools/tool-context.ts';

/** Every tool and resource this server offers, registered on one MCP server. */
export function registerTools(server: McpServer, context: ToolContext): void {
  registerGenerationsTools(server, context);
  registerDeleteGenerationTool(server, context);
  registerDeleteGenerationsTool(server, context);
  registerRecentDeletesTools(server, context);
  registerPreferencesTools(server, context);
}
