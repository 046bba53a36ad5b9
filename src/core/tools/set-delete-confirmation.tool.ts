import { z } from 'zod';
import type { ToolDefinition } from './tool-definition.ts';
import { failure, success } from './tool-result.ts';

export const SET_DELETE_CONFIRMATION = 'set_delete_confirmation';

const inputSchema = { enabled: z.boolean().describe('true: ask before every delete (the default). false: delete without asking.') };
const outputSchema = { confirm_deletes: z.boolean() };

const UNCHANGED = 'The setting is unchanged: deletes are still confirmed.';

/**
 * Turning the question off is itself asked of the person: otherwise a model steered by text in a
 * prompt or a generation could switch it off and then delete unasked. A client that cannot ask
 * cannot turn it off. Turning it on needs no question.
 */
export const setDeleteConfirmationTool: ToolDefinition<typeof inputSchema, typeof outputSchema> = {
  name: SET_DELETE_CONFIRMATION,
  title: 'Turn delete confirmations on or off',
  description:
    'Turns on or off, for the connected person, the confirmation question asked before each delete (in clients that can ask). ' +
    'Remembered across sessions and apps. Turning it off asks the person to confirm that change first. Change it only when the person explicitly asks.',
  annotations: { title: 'Turn delete confirmations on or off', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  inputSchema,
  outputSchema,

  async run({ enabled }, call) {
    if (!enabled) {
      if (!call.canAsk) {
        return failure({
          code: 'confirmation_unavailable',
          message: `Delete confirmations can only be turned off from an app that can ask you to confirm the change, and this one cannot. ${UNCHANGED}`,
        });
      }
      const answer = await call.ask({
        message: 'Turn off delete confirmations? Deletes through any connected app will then happen without asking you first.',
        subject: { tool: SET_DELETE_CONFIRMATION, items: ['off'] },
      });
      if (answer !== 'confirmed') {
        return failure({ code: 'confirmation_unavailable', message: `You did not confirm turning delete confirmations off. ${UNCHANGED}` });
      }
    }
    try {
      const preferences = await call.account.setPreferences({ confirm_deletes: enabled });
      return success(
        preferences.confirm_deletes
          ? 'Delete confirmations are on: you will be asked before each delete (in clients that can ask).'
          : 'Delete confirmations are off: deletes happen without asking.',
        { confirm_deletes: preferences.confirm_deletes },
      );
    } catch {
      console.error('set_delete_confirmation: saving the preference failed');
      return failure({ code: 'internal_error', message: 'Could not save the setting right now; it is unchanged. Try again in a moment.' });
    }
  },
};
