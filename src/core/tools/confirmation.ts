import type { DeletePreview } from '../account/user-account.ts';
import { NOT_DELETED } from './delete-results.ts';
import { describeGeneration } from './describe.ts';
import type { ToolError } from './tool-result.ts';
import type { ToolCall } from './tool-definition.ts';

/** Whether a delete may go ahead, and if not, why not. */
export type DeleteClearance = { proceed: true } | { proceed: false; answer: 'declined' | 'cancelled' } | { proceed: false; error: ToolError };

/**
 * Asks the person before deleting `ids`, when they want to be asked and their client can ask.
 * Fails closed: if the preference or what to show cannot be read, nothing is deleted. Generations
 * already in the log are not asked about (their repeat touches nothing); when only those are left,
 * nothing is asked.
 */
export async function askBeforeDeleting(tool: string, ids: string[], call: ToolCall): Promise<DeleteClearance> {
  // A client that cannot be asked is not asked, so there is no preference to read (one round trip fewer).
  if (!call.canAsk) return { proceed: true };
  let pending: DeletePreview[];
  try {
    if (!(await call.account.getPreferences()).confirm_deletes) return { proceed: true };
    pending = (await Promise.all(ids.map((id) => call.account.previewDelete(id)))).filter((preview) => !preview.already_deleted);
  } catch {
    console.error(`${tool}: could not read the confirmation preference or the preview`);
    return {
      proceed: false,
      error: {
        code: 'internal_error',
        message: `Could not prepare the confirmation question, so nothing was sent to Luma. ${NOT_DELETED} Try again in a moment.`,
      },
    };
  }
  if (pending.length === 0) return { proceed: true };
  const answer = await call.ask({ message: deleteQuestion(pending), subject: { tool, items: ids } });
  if (answer === 'confirmed' || answer === 'unsupported') return { proceed: true };
  return { proceed: false, answer };
}

function deleteQuestion(pending: DeletePreview[]): string {
  if (pending.length === 1) {
    const [only] = pending;
    return `Delete the Luma generation ${describeGeneration(only!.generation_id, only!.known)}? This cannot be undone.`;
  }
  const shown = pending.slice(0, 10).map((preview) => `• ${describeGeneration(preview.generation_id, preview.known)}`);
  const more = pending.length > 10 ? `\n…and ${pending.length - 10} more.` : '';
  return `Delete these ${pending.length} Luma generations? This cannot be undone.\n${shown.join('\n')}${more}`;
}

/** The person's answer when they did not say yes. */
export function notConfirmedText(what: string, answer: 'declined' | 'cancelled'): string {
  return answer === 'declined'
    ? `Not deleted: the person declined to delete ${what}. ${NOT_DELETED}`
    : `Not deleted: the confirmation for ${what} was cancelled or not answered. ${NOT_DELETED}`;
}
