import { Client } from '@modelcontextprotocol/client';

/** How the person answers a confirmation. */
export type Answer = { action: 'accept' | 'decline' | 'cancel'; content?: Record<string, string | number | boolean | string[]> };

export interface ModernClientSettings {
  /** 2026-07-28 only (the default), or negotiate (`auto`). */
  mode?: 'pin' | 'auto';
  /** The person's answer to each question; absent: the client declares no elicitation. */
  answer?: (message: string) => Answer;
}

/**
 * The official v2 client set to speak MCP 2026-07-28. With `answer` it declares elicitation, and
 * answers `input_required` itself, retrying the call with the answer and the state, as hosts do.
 */
export function makeModernClient(name: string, settings: ModernClientSettings = {}): Client {
  const client = new Client(
    { name, version: '1.0.0' },
    {
      versionNegotiation: { mode: settings.mode === 'auto' ? 'auto' : { pin: '2026-07-28' } },
      ...(settings.answer ? { capabilities: { elicitation: { form: {} } } } : {}),
    },
  );
  const answer = settings.answer;
  if (answer) client.setRequestHandler('elicitation/create', async (request) => answer(String((request.params as { message?: unknown }).message ?? '')));
  return client;
}
