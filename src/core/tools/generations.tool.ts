import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Generation } from '../luma/luma-client.ts';
import { LumaError } from '../luma/luma-error.ts';
import { excerpt } from './confirmation.ts';
import { generationIdSchema } from './delete-generation.tool.ts';
import { checkGenerationId } from '../luma/generation-id.ts';
import type { ToolContext } from './tool-context.ts';
import { describeLumaError, failure, success, type ToolError } from './tool-result.ts';
import { assetUrls, type ActionError } from '../account/user-account.ts';

export const LIST_GENERATIONS = 'list_generations';
export const GET_GENERATION = 'get_generation';

const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 20;

const summarySchema = z.object({
  id: z.string(),
  generation_type: z.string().optional(),
  state: z.string().optional(),
  created_at: z.string().optional(),
  model: z.string().optional(),
  prompt: z.string().optional().describe('The prompt, cut to 200 characters.'),
});

const detailSchema = {
  id: z.string(),
  generation_type: z.string().optional(),
  state: z.string().optional().describe('queued, dreaming, completed or failed.'),
  failure_reason: z.string().optional(),
  created_at: z.string().optional(),
  model: z.string().optional(),
  prompt: z.string().optional(),
  assets: z.record(z.string(), z.string()).optional().describe('Asset URLs by kind (video, image, progress_video, …).'),
};

function summaryOf(generation: Generation) {
  const prompt = typeof generation.request?.prompt === 'string' ? generation.request.prompt : undefined;
  return {
    id: generation.id,
    ...(generation.generation_type ? { generation_type: generation.generation_type } : {}),
    ...(generation.state ? { state: generation.state } : {}),
    ...(generation.created_at ? { created_at: generation.created_at } : {}),
    ...(generation.model ? { model: generation.model } : {}),
    ...(prompt ? { prompt: excerpt(prompt, 200) } : {}),
  };
}

function detailOf(generation: Generation) {
  const assets = assetUrls(generation);
  const prompt = typeof generation.request?.prompt === 'string' ? generation.request.prompt : undefined;
  return {
    ...summaryOf(generation),
    ...(prompt ? { prompt } : {}),
    ...(generation.failure_reason ? { failure_reason: generation.failure_reason } : {}),
    ...(Object.keys(assets).length ? { assets } : {}),
  };
}

function readError(error: ActionError, action: string, keyAdvice: string): ToolError {
  if (error.kind === 'no_api_key') {
    return { code: 'no_api_key', message: `Could not ${action}: no Luma API key is connected to your account. ${keyAdvice}` };
  }
  return describeLumaError(new LumaError(error), action, '', keyAdvice);
}

async function guarded(action: string, run: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await run();
  } catch {
    console.error(`${action}: internal failure`);
    return failure({ code: 'internal_error', message: `Could not ${action}: the server failed while handling the request. Try again in a moment.` }, {});
  }
}

export async function listGenerations(args: { limit?: number; offset?: number }, context: ToolContext): Promise<CallToolResult> {
  const limit = args.limit ?? DEFAULT_LIMIT;
  const offset = args.offset ?? 0;
  return guarded('list generations', async () => {
    const result = await context.listGenerations({ limit, offset });
    if (!result.ok) return failure(readError(result.error, 'list your generations', context.keyAdvice), {});
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
}

export async function getGeneration(args: { generation_id: string }, context: ToolContext): Promise<CallToolResult> {
  const check = checkGenerationId(args.generation_id);
  if (!check.ok) return failure({ code: 'invalid_generation_id', message: `Invalid generation_id: ${check.problem}` }, {});
  const id = check.id;
  return guarded('get the generation', async () => {
    const result = await context.getGeneration(id);
    if (!result.ok) return failure(readError(result.error, `get generation ${id}`, context.keyAdvice), {});
    const detail = detailOf(result.value);
    const lines = [
      `Generation ${detail.id}: ${detail.generation_type ?? 'generation'}, ${detail.state ?? 'unknown state'}${detail.model ? `, model ${detail.model}` : ''}.`,
      ...(detail.created_at ? [`Created: ${detail.created_at}`] : []),
      ...(detail.failure_reason ? [`Failure reason: ${detail.failure_reason}`] : []),
      ...(detail.prompt ? [`Prompt: ${detail.prompt}`] : []),
      ...Object.entries(detail.assets ?? {}).map(([kind, url]) => `${kind}: ${url}`),
    ];
    return success(lines.join('\n'), detail);
  });
}

export function registerGenerationsTools(server: McpServer, context: ToolContext): void {
  server.registerTool(
    LIST_GENERATIONS,
    {
      title: 'List Luma generations',
      description:
        'Lists the connected person\'s Luma Dream Machine generations, newest first, one page at a time: ID, type, state, creation time, model and a prompt excerpt. ' +
        'Use it to find the ID of a generation the person describes before getting or deleting it. Luma\'s API offers no filters beyond paging. Read-only.',
      inputSchema: {
        limit: z.number().int().min(1).max(MAX_LIMIT).optional().describe(`Page size, 1–${MAX_LIMIT} (default ${DEFAULT_LIMIT}).`),
        offset: z.number().int().min(0).optional().describe('How many to skip (default 0); use `next_offset` from the previous page.'),
      },
      outputSchema: {
        generations: z.array(summarySchema),
        count: z.number().int(),
        limit: z.number().int(),
        offset: z.number().int(),
        has_more: z.boolean(),
        next_offset: z.number().int().optional().describe('Pass as `offset` for the next page; absent on the last page.'),
      },
      annotations: { title: 'List Luma generations', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    },
    (args) => listGenerations(args, context),
  );

  server.registerTool(
    GET_GENERATION,
    {
      title: 'Get a Luma generation',
      description:
        'Gets one generation by ID: type, state (and why it failed, if it did), model, full prompt, creation time and asset URLs. ' +
        'Use it to show the person what a generation is before deleting it. Read-only.',
      inputSchema: { generation_id: generationIdSchema('The UUID of the generation, e.g. 123e4567-e89b-12d3-a456-426614174000.', '') },
      outputSchema: detailSchema,
      annotations: { title: 'Get a Luma generation', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    },
    (args) => getGeneration(args, context),
  );
}
