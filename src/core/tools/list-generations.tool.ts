import { z } from 'zod';
import { excerpt } from './describe.ts';
import { guarded, readError, summaryOf, summarySchema } from './generation-views.ts';
import type { ToolDefinition } from './tool-definition.ts';
import { failure, success } from './tool-result.ts';

export const LIST_GENERATIONS = 'list_generations';
const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 20;

const inputSchema = {
  limit: z.number().int().min(1).max(MAX_LIMIT).optional().describe(`Page size, 1–${MAX_LIMIT} (default ${DEFAULT_LIMIT}).`),
  offset: z.number().int().min(0).optional().describe('How many to skip (default 0); use `next_offset` from the previous page.'),
};

const outputSchema = {
  generations: z.array(summarySchema),
  count: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  has_more: z.boolean(),
  next_offset: z.number().int().optional().describe('Pass as `offset` for the next page; absent on the last page.'),
};

export const listGenerationsTool: ToolDefinition<typeof inputSchema, typeof outputSchema> = {
  name: LIST_GENERATIONS,
  title: 'List Luma generations',
  description:
    "Lists the connected person's Luma Dream Machine generations, newest first, one page at a time: ID, type, state, creation time, model and a prompt excerpt. " +
    "Use it to find the ID of a generation the person describes before getting or deleting it. Luma's API offers no filters beyond paging. Read-only.",
  annotations: { title: 'List Luma generations', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  inputSchema,
  outputSchema,

  run(args, call) {
    const limit = args.limit ?? DEFAULT_LIMIT;
    const offset = args.offset ?? 0;
    return guarded('list generations', async () => {
      const result = await call.account.listGenerations({ limit, offset });
      if (!result.ok) return failure(readError(result.error, 'list your generations', call.keyAdvice));
      const generations = (result.value.generations ?? []).map(summaryOf);
      // Luma says `has_more`; if it ever leaves it out, a full page means there may be more.
      const hasMore = result.value.has_more ?? generations.length === limit;
      const structured = { generations, count: generations.length, limit, offset, has_more: hasMore, ...(hasMore ? { next_offset: offset + generations.length } : {}) };
      const lines = generations.map(
        (g) => `- ${g.id}  ${g.generation_type ?? '?'}  ${g.state ?? '?'}  ${g.created_at ?? ''}${g.prompt ? `  "${excerpt(g.prompt, 60)}"` : ''}`,
      );
      const header = generations.length
        ? `Generations ${offset + 1}–${offset + generations.length}${hasMore ? ` (more: call again with offset ${offset + generations.length})` : ' (the last page)'}:`
        : offset > 0
          ? `No generations at offset ${offset}: you are past the last page.`
          : 'You have no generations.';
      return success([header, ...lines].join('\n'), structured);
    });
  },
};
