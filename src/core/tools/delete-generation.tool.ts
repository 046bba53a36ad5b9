import { z } from 'zod';
import { checkGenerationId } from '../luma/generation-id.ts';
import { askBeforeDeleting, notConfirmedText } from './confirmation.ts';
import { DELETE_GENERATION, deleteOutcomeSchema, generationIdSchema, NOT_DELETED, runDelete, toolErrorSchema, type DeleteGenerationResult } from './delete-results.ts';
import { nowOf, type ToolDefinition } from './tool-definition.ts';
import { failure, success } from './tool-result.ts';

const inputSchema = {
  // Strings are checked by the handler, so that every bad ID gets the same clear, structured answer.
  generation_id: generationIdSchema('The UUID of the Luma Dream Machine generation to delete, e.g. 123e4567-e89b-12d3-a456-426614174000.'),
};

const outputSchema = {
  generation_id: z.string().describe('The generation this result is about (as sent, when it was not a valid ID).'),
  outcome: deleteOutcomeSchema,
  timestamp: z.string().describe('When this result was determined (ISO 8601, UTC).'),
  deleted_at: z.string().optional().describe('When the generation was deleted (ISO 8601, UTC).'),
  deleted_by: z.string().optional().describe('The app (OAuth client) through which it was deleted.'),
  note: z.string().optional().describe('Anything unusual about how the outcome was established.'),
  error: toolErrorSchema.optional().describe('Present when `outcome` is `failed`.'),
};

export const deleteGenerationTool: ToolDefinition<typeof inputSchema, typeof outputSchema> = {
  name: DELETE_GENERATION,
  title: 'Delete a Luma generation',
  description:
    'Permanently deletes one Luma Dream Machine generation (video or image) by its ID. This cannot be undone. ' +
    'Use only when the person clearly asked to delete this specific generation; find IDs with list_generations or get_generation first. ' +
    "If the person's client supports it, they are asked to confirm first. For several IDs at once use delete_generations. " +
    'Repeating a delete is safe: a generation already deleted through this server is reported as `already_deleted` without contacting Luma again.',
  annotations: { title: 'Delete a Luma generation', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  inputSchema,
  outputSchema,

  async run(args, call) {
    const now = () => nowOf(call);
    const check = checkGenerationId(args.generation_id);
    if (!check.ok) {
      const shown = typeof args.generation_id === 'string' && args.generation_id.length <= 64 ? args.generation_id : '';
      return failure(
        { code: 'invalid_generation_id', message: `Invalid generation_id: ${check.problem} ${NOT_DELETED}` },
        { generation_id: shown, outcome: 'failed', timestamp: now() } satisfies Omit<DeleteGenerationResult, 'error'>,
      );
    }
    const id = check.id;

    const clearance = await askBeforeDeleting(DELETE_GENERATION, [id], call);
    if (!clearance.proceed) {
      if ('error' in clearance) return failure(clearance.error, { generation_id: id, outcome: 'failed', timestamp: now() });
      return success(notConfirmedText(`generation ${id}`, clearance.answer), {
        generation_id: id,
        outcome: clearance.answer,
        timestamp: now(),
      } satisfies DeleteGenerationResult);
    }

    const { text, structured } = await runDelete(id, call.account, call.client, now, call.keyAdvice);
    if (structured.error) {
      const { error, ...rest } = structured;
      return failure(error, { ...rest });
    }
    return success(text, { ...structured });
  },
};
