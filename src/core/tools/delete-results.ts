import { z } from 'zod';
import type { DeleteCallResult, UserAccount, ClientRef } from '../account/user-account.ts';
import { checkGenerationId } from '../luma/generation-id.ts';
import { LumaError } from '../luma/luma-error.ts';
import { describeLumaError, type ToolError } from './tool-result.ts';

/**
 * What both delete tools share: the ID schema, the outcome vocabulary, and how a delete's result
 * is told to a person and to a program.
 */
export const NOT_DELETED = 'Nothing was deleted.';

export const DELETE_GENERATION = 'delete_generation';

/** A non-string ID never reaches a handler: the SDK answers it as a tool error with this message. */
export function generationIdSchema(description: string, consequence = NOT_DELETED) {
  return z.string({ error: (issue) => `Invalid generation_id: ${describeProblem(issue.input)} ${consequence}`.trim() }).describe(description);
}

function describeProblem(candidate: unknown): string {
  const check = checkGenerationId(candidate);
  return check.ok ? 'unexpected value.' : check.problem;
}

export const deleteOutcomeSchema = z
  .enum(['deleted', 'already_deleted', 'gone_unconfirmed', 'declined', 'cancelled', 'failed'])
  .describe(
    '`deleted`: deleted by this call. `already_deleted`: deleted earlier (see `deleted_at`); nothing was sent to Luma this time. ' +
      '`gone_unconfirmed`: Luma no longer has this generation after an attempt whose answer was lost, but nothing shows it was ever in this account ' +
      '(a mistyped ID, or another account\'s): whether this server deleted it cannot be established; do not report it as deleted. ' +
      '`declined` / `cancelled`: the person did not confirm; nothing was deleted. `failed`: see `error`.',
  );

export type DeleteOutcomeName = z.infer<typeof deleteOutcomeSchema>;

export const toolErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  retry_after_seconds: z.number().optional(),
  luma_status: z.number().optional(),
  luma_detail: z.string().optional(),
});

export interface DeleteGenerationResult {
  generation_id: string;
  outcome: DeleteOutcomeName;
  timestamp: string;
  deleted_at?: string;
  deleted_by?: string;
  note?: string;
  error?: ToolError;
}

const LOST_ANSWER_NOTE =
  'The answer to the first attempt was lost (timeout, dropped connection or server error); the retry found the generation already gone, so that first attempt deleted it.';

/** Luma no longer has it, but this account is not known to have had it: neither "deleted" nor "nothing was deleted". */
export const UNCONFIRMED_NOTE =
  'An attempt to delete it lost its answer (timeout, dropped connection or server error), and Luma now has no generation with this ID. ' +
  'Nothing shows it was ever in this account (it was not seen by an earlier list or get), so whether this server deleted it cannot be established: ' +
  'the ID may be mistyped or belong to another account. Check the ID with list_generations.';

/** What a delete came to, for a person (text) and for a program (structured). */
export function describeDeleteResult(id: string, result: DeleteCallResult, timestamp: string, keyAdvice: string): { text: string; structured: DeleteGenerationResult } {
  if (!result.ok) {
    let error: ToolError;
    if (result.error.kind === 'no_api_key') {
      error = { code: 'no_api_key', message: `No Luma API key is connected to your account. ${keyAdvice} ${NOT_DELETED}` };
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
  if (result.status === 'gone_unconfirmed') {
    structured.note = UNCONFIRMED_NOTE;
    const when = result.from_log ? ` (recorded so on ${entry.deleted_at}; nothing more was sent to Luma)` : '';
    return { text: `Generation ${id} is gone, but it is not confirmed that it was deleted${when}. ${UNCONFIRMED_NOTE}`, structured };
  }
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

/** Runs one delete, turning a failure of our own plumbing into an honest, structured answer. */
export async function runDelete(id: string, account: UserAccount, client: ClientRef, timestamp: () => string, keyAdvice: string): Promise<{ text: string; structured: DeleteGenerationResult }> {
  try {
    return describeDeleteResult(id, await account.deleteGeneration(id, client), timestamp(), keyAdvice);
  } catch {
    // Our own storage or plumbing failed; the details are for our logs, not for the model.
    console.error(`delete: internal failure while deleting ${id}`);
    const error: ToolError = {
      code: 'internal_error',
      message: `Could not delete generation ${id}: the server failed while handling the request. It is not known whether the delete reached Luma; calling ${DELETE_GENERATION} again with the same ID is safe.`,
    };
    return { text: error.message, structured: { generation_id: id, outcome: 'failed', timestamp: timestamp(), error } };
  }
}
