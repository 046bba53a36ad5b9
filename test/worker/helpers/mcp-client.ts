import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, type CallToolResult, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { ORIGIN, workerFetch } from './worker.ts';

/** The official MCP SDK client, connected to the Worker's `/mcp` with a bearer token. */
export async function mcpClient(accessToken: string, options: { onElicit?: (message: string) => ElicitResult | Promise<ElicitResult> } = {}): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', ORIGIN), {
    requestInit: { headers: { Authorization: `Bearer ${accessToken}` } },
    fetch: (input, init) => workerFetch(new Request(input, init)),
  });
  // With `onElicit`, a client that declares elicitation and answers each question with it.
  const client = new Client({ name: 'worker-test', version: '1.0.0' }, { capabilities: options.onElicit ? { elicitation: {} } : {} });
  const { onElicit } = options;
  if (onElicit) client.setRequestHandler(ElicitRequestSchema, async (request) => onElicit(request.params.message));
  await client.connect(transport);
  return client;
}

export async function callDelete(client: Client, generationId: unknown): Promise<CallToolResult> {
  return (await client.callTool({ name: 'delete_generation', arguments: { generation_id: generationId } })) as CallToolResult;
}

export function textOf(result: CallToolResult): string {
  return result.content.map((block) => (block.type === 'text' ? block.text : '')).join('\n');
}
