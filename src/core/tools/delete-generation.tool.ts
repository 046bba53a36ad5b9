import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { LumaError } from '../luma/luma-error.ts';
import { confirmWithPerson, describeGeneration, previewsToConfirm, type Confirmation, type ToolExtra } from './confirmation.ts';
import { checkGenerationId } from '../luma/generation-id.ts';
import type { ToolContext } from './tool-context.ts';
import { describeLumaError, failure, success, type ToolError } from './tool-result.ts';
import type { DeleteCallResult } from '../account/user-account.ts';

export const DELETE_GENERATION = 'delete_generation';

export const NOT_DELETED = 'Nothing was deleted.';

/** A non-string ID never reaches a handler: the SDK answers it as a tool error with this message. */
export function generationIdSchema(description: string, consequence = NOT_DELETED) {
  return z.string({ error: (issue) => `Invalid generation_id: ${describeProblem(issue.input)} ${consequence}`.trim() }).describe(description);
}

const inputSchema = {
  // Strings are checked by the handler, so that every bad ID gets the same clear, structured answer.
  generation_id: generationIdSchema('The UUID of the Luma Dream Machine generation to delete, e.g. 123e4567-e89b-12d3-a456-426614174000.'),
};

export const deleteOutcomeSchema = z
  .enum(['deleted', 'already_deleted', 'declined', 'cancelled', 'failed'])
  .describe(
    '`deleted`: deleted by this call. `already_deleted`: deleted earlier (see `deleted_at`); nothing was sent to Luma this time. ' +
      '`declined` / `cancelled`: the person did not confirm; nothing was deleted. `failed`: see `error`.',
  );

export const toolErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  retry_after_seconds: z.number().optional(),
  luma_status: z.number().optional(),
  luma_detail: z.string().optional(),
});

const outputSchema = {
  generation_id: z.string().describe('The generation this result is about (as sent, when it was not a valid ID).'),
  outcome: deleteOutcomeSchema,
  timestamp: z.string().describe('When this result was determined (ISO 8601, UTC).'),
  deleted_at: z.string().optional().describe('When the generation was deleted (ISO 8601, UTC).'),
  deleted_by: z.string().optional().describe('The app (OAuth client) through which it was deleted.'),
  note: z.string().optional().describe('Anything unusual about how the outcome was established.'),
  error: toolErrorSchema.optional().describe('Present when `outcome` is `failed`.'),
};

export type DeleteOutcomeName = z.infer<typeof deleteOutcomeSchema>;

export interface DeleteGenerationResult {
  generation_id: string;
  outcome: DeleteOutcomeName;
  timestamp: string;
  deleted_at?: string;
  deleted_by?: string;
  note?: string;
  error?: ToolError;
}

function describeProblem(candidate: unknown): string {
  const check = checkGenerationId(candidate);
  return check.ok ? 'unexpected value.' : check.problem;
}

const LOST_ANSWER_NOTE =
  'The answer to the first attempt was lost (timeout, dropped connection or server error); the retry found the generation already gone, so that first attempt deleted it.';

/** What a delete came to, for a person (text) and for a program (structured), and whether it failed. */
export function describeDeleteResult(
  id: string,
  result: DeleteCallResult,
  timestamp: string,
  keyAdvice: string,
): { text: string; structured: DeleteGenerationResult } {
  if (!result.ok) {
    let error: ToolError;
    if (result.error.kind === 'no_api_key') {
      error = {
        code: 'no_api_key',
        message: `No Luma API key is connected to your account. ${keyAdvice} ${NOT_DELETED}`,
      };
    } else {
      error = describeLumaError(new LumaError(result.error), `delete generation ${id}`, NOT_DELETED, keyAdvice);
      if (error.code === 'luma_unavailable') {
        // Lost answers leave the outcome open; saying "nothing was deleted" could be false.
        error.message += ` It is not known whether the delete reached Luma; calling ${DELETE_GENERATION} again with the same ID is safe.`;
      }
    }
    return { text: error.message, structured: { generation_id: id, outcome: 'failed', timestamp, error } };
  }
  const { entry } = result;
  const structured: DeleteGenerationResult = { generation_id: id, outcome: result.status, timestamp, deleted_at: entry.deleted_at, deleted_by: entry.client.name };
  if (result.status === 'already_deleted') {
    return {
      text: `Generation ${id} was already deleted on ${entry.deleted_at} (through ${entry.client.name}). Nothing more was sent to Luma; there is nothing left to do.`,
      structured,
    };
  }
  if (entry.confirmed_by === 'gone_after_retry') {
    structured.note = LOST_ANSWER_NOTE;
    return { text: `Deleted generation ${id}. ${LOST_ANSWER_NOTE} This cannot be undone.`, structured };
  }
  return { text: `Deleted generation ${id}. This cannot be undone.`, structured };
}

