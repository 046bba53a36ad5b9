import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, type CallToolResult, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { ORIGIN, workerFetch } from './worker.ts';

/**
 * The official MCP SDK client (2025 era), connected to the Worker's `/mcp` with a bearer token.
 * With `answer`, it declares elicitation and answers every question with it.
 */
export async function mcpClient(accessToken: string, answer?: () => ElicitResult): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', ORIGIN), {
    requestInit: { headers: { Authorization: `Bearer ${accessToken}` } },
    fetch: (input, init) => workerFetch(new Request(input, init)),
  });
  const client = new Client({ name: 'worker-test', version: '1.0.0' }, answer ? { capabilities: { elicitation: {} } } : {});
  if (answer) client.setRequestHandler(ElicitRequestSchema, async () => answer());
  await client.connect(transport);
  return client;
}

export async function callDelete(client: Client, generationId: unknown): Promise<CallToolResult> {
  return (await client.callTool({ name: 'delete_generation', arguments: { generation_id: generationId } })) as CallToolResult;
}

export function textOf(result: CallToolResult): string {
  return result.content.map((block) => (block.type === 'text' ? block.text : '')).join('\n');
}
