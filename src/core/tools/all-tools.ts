import { clearRecentDeletesTool } from './clear-recent-deletes.tool.ts';
import { deleteGenerationTool } from './delete-generation.tool.ts';
import { deleteGenerationsTool } from './delete-generations.tool.ts';
import { getGenerationTool } from './get-generation.tool.ts';
import { listGenerationsTool } from './list-generations.tool.ts';
import { listRecentDeletesTool } from './list-recent-deletes.tool.ts';
import { recentDeletesResource } from './recent-deletes.resource.ts';
import { setDeleteConfirmationTool } from './set-delete-confirmation.tool.ts';
import type { ResourceDefinition, ToolDefinition } from './tool-definition.ts';

/** Every tool this server offers, in the order clients list them. A new tool is added here, once. */
export const ALL_TOOLS: readonly ToolDefinition<any, any>[] = [
  listGenerationsTool,
  getGenerationTool,
  deleteGenerationTool,
  deleteGenerationsTool,
  listRecentDeletesTool,
  clearRecentDeletesTool,
  setDeleteConfirmationTool,
];

export const ALL_RESOURCES: readonly ResourceDefinition[] = [recentDeletesResource];
