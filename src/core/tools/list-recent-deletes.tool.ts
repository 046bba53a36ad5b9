import { z } from 'zod';
import type { DeleteEntry } from '../account/deletes-log.ts';
import type { ToolDefinition } from './tool-definition.ts';
import { failure, success } from './tool-result.ts';

export const LIST_RECENT_DELETES = 'list_recent_deletes';
export const MAX_RECENT_DELETES = 100;
const DEFAULT_LIMIT = 20;

const entrySchema = z.object({
  generation_id: z.string(),
  deleted_at: z.string(),
  outcome: z
    .enum(['deleted', 'gone_unconfirmed'])
    .describe('`deleted`: Luma confirmed it, or it was gone after a lost answer and this account had it. `gone_unconfirmed`: gone after a lost answer, with no sign it was ever in this account; not claimed as deleted.'),
  confirmed_by: z.enum(['luma', 'gone_after_retry']),
  client: z.object({ id: z.string(), name: z.string() }),
  generation: z
    .object({
      generation_type: z.string().optional(),
      state: z.string().optional(),
      model: z.string().optional(),
      prompt: z.string().optional(),
      created_at: z.string().optional(),
      assets: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
});

const inputSchema = {
  limit: z.number().int().min(1).max(MAX_RECENT_DELETES).optional().describe(`How many entries, 1–${MAX_RECENT_DELETES} (default ${DEFAULT_LIMIT}).`),
  cursor: z.string().max(32).optional().describe('`next_cursor` from the previous page.'),
  before: z.iso.datetime({ offset: true }).optional().describe('Only deletes before this time (ISO 8601).'),
};

const outputSchema = {
  entries: z.array(entrySchema).describe('Newest first.'),
  next_cursor: z.string().optional().describe('Pass as `cursor` for the next, older page. Absent on the last page.'),
  source: z.enum(['edge_cache', 'log']).describe('Where this page was read from.'),
};

export const listRecentDeletesTool: ToolDefinition<typeof inputSchema, typeof outputSchema> = {
  name: LIST_RECENT_DELETES,
  title: 'List recently deleted generations',
  description:
    'Lists the generations deleted through this server for the connected person, newest first: ID, when, through which app, and what was known about each. ' +
    'Use it to answer "what did I delete?" or to check before deleting again. Reads only this server\'s record; it does not contact Luma.',
  annotations: { title: 'List recently deleted generations', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  inputSchema,
  outputSchema,

  async run({ limit, cursor, before }, call) {
    try {
      const page = await call.account.listDeletes({ limit: limit ?? DEFAULT_LIMIT, cursor, before });
      const more = page.next_cursor ? `\nMore: call again with cursor "${page.next_cursor}".` : '';
      return success(`${summarise(page.entries)}${more}`, { ...page });
    } catch {
      console.error('list_recent_deletes: reading the log failed');
      return failure({ code: 'internal_error', message: 'Could not read the deletes log right now. Try again in a moment.' });
    }
  },
};

function summarise(entries: DeleteEntry[]): string {
  if (entries.length === 0) return 'No deletes recorded.';
  return entries
    .map((entry) => {
      const what = entry.generation
        ? ` ${entry.generation.generation_type ?? 'generation'}${entry.generation.prompt ? `: "${entry.generation.prompt.slice(0, 60)}"` : ''}`
        : '';
      const unconfirmed = entry.outcome === 'gone_unconfirmed' ? ' [gone, not confirmed deleted by this server]' : '';
      return `- ${entry.deleted_at}  ${entry.generation_id}${what} (via ${entry.client.name})${unconfirmed}`;
    })
    .join('\n');
}
