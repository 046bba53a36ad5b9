import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ElicitResultSchema, type ServerNotification, type ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { ALL_RESOURCES, ALL_TOOLS } from '../tools/all-tools.ts';
import type { CallContext, Confirmation, Question, ResourceDefinition, ToolDefinition } from '../tools/tool-definition.ts';
import { CONFIRM_SCHEMA, readAnswer } from './confirmation-question.ts';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** How long a person has to answer before the question is abandoned (nothing happens). */
const ANSWER_TIMEOUT_MS = 5 * 60_000;

/**
 * Registers every tool and resource on a 2025-era MCP server (the v1 `McpServer` that `McpAgent`
 * runs, and the self-hosted server's sessions). Here the session is open while the tool runs, so
 * the person is asked in the middle of the call (elicitation). `context` is read at each call: the
 * self-hosted server learns the client's name only from its `initialize`. `tools` and `resources`
 * are for the benchmark's baseline, which serves one tool.
 */
export function registerOnLegacyServer(
  server: McpServer,
  context: () => CallContext,
  tools: readonly ToolDefinition<any, any>[] = ALL_TOOLS,
  resources: readonly ResourceDefinition[] = ALL_RESOURCES,
): void {
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      { title: tool.title, description: tool.description, inputSchema: tool.inputSchema, outputSchema: tool.outputSchema, annotations: tool.annotations },
      // The SDK has validated `args` against the tool's own input schema.
      (args: Record<string, unknown>, extra: Extra) => {
        const canAsk = Boolean(server.server.getClientCapabilities()?.elicitation);
        return tool.run(args, { ...context(), canAsk, ask: (question) => askInSession(extra, question, canAsk) }) as never;
      },
    );
  }
  for (const resource of resources) {
    server.registerResource(resource.name, resource.uri, { title: resource.title, description: resource.description, mimeType: resource.mimeType }, async (uri) => ({
      contents: [{ uri: uri.href, mimeType: resource.mimeType, text: await resource.read(context()) }],
    }));
  }
}

/**
 * Asks through the open session. A question that fails, times out, or is answered after the client
 * gave up on the call (its abort signal) counts as cancelled: nothing irreversible happens
 * without a clear, timely yes.
 */
async function askInSession(extra: Extra, question: Question, canAsk: boolean): Promise<Confirmation> {
  if (!canAsk) return 'unsupported';
  try {
    const answer = await extra.sendRequest(
      { method: 'elicitation/create', params: { message: question.message, requestedSchema: CONFIRM_SCHEMA } },
      ElicitResultSchema,
      { timeout: ANSWER_TIMEOUT_MS, signal: extra.signal },
    );
    if (extra.signal.aborted) return 'cancelled';
    return readAnswer(answer);
  } catch {
    return 'cancelled';
  }
}
