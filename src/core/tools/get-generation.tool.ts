import { z } from 'zod';
import { checkGenerationId } from '../luma/generation-id.ts';
import { generationIdSchema } from './delete-results.ts';
import { detailOf, guarded, readError } from './generation-views.ts';
import type { ToolDefinition } from './tool-definition.ts';
import { failure, success } from './tool-result.ts';

export const GET_GENERATION = 'get_generation';

const inputSchema = {
  generation_id: generationIdSchema('The UUID of the generation, e.g. 123e4567-e89b-12d3-a456-426614174000.', ''),
};

const outputSchema = {
  id: z.string(),
  generation_type: z.string().optional(),
  state: z.string().optional().describe('queued, dreaming, completed or failed.'),
  failure_reason: z.string().optional(),
  created_at: z.string().optional(),
  model: z.string().optional(),
  prompt: z.string().optional(),
  assets: z.record(z.string(), z.string()).optional().describe('Asset URLs by kind (video, image, progress_video, …).'),
};

export const getGenerationTool: ToolDefinition<typeof inputSchema, typeof outputSchema> = {
  name: GET_GENERATION,
  title: 'Get a Luma generation',
  description:
    'Gets one generation by ID: type, state (and why it failed, if it did), model, full prompt, creation time and asset URLs. ' +
    'Use it to show the person what a generation is before deleting it. Read-only.',
  annotations: { title: 'Get a Luma generation', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  inputSchema,
  outputSchema,

  async run(args, call) {
    const check = checkGenerationId(args.generation_id);
    if (!check.ok) return failure({ code: 'invalid_generation_id', message: `Invalid generation_id: ${check.problem}` });
    const id = check.id;
    return guarded('get the generation', async () => {
      const result = await call.account.getGeneration(id);
      if (!result.ok) return failure(readError(result.error, `get generation ${id}`, call.keyAdvice));
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
  },
};
