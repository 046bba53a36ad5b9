import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { DeleteEntry } from '../account/deletes-log.ts';
import type { ToolContext } from './tool-context.ts';
import { failure, success } from './tool-result.ts';

export const LIST_RECENT_DELETES = 'list_recent_deletes';
export const CLEAR_RECENT_DELETES = 'clear_recent_deletes';
export const RECENT_DELETES_URI = 'luma://deletes/recent';

const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 20;

const entrySchema = z.object({
  generation_id: z.string(),
  deleted_at: z.string(),
  outcome: z.literal('deleted'),
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

const listOutput = {
  entries: z.array(entrySchema).describe('Newest first.'),
  next_cursor: z.string().optional().describe('Pass as `cursor` for the next, older page. Absent on the last page.'),
  source: z.enum(['edge_cache', 'log']).describe('Where this page was read from.'),
};

const listInput = {
  limit: z.number().int().min(1).max(MAX_LIMIT).optional().describe(`How many entries, 1–${MAX_LIMIT} (default ${DEFAULT_LIMIT}).`),
  cursor: z.string().max(32).optional().describe('`next_cursor` from the previous page.'),
  before: z.iso.datetime({ offset: true }).optional().describe('Only deletes before this time (ISO 8601).'),
};

function summarise(entries: DeleteEntry[]): string {
  if (entries.length === 0) return 'No deletes recorded.';
  return entries
    .map((entry) => {
      const what = entry.generation
        ? ` ${entry.generation.generation_type ?? 'generation'}${entry.generation.prompt ? `: "${entry.generation.prompt.slice(0, 60)}"` : ''}`
        : '';
      return `- ${entry.deleted_at}  ${entry.generation_id}${what} (via ${entry.client.name})`;
    })
    .join('\n');
}

export function registerRecentDeletesTools(server: McpServer, context: ToolContext): void {
  server.registerTool(
    LIST_RECENT_DELETES,
    {
      title: 'List recently deleted generations',
      description:
        'Lists the generations deleted through this server for the connected person, newest first: ID, when, through which app, and what was known about each. ' +
        'Use it to answer "what did I delete?" or to check before deleting again. Reads only this server\'s record; it does not contact Luma.',
      inputSchema: listInput,
      outputSchema: listOutput,
      annotations: { title: 'List recently deleted generations', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ limit, cursor, before }) => {
      try {
        const page = await context.listRecentDeletes({ limit: limit ?? DEFAULT_LIMIT, cursor, before });
        const more = page.next_cursor ? `\nMore: call again with cursor "${page.next_cursor}".` : '';
        return success(`${summarise(page.entries)}${more}`, { ...page });
      } catch {
        console.error('list_recent_deletes: reading the log failed');
        return failure({ code: 'internal_error', message: 'Could not read the deletes log right now. Try again in a moment.' }, {});
      }
    },
  );

  server.registerTool(
    CLEAR_RECENT_DELETES,
    {
      title: 'Clear the deletes log',
      description:
        'Empties the connected person\'s record of deleted generations on this server. The generations stay deleted at Luma; only the record goes. ' +
        'Afterwards, repeating an old delete contacts Luma again and gets "not found". Use only when the person asks to clear their history.',
      inputSchema: {},
      outputSchema: { cleared: z.number().int().describe('How many entries were removed.') },
      annotations: { title: 'Clear the deletes log', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async () => {
      try {
        const { cleared } = await context.clearRecentDeletes();
        return success(`Cleared ${cleared} entr${cleared === 1 ? 'y' : 'ies'} from your deletes log. The generations themselves stay deleted.`, { cleared });
      } catch {
        console.error('clear_recent_deletes: clearing the log failed');
        return failure({ code: 'internal_error', message: 'Could not clear the deletes log right now. Nothing was cleared; try again in a moment.' }, {});
      }
    },
  );

  server.registerResource(
    'recent-deletes',
    RECENT_DELETES_URI,
    {
      title: 'Recently deleted generations',
      description: `The newest ${MAX_LIMIT} deletes made through this server for the connected person (same content as ${LIST_RECENT_DELETES}).`,
      mimeType: 'application/json',
    },
    async (uri) => {
      const page = await context.listRecentDeletes({ limit: MAX_LIMIT });
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(page) }] };
    },
  );
}
