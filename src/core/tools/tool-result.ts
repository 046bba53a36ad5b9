import { LumaError } from '../luma/luma-error.ts';
import type { ToolResult } from './tool-definition.ts';

/** Machine-readable reasons a tool call failed; the text block says the same for a person. */
export type ToolErrorCode =
  | 'invalid_generation_id'
  | 'no_api_key'
  | 'key_rejected'
  | 'not_found'
  | 'rate_limited'
  | 'luma_unavailable'
  | 'luma_rejected'
  | 'internal_error'
  /** A bulk call where some items failed: see each item's own error. */
  | 'partial_failure'
  /** The client cannot ask the person, and this change needs the person's own yes. */
  | 'confirmation_unavailable'
  /** A 2026-07-28 confirmation that was forged, altered, expired, or given for another request. */
  | 'confirmation_invalid';

export interface ToolError {
  code: ToolErrorCode;
  message: string;
  /** For `rate_limited`: when to try again, as Luma said. */
  retry_after_seconds?: number;
  /** Luma's HTTP status and its own `detail` text, when there was an answer. */
  luma_status?: number;
  luma_detail?: string;
}

export function success(text: string, structuredContent: Record<string, unknown>): ToolResult {
  return { content: [{ type: 'text', text }], structuredContent };
}

/**
 * A failed call. `structuredContent` is given only by tools whose output schema has room for the
 * failure (the delete tools: an outcome per generation, with its `error`); the others fail with
 * text alone, so that no client's output-schema validation turns a clear message into a protocol
 * error.
 */
export function failure(error: ToolError, structuredContent?: Record<string, unknown>): ToolResult {
  return {
    content: [{ type: 'text', text: error.message }],
    ...(structuredContent ? { structuredContent: { ...structuredContent, error } } : {}),
    isError: true,
  };
}

/**
 * Turns a Luma failure into what the person should know and do. `action` names what was being
 * attempted ("delete generation …"); `notDone` says what did not happen, so nobody is left
 * guessing whether something irreversible took place.
 */
export function describeLumaError(error: unknown, action: string, notDone: string, keyAdvice: string): ToolError {
  if (!(error instanceof LumaError)) {
    return { code: 'internal_error', message: `Could not ${action}: an unexpected error occurred on the server. ${notDone}` };
  }
  const said = error.detail ? ` Luma said: "${error.detail}".` : '';
  const upstream = { luma_status: error.status, luma_detail: error.detail };
  switch (error.kind) {
    case 'unauthorized':
      return {
        code: 'key_rejected',
        message: `Could not ${action}: Luma rejected the connected API key (HTTP ${error.status}).${said} ${keyAdvice} ${notDone}`,
        ...upstream,
      };
    case 'not_found':
      return {
        code: 'not_found',
        message: `Could not ${action}: Luma has no such generation for this account (HTTP 404).${said} Check the ID: it may be mistyped, already deleted, or belong to another account. ${notDone}`,
        ...upstream,
      };
    case 'rate_limited': {
      const when = error.retryAfterSeconds !== undefined ? `in ${error.retryAfterSeconds} seconds` : 'in a minute';
      return {
        code: 'rate_limited',
        message: `Could not ${action}: Luma is rate-limiting requests (HTTP 429).${said} Try again ${when}. ${notDone}`,
        retry_after_seconds: error.retryAfterSeconds,
        ...upstream,
      };
    }
    case 'unavailable': {
      const how =
        error.status !== undefined ? `answered HTTP ${error.status}` : error.reason === 'timeout' ? 'did not answer in time' : 'could not be reached';
      return {
        code: 'luma_unavailable',
        message: `Could not ${action}: Luma ${how} after ${error.attempts} attempt${error.attempts === 1 ? '' : 's'}.${said} This is usually temporary; try again in a minute.`,
        ...upstream,
      };
    }
    case 'rejected':
      return {
        code: 'luma_rejected',
        message: `Could not ${action}: Luma refused the request (HTTP ${error.status}).${said} ${notDone}`,
        ...upstream,
      };
  }
}
