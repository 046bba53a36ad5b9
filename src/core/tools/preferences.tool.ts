import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ToolContext } from './tool-context.ts';
import { failure, success } from './tool-result.ts';

export const SET_DELETE_CONFIRMATION = 'set_delete_confirmation';

export function registerPreferencesTools(server: McpServer, context: ToolContext): void {
  server.registerTool(
    SET_DELETE_CONFIRMATION,
    {
      title: 'Turn delete confirmations on or off',
      description:
        'Turns on or off, for the connected person, the confirmation question asked before each delete (in clients that can ask). ' +
        'Remembered across sessions and apps. Change it only when the person explicitly asks.',
      inputSchema: { enabled: z.boolean().describe('true: ask before every delete (the default). false: delete without asking.') },
      outputSchema: { confirm_deletes: z.boolean() },
      annotations: { title: 'Turn delete confirmations on or off', readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ enabled }) => {
      try {
        const preferences = await context.setPreferences({ confirm_deletes: enabled });
        return success(
          preferences.confirm_deletes
            ? 'Delete confirmations are on: you will be asked before each delete (in clients that can ask).'
            : 'Delete confirmations are off: deletes happen without asking.',
          { confirm_deletes: preferences.confirm_deletes },
        );
      } catch {
        console.error('set_delete_confirmation: saving the preference failed');
        return failure({ code: 'internal_error', message: 'Could not save the setting right now; it is unchanged. Try again in a moment.' }, {});
      }
    },
  );
}
