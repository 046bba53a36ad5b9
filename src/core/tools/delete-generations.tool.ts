import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { confirmWithPerson, describeGeneration, previewsToConfirm, type ToolExtra } from './confirmation.ts';
import {
  deleteOutcomeSchema,
  describeDeleteResult,
  generationIdSchema,
  internalDeleteError,
  NOT_DELETED,
  notConfirmedText,
  runDelete,
  toolErrorSchema,
  type DeleteGenerationResult,
} from './delete-generation.tool.ts';
import { checkGenerationId } from '../luma/generation-id.ts';
import type { ToolContext } from './tool-context.ts';
import { failure, success } from './tool-result.ts';

export const DELETE_GENERATIONS = 'delete_generations';
export const MAX_BULK_IDS = 50;
/** Deletes sent to Luma at once: quick for a person, gentle on Luma's rate limits. */
const CONCURRENCY = 4;

const inputSchema = {
  generation_ids: z
    .array(generationIdSchema('A generation UUID.'), { error: `generation_ids must be a list of 1 to ${MAX_BULK_IDS} generation UUIDs. ${NOT_DELETED}` })
    .min(1, `generation_ids is empty: give 1 to ${MAX_BULK_IDS} generation UUIDs. ${NOT_DELETED}`)
    .max(MAX_BULK_IDS, `At most ${MAX_BULK_IDS} generation IDs per call. ${NOT_DELETED}`)
    .describe(`The UUIDs of the generations to delete (1 to ${MAX_BULK_IDS}).`),
};

const itemSchema = z.object({
  generation_id: z.string(),
  outcome: deleteOutcomeSchema,
  deleted_at: z.string().optional(),
  deleted_by: z.string().optional(),
  note: z.string().optional(),
  error: toolErrorSchema.optional(),
});

const outputSchema = {
  results: z.array(itemSchema).describe('One per distinct ID, in the order given.'),
  summary: z.object({
    deleted: z.number().int(),
    already_deleted: z.number().int(),
    failed: z.number().int(),
    not_confirmed: z.number().int(),
  }),
  timestamp: z.string(),
};

type Item = Omit<DeleteGenerationResult, 'timestamp'>;

export async function deleteGenerations(args: { generation_ids: string[] }, context: ToolContext, server?: McpServer, extra?: ToolExtra): Promise<CallToolResult> {
  const now = () => (context.now?.() ?? new Date()).toISOString();

  // Every ID is checked before anything is sent: one bad ID rejects the whole call.
  const ids: string[] = [];
  const problems: string[] = [];
  args.generation_ids.forEach((candidate, index) => {
    const check = checkGenerationId(candidate);
    if (check.ok) ids.push(check.id);
    else problems.push(`item ${index + 1}: ${check.problem}`);
  });
  if (problems.length > 0) {
    const message = `Invalid generation_ids (${problems.length} of ${args.generation_ids.length}): ${problems.slice(0, 5).join(' ')}${problems.length > 5 ? ' …' : ''} ${NOT_DELETED}`;
    return failure({ code: 'invalid_generation_id', message }, { results: [], summary: summarise([]), timestamp: now() });
  }
  const distinct = [...new Set(ids)];

  if (server && extra) {
    const refused = await askFirst(distinct, context, server, extra, now);
    if (refused) return refused;
  }

  const items = await mapWithConcurrency(distinct, CONCURRENCY, async (id): Promise<Item> => {
    const result = await runDelete(id, context);
    if ('internal' in result) return { generation_id: id, outcome: 'failed', error: internalDeleteError(id) };
    const { timestamp: _timestamp, ...item } = describeDeleteResult(id, result, now(), context.keyAdvice).structured;
    return item;
  });
  const summary = summarise(items);
  const lines = items.map((item) => `- ${item.generation_id}: ${item.outcome}${item.error ? ` — ${item.error.message}` : ''}`);
  const text = `Deleted ${summary.deleted}, already deleted ${summary.already_deleted}, failed ${summary.failed} (of ${items.length}).\n${lines.join('\n')}`;
  const structured = { results: items, summary, timestamp: now() };
  // Any failure makes the call a failure, so that no client takes a partial result for a whole one.
  return summary.failed > 0
    ? { ...failure({ code: 'partial_failure', message: text }, structured), structuredContent: structured }
    : success(text, structured);
}

async function askFirst(ids: string[], context: ToolContext, server: McpServer, extra: ToolExtra, now: () => string): Promise<CallToolResult | undefined> {
  const pending = await previewsToConfirm(ids, context, server);
  if (!pending) return undefined;
  const shown = pending.slice(0, 10).map((preview) => `• ${describeGeneration(preview.generation_id, preview.known)}`);
  const more = pending.length > 10 ? `\n…and ${pending.length - 10} more.` : '';
  const answer = await confirmWithPerson(server, extra, `Delete these ${pending.length} Luma generations? This cannot be undone.\n${shown.join('\n')}${more}`);
  if (answer === 'confirmed' || answer === 'unsupported') return undefined;
  const items: Item[] = ids.map((id) => ({ generation_id: id, outcome: answer }));
  return success(notConfirmedText(`${pending.length} generations`, answer), { results: items, summary: summarise(items), timestamp: now() });
}

function summarise(items: Item[]) {
  const count = (outcome: Item['outcome']) => items.filter((item) => item.outcome === outcome).length;
  return {
    deleted: count('deleted'),
    already_deleted: count('already_deleted'),
    failed: count('failed'),
    not_confirmed: count('declined') + count('cancelled'),
  };
}

/** Like Promise.all over `items`, with at most `limit` running at once; keeps the order. */
async function mapWithConcurrency<T, R>(items: T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function registerDeleteGenerationsTool(server: McpServer, context: ToolContext): void {
  server.registerTool(
    DELETE_GENERATIONS,
    {
      title: 'Delete several Luma generations',
      description:
        `Permanently deletes up to ${MAX_BULK_IDS} Luma Dream Machine generations in one call and reports the outcome for each. This cannot be undone. ` +
        'Every ID is checked first: one malformed ID rejects the whole call and nothing is deleted. ' +
        'If the person\'s client supports it, they confirm the whole batch once. Use only for generations the person clearly asked to delete.',
      inputSchema,
      outputSchema,
      annotations: { title: 'Delete several Luma generations', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    },
    (args, extra) => deleteGenerations(args, context, server, extra),
  );
}
