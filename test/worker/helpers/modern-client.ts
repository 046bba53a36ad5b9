import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { ORIGIN, workerFetch } from './worker.ts';

export type Answer = { action: 'accept' | 'decline' | 'cancel'; content?: Record<string, unknown> };

export interface ModernClientOptions {
  /** How the person answers a confirmation; absent: the client declares no elicitation. */
  answer?: (message: string) => Answer;
  /** Sees (and may change) each request body the client sends: for tampering tests. */
  rewriteBody?: (body: Record<string, unknown>) => Record<string, unknown>;
  /** 2026-07-28 only, or negotiate (`auto`). */
  mode?: 'pin' | 'auto';
  /** Every response the Worker sent, for checks of headers. */
  responses?: Response[];
}

/**
 * The official v2 client speaking MCP 2026-07-28 to the Worker's `/mcp`, with a bearer token. It
 * answers `input_required` itself (retrying the call with the answer and the state), as real
 * clients do.
 */
export async function modernClient(accessToken: string, options: ModernClientOptions = {}): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', ORIGIN), {
    requestInit: { headers: { Authorization: `Bearer ${accessToken}` } },
    fetch: async (input, init) => {
      let body = init?.body;
      if (options.rewriteBody && typeof body === 'string') body = JSON.stringify(options.rewriteBody(JSON.parse(body) as Record<string, unknown>));
      const response = await workerFetch(new Request(input, { ...init, body }));
      options.responses?.push(response.clone());
      return response;
    },
  });
  const client = new Client(
    { name: 'modern-test', version: '1.0.0' },
    {
      versionNegotiation: { mode: options.mode === 'auto' ? 'auto' : { pin: '2026-07-28' } },
      ...(options.answer ? { capabilities: { elicitation: { form: {} } } } : {}),
    },
  );
  if (options.answer) {
    const answer = options.answer;
    client.setRequestHandler('elicitation/create', async (request) => answer(String((request.params as { message?: unknown }).message ?? '')));
  }
  await client.connect(transport);
  return client;
}