/** Runs a delete, turning a failure of our own plumbing into an honest, structured answer. */
export async function runDelete(id: string, context: ToolContext): Promise<DeleteCallResult | { ok: false; internal: true }> {
  try {
    return await context.deleteGeneration(id);
  } catch {
    // Our own storage or plumbing failed; the details are for our logs, not for the model.
    console.error(`delete: internal failure while deleting ${id}`);
    return { ok: false, internal: true };
  }
}

export function internalDeleteError(id: string): ToolError {
  return {
    code: 'internal_error',
    message: `Could not delete generation ${id}: the server failed while handling the request. It is not known whether the delete reached Luma; calling ${DELETE_GENERATION} again with the same ID is safe.`,
  };
}

/** The person's answer when they did not say yes. */
export function notConfirmedText(what: string, answer: Exclude<Confirmation, 'confirmed' | 'unsupported'>): string {
  return answer === 'declined'
    ? `Not deleted: the person declined to delete ${what}. ${NOT_DELETED}`
    : `Not deleted: the confirmation for ${what} was cancelled or not answered. ${NOT_DELETED}`;
}

/** Runs the tool. Runtime-neutral: everything it touches comes in through `context` and `server`. */
export async function deleteGeneration(args: { generation_id: unknown }, context: ToolContext, server?: McpServer, extra?: ToolExtra): Promise<CallToolResult> {
  const now = () => (context.now?.() ?? new Date()).toISOString();
  const fail = (id: string, error: ToolError) => failure(error, { generation_id: id, outcome: 'failed', timestamp: now() } satisfies DeleteGenerationResult);

  const check = checkGenerationId(args.generation_id);
  if (!check.ok) {
    const shown = typeof args.generation_id === 'string' && args.generation_id.length <= 64 ? args.generation_id : '';
    return fail(shown, { code: 'invalid_generation_id', message: `Invalid generation_id: ${check.problem} ${NOT_DELETED}` });
  }
  const id = check.id;

  if (server && extra) {
    const asked = await askFirst(id, context, server, extra);
    if (asked) return asked;
  }

  const result = await runDelete(id, context);
  if ('internal' in result) return fail(id, internalDeleteError(id));
  const { text, structured } = describeDeleteResult(id, result, now(), context.keyAdvice);
  return structured.error ? failure(structured.error, { ...structured }) : success(text, { ...structured });
}

/**
 * When the person wants confirmations and their client can ask, asks before deleting. Returns the
 * result to give when the answer is not yes, or `undefined` to go ahead.
 */
async function askFirst(id: string, context: ToolContext, server: McpServer, extra: ToolExtra): Promise<CallToolResult | undefined> {
  const [preview] = (await previewsToConfirm([id], context, server)) ?? [];
  if (!preview) return undefined;
  const what = describeGeneration(id, preview.known);
  const answer = await confirmWithPerson(server, extra, `Delete the Luma generation ${what}? This cannot be undone.`);
  if (answer === 'confirmed' || answer === 'unsupported') return undefined;
  return success(notConfirmedText(`generation ${id}`, answer), {
    generation_id: id,
    outcome: answer,
    timestamp: (context.now?.() ?? new Date()).toISOString(),
  } satisfies DeleteGenerationResult);
}

export function registerDeleteGenerationTool(server: McpServer, context: ToolContext): void {
  server.registerTool(
    DELETE_GENERATION,
    {
      title: 'Delete a Luma generation',
      description:
        'Permanently deletes one Luma Dream Machine generation (video or image) by its ID. This cannot be undone. ' +
        'Use only when the person clearly asked to delete this specific generation; find IDs with list_generations or get_generation first. ' +
        'If the person\'s client supports it, they are asked to confirm first. For several IDs at once use delete_generations. ' +
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
    (args, extra) => deleteGeneration(args, context, server, extra),
  );
}
