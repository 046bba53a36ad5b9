import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { checkGenerationId } from './generation-id.ts';
import type { ToolContext } from './tool-context.ts';
import { describeLumaError, failure, success, type ToolError } from './tool-result.ts';

export const DELETE_GENERATION = 'delete_generation';

const inputSchema = {
  // A non-string never reaches the handler: the SDK answers it as a tool error with this message.
  // Strings are checked by the handler, so that every bad ID gets the same clear, structured answer.
  generation_id: z
    .string({ error: (issue) => `Invalid generation_id: ${describeProblem(issue.input)} ${NOT_DELETED}` })
    .describe('The UUID of the Luma Dream Machine generation to delete, e.g. 123e4567-e89b-12d3-a456-426614174000.'),
};

const outputSchema = {
  generation_id: z.string().describe('The generation this result is about (as sent, when it was not a valid ID).'),
  outcome: z
    .enum(['deleted', 'failed'])
    .describe('`deleted`: Luma no longer has the generation because of this call. `failed`: see `error`.'),
  timestamp: z.string().describe('When this result was determined (ISO 8601, UTC).'),
  deleted_at: z.string().optional().describe('When the generation was deleted (ISO 8601, UTC).'),
  note: z.string().optional().describe('Anything unusual about how the outcome was established.'),
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      retry_after_seconds: z.number().optional(),
      luma_status: z.number().optional(),
      luma_detail: z.string().optional(),
    })
    .optional()
    .describe('Present when `outcome` is `failed`.'),
};

export type DeleteGenerationResult = {
  generation_id: string;
  outcome: 'deleted' | 'failed';
  timestamp: string;
  deleted_at?: string;
  note?: string;
};

const NOT_DELETED = 'Nothing was deleted.';

function describeProblem(candidate: unknown): string {
  const check = checkGenerationId(candidate);
  return check.ok ? 'unexpected value.' : check.problem;
}

/** Runs the tool. Runtime-neutral: everything it touches comes in through `context`. */
export async function deleteGeneration(args: { generation_id: unknown }, context: ToolContext): Promise<CallToolResult> {
  const now = () => (context.now?.() ?? new Date()).toISOString();
  const fail = (id: string, error: ToolError) => failure(error, { generation_id: id, outcome: 'failed', timestamp: now() } satisfies DeleteGenerationResult);

  const check = checkGenerationId(args.generation_id);
  if (!check.ok) {
    const shown = typeof args.generation_id === 'string' && args.generation_id.length <= 64 ? args.generation_id : '';
    return fail(shown, { code: 'invalid_generation_id', message: `Invalid generation_id: ${check.problem} ${NOT_DELETED}` });
  }
  const id = check.id;

  const apiKey = await context.getLumaKey();
  if (!apiKey) {
    return fail(id, {
      code: 'no_api_key',
      message: `No Luma API key is connected to your account. Reconnect this MCP server and paste your Luma API key on the consent page. ${NOT_DELETED}`,
    });
  }

  try {
    const outcome = await context.lumaClient(apiKey).deleteGeneration(id);
    const at = now();
    if (outcome.confirmedBy === 'gone_after_retry') {
      const note =
        'The answer to the first attempt was lost (timeout, dropped connection or server error); the retry found the generation already gone, so that first attempt deleted it.';
      return success(`Deleted generation ${id}. ${note} This cannot be undone.`, {
        generation_id: id,
        outcome: 'deleted',
        timestamp: at,
        deleted_at: at,
        note,
      } satisfies DeleteGenerationResult);
    }
    return success(`Deleted generation ${id}. This cannot be undone.`, {
      generation_id: id,
      outcome: 'deleted',
      timestamp: at,
      deleted_at: at,
    } satisfies DeleteGenerationResult);
  } catch (error) {
    const described = describeLumaError(error, `delete generation ${id}`, NOT_DELETED);
    if (described.code === 'luma_unavailable' || described.code === 'internal_error') {
      // Lost answers leave the outcome open; saying "nothing was deleted" could be false.
      described.message += ` It is not known whether the delete reached Luma; calling ${DELETE_GENERATION} again with the same ID is safe.`;
    }
    return fail(id, described);
  }
}

export function registerDeleteGenerationTool(server: McpServer, context: ToolContext): void {
  server.registerTool(
    DELETE_GENERATION,
    {
      title: 'Delete a Luma generation',
      description:
        'Permanently deletes one Luma Dream Machine generation (video or image) by its ID. This cannot be undone. ' +
        'Use only when the person clearly asked to delete this specific generation. Deleting an ID that is already gone is reported, never silently ignored.',
      inputSchema,
      outputSchema,
      annotations: {
        title: 'Delete a Luma generation',
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: true,
        openWorldHint: true,
      },
    },
    (args) => deleteGeneration(args, context),
  );
}
