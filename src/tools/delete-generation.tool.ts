import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { checkGenerationId } from './generation-id.ts';
import type { ToolContext } from './tool-context.ts';
import { LumaError } from '../luma/luma-error.ts';
import type { DeleteCallResult } from './deletes-log.ts';
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
    .enum(['deleted', 'already_deleted', 'failed'])
    .describe(
      '`deleted`: deleted by this call. `already_deleted`: deleted earlier (see `deleted_at`); nothing was sent to Luma this time. `failed`: see `error`.',
    ),
  timestamp: z.string().describe('When this result was determined (ISO 8601, UTC).'),
  deleted_at: z.string().optional().describe('When the generation was deleted (ISO 8601, UTC).'),
  deleted_by: z.string().optional().describe('The app (OAuth client) through which it was deleted.'),
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
  outcome: 'deleted' | 'already_deleted' | 'failed';
  timestamp: string;
  deleted_at?: string;
  deleted_by?: string;
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

  let result: DeleteCallResult;
  try {
    result = await context.deleteGeneration(id);
  } catch {
    // Our own storage or plumbing failed; the details are for our logs, not for the model.
    console.error(`delete_generation: internal failure while deleting ${id}`);
    return fail(id, {
      code: 'internal_error',
      message: `Could not delete generation ${id}: the server failed while handling the request. It is not known whether the delete reached Luma; calling ${DELETE_GENERATION} again with the same ID is safe.`,
    });
  }
  if (!result.ok) {
    if (result.error.kind === 'no_api_key') {
      return fail(id, {
        code: 'no_api_key',
        message: `No Luma API key is connected to your account. Reconnect this MCP server and paste your Luma API key on the consent page. ${NOT_DELETED}`,
      });
    }
    const described = describeLumaError(new LumaError(result.error), `delete generation ${id}`, NOT_DELETED);
    if (described.code === 'luma_unavailable') {
      // Lost answers leave the outcome open; saying "nothing was deleted" could be false.
      described.message += ` It is not known whether the delete reached Luma; calling ${DELETE_GENERATION} again with the same ID is safe.`;
    }
    return fail(id, described);
  }

  const { entry } = result;
  const structured: DeleteGenerationResult = {
    generation_id: id,
    outcome: result.status,
    timestamp: now(),
    deleted_at: entry.deleted_at,
    deleted_by: entry.client.name,
  };
  if (result.status === 'already_deleted') {
    return success(
      `Generation ${id} was already deleted on ${entry.deleted_at} (through ${entry.client.name}). Nothing more was sent to Luma; there is nothing left to do.`,
      structured,
    );
  }
  if (entry.confirmed_by === 'gone_after_retry') {
    structured.note =
      'The answer to the first attempt was lost (timeout, dropped connection or server error); the retry found the generation already gone, so that first attempt deleted it.';
    return success(`Deleted generation ${id}. ${structured.note} This cannot be undone.`, structured);
  }
  return success(`Deleted generation ${id}. This cannot be undone.`, structured);
}

export function registerDeleteGenerationTool(server: McpServer, context: ToolContext): void {
  server.registerTool(
    DELETE_GENERATION,
    {
      title: 'Delete a Luma generation',
      description:
        'Permanently deletes one Luma Dream Machine generation (video or image) by its ID. This cannot be undone. ' +
        'Use only when the person clearly asked to delete this specific generation. ' +
        'Repeating a delete is safe: a generation already deleted through this server is reported as `already_deleted` without contacting Luma again.',
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
