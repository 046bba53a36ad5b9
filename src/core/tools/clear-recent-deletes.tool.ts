import { z } from 'zod';
import type { ToolDefinition } from './tool-definition.ts';
import { failure, success } from './tool-result.ts';

export const CLEAR_RECENT_DELETES = 'clear_recent_deletes';

const outputSchema = { cleared: z.number().int().describe('How many entries were removed.') };

export const clearRecentDeletesTool: ToolDefinition<Record<string, never>, typeof outputSchema> = {
  name: CLEAR_RECENT_DELETES,
  title: 'Clear the deletes log',
  description:
    "Empties the connected person's record of deleted generations on this server. The generations stay deleted at Luma; only the record goes. " +
    'Afterwards, repeating an old delete contacts Luma again and gets "not found". Use only when the person asks to clear their history.',
  annotations: { title: 'Clear the deletes log', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  inputSchema: {},
  outputSchema,

  async run(_args, call) {
    try {
      const { cleared } = await call.account.clearDeletes();
      return success(`Cleared ${cleared} entr${cleared === 1 ? 'y' : 'ies'} from your deletes log. The generations themselves stay deleted.`, { cleared });
    } catch {
      console.error('clear_recent_deletes: clearing the log failed');
      return failure({ code: 'internal_error', message: 'Could not clear the deletes log right now. Nothing was cleared; try again in a moment.' });
    }
  },
};
