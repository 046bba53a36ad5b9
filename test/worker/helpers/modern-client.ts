import { StreamableHTTPClientTransport, type Client } from '@modelcontextprotocol/client';
import { makeModernClient, type ModernClientSettings } from '../../support/modern-client.ts';
import { ORIGIN, workerFetch } from './worker.ts';

export type { Answer } from '../../support/modern-client.ts';

export interface ModernClientOptions extends ModernClientSettings {
  /** Sees (and may change) each request body the client sends: for tampering tests. */
  rewriteBody?: (body: Record<string, unknown>) => Record<string, unknown>;
  /** Every response the Worker sent, for checks of headers. */
  responses?: Response[];
}

/** The official v2 client speaking MCP 2026-07-28 to the Worker's `/mcp`, with a bearer token. */
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
  const client = makeModernClient('modern-test', options);
  await client.connect(transport);
  return client;
}
