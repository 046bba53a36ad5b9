import { z } from 'zod';
import { checkGenerationId } from '../luma/generation-id.ts';
import { askBeforeDeleting, notConfirmedText } from './confirmation.ts';
import { deleteOutcomeSchema, generationIdSchema, NOT_DELETED, runDelete, toolErrorSchema, type DeleteGenerationResult } from './delete-results.ts';
import { nowOf, type ToolDefinition } from './tool-definition.ts';
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
    gone_unconfirmed: z.number().int().optional().describe('Present when some IDs were gone at Luma without evidence they were this account\'s (see each note).'),
    failed: z.number().int(),
    not_confirmed: z.number().int(),
  }),
  timestamp: z.string(),
  error: toolErrorSchema.optional().describe('Present when the call failed: `partial_failure` (see each result), or why nothing was attempted.'),
};

type Item = Omit<DeleteGenerationResult, 'timestamp'>;

export const deleteGenerationsTool: ToolDefinition<typeof inputSchema, typeof outputSchema> = {
  name: DELETE_GENERATIONS,
  title: 'Delete several Luma generations',
  description:
    `Permanently deletes up to ${MAX_BULK_IDS} Luma Dream Machine generations in one call and reports the outcome for each. This cannot be undone. ` +
    'Every ID is checked first: one malformed ID rejects the whole call and nothing is deleted. ' +
    "If the person's client supports it, they confirm the whole batch once. Use only for generations the person clearly asked to delete.",
  annotations: { title: 'Delete several Luma generations', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  inputSchema,
  outputSchema,

  async run(args, call) {
    const now = () => nowOf(call);

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

    const clearance = await askBeforeDeleting(DELETE_GENERATIONS, distinct, call);
    if (!clearance.proceed) {
      if ('error' in clearance) return failure(clearance.error, { results: [], summary: summarise([]), timestamp: now() });
      const items: Item[] = distinct.map((id) => ({ generation_id: id, outcome: clearance.answer }));
      return success(notConfirmedText(`${distinct.length} generations`, clearance.answer), { results: items, summary: summarise(items), timestamp: now() });
    }

    const items = await mapWithConcurrency(distinct, CONCURRENCY, async (id): Promise<Item> => {
      const { timestamp: _timestamp, ...item } = (await runDelete(id, call.account, call.client, now, call.keyAdvice)).structured;
      return item;
    });
    const summary = summarise(items);
    const lines = items.map((item) => `- ${item.generation_id}: ${item.outcome}${item.error ? ` — ${item.error.message}` : ''}`);
    const unconfirmed = summary.gone_unconfirmed ? `, gone but not confirmed deleted ${summary.gone_unconfirmed} (see each note)` : '';
    const text = `Deleted ${summary.deleted}, already deleted ${summary.already_deleted}${unconfirmed}, failed ${summary.failed} (of ${items.length}).\n${lines.join('\n')}`;
    const structured = { results: items, summary, timestamp: now() };
    // Any failure makes the call a failure, so that no client takes a partial result for a whole one.
    return summary.failed > 0 ? failure({ code: 'partial_failure', message: text }, structured) : success(text, structured);
  },
};

function summarise(items: Item[]) {
  const count = (outcome: Item['outcome']) => items.filter((item) => item.outcome === outcome).length;
  return {
    deleted: count('deleted'),
    already_deleted: count('already_deleted'),
    ...(count('gone_unconfirmed') ? { gone_unconfirmed: count('gone_unconfirmed') } : {}),
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
