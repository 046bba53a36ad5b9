import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ElicitResultSchema, type ServerNotification, type ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { KnownGeneration } from '../account/deletes-log.ts';
import type { DeletePreview, ToolContext } from './tool-context.ts';

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** What the person answered; `unsupported` when their client cannot be asked (no elicitation). */
export type Confirmation = 'confirmed' | 'declined' | 'cancelled' | 'unsupported';

/** How long a person has to answer before the delete is abandoned (nothing is deleted). */
const ANSWER_TIMEOUT_MS = 5 * 60_000;

/**
 * Asks the person, through their MCP client (elicitation), to confirm a delete. Clients that did
 * not declare the capability are not asked. A failed or timed-out question counts as cancelled:
 * nothing irreversible happens without a clear yes.
 */
export async function confirmWithPerson(server: McpServer, extra: ToolExtra, message: string): Promise<Confirmation> {
  if (!server.server.getClientCapabilities()?.elicitation) return 'unsupported';
  try {
    const answer = await extra.sendRequest(
      {
        method: 'elicitation/create',
        params: {
          message,
          requestedSchema: {
            type: 'object',
            properties: {
              confirm: { type: 'boolean', title: 'Delete permanently', description: 'This cannot be undone.', default: true },
            },
            required: ['confirm'],
          },
        },
      },
      ElicitResultSchema,
      { timeout: ANSWER_TIMEOUT_MS },
    );
    if (answer.action === 'accept') return answer.content?.confirm === false ? 'declined' : 'confirmed';
    return answer.action === 'decline' ? 'declined' : 'cancelled';
  } catch {
    return 'cancelled';
  }
}

/**
 * What to ask the person about before deleting `ids`: the previews of those not already deleted
 * (an already deleted one is answered from the log, touching nothing), or `undefined` when no
 * question is to be asked: the client cannot ask, the person turned confirmations off, nothing is
 * left to delete, or the previews could not be read (the delete itself then reports the failure).
 */
export async function previewsToConfirm(ids: string[], context: ToolContext, server: McpServer): Promise<DeletePreview[] | undefined> {
  // A client that cannot be asked is not asked, so there is no preference to read (one round trip to the user's Durable Object fewer).
  if (!server.server.getClientCapabilities()?.elicitation) return undefined;
  try {
    if (!(await context.getPreferences()).confirm_deletes) return undefined;
    const pending = (await Promise.all(ids.map((id) => context.previewDelete(id)))).filter((preview) => !preview.already_deleted);
    return pending.length > 0 ? pending : undefined;
  } catch {
    return undefined;
  }
}

/** One line a person can recognise a generation by: type, prompt excerpt, when it was made. */
export function describeGeneration(id: string, known?: KnownGeneration): string {
  if (!known) return id;
  const parts = [known.generation_type ?? 'generation'];
  if (known.prompt) parts.push(`"${excerpt(known.prompt, 60)}"`);
  if (known.created_at) parts.push(`created ${known.created_at}`);
  return `${id} (${parts.join(', ')})`;
}

export function excerpt(text: string, length: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}
