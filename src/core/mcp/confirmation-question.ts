/**
 * The form a confirmation question takes in both eras: one boolean the person must set, so that
 * only an explicit yes counts (an "accept" without `confirm: true` is not a yes).
 */
export const CONFIRM_SCHEMA: {
  type: 'object';
  properties: { confirm: { type: 'boolean'; title: string; description: string; default: boolean } };
  required: string[];
} = {
  type: 'object',
  properties: {
    confirm: { type: 'boolean', title: 'Yes, go ahead', description: 'This cannot be undone.', default: false },
  },
  required: ['confirm'],
};

export type ElicitAnswer = { action: 'accept' | 'decline' | 'cancel'; content?: Record<string, unknown> };

/** What an elicitation answer means: only `accept` with `confirm === true` is a yes. */
export function readAnswer(answer: ElicitAnswer): 'confirmed' | 'declined' | 'cancelled' {
  if (answer.action === 'accept') return answer.content?.confirm === true ? 'confirmed' : 'declined';
  return answer.action === 'decline' ? 'declined' : 'cancelled';
}
