import { CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY, inputRequired, inputResponse, McpServer, type ServerContext } from '@modelcontextprotocol/server';
import { ALL_RESOURCES, ALL_TOOLS } from '../tools/all-tools.ts';
import type { CallContext, Confirmation, Question, ResourceDefinition, ToolDefinition, ToolResult } from '../tools/tool-definition.ts';
import { failure } from '../tools/tool-result.ts';
import { CONFIRM_SCHEMA, readAnswer } from './confirmation-question.ts';
import { matches, stateFor, type ConfirmationState, type ConfirmationStates } from './confirmation-state.ts';
import { SERVER_INFO, serverInstructions } from './server-info.ts';

export interface ModernServerOptions {
  /**
   * The person this request acts for, and the app asking. `clientInfo` is what the request's
   * envelope says about the client (self-reported: for display only).
   */
  context: (clientInfo: ClientInfo | undefined) => CallContext;
  /** Seals and opens confirmation states for this person (see confirmation-state.ts). */
  confirmations: ConfirmationStates;
  /** Whose generations, for the instructions ("the connected person's"). */
  whose: string;
  /** What to serve; everything unless told (the benchmark's baseline serves one tool). */
  tools?: readonly ToolDefinition<any, any>[];
  resources?: readonly ResourceDefinition[];
}

/** The tool list and server identity are the same for everyone and change only with a deploy. */
const SHARED_FOR_FIVE_MINUTES = { ttlMs: 5 * 60_000, cacheScope: 'public' } as const;

/**
 * One 2026-07-28 MCP server for one request (the v2 `McpServer` that `createMcpHandler` runs),
 * with every tool and resource. Nothing survives the request: a question for the person ends the
 * call with `input_required`, and the client calls again with the answer and the sealed state.
 */
export function createModernServer(options: ModernServerOptions): McpServer {
  const server = new McpServer(SERVER_INFO, {
    instructions: serverInstructions(options.whose),
    // A server that lives for one request cannot tell anyone that its lists changed (they change
    // only with a deploy), so it does not offer to: clients then open no `subscriptions/listen` stream.
    capabilities: { tools: { listChanged: false }, resources: { listChanged: false } },
    cacheHints: { 'tools/list': SHARED_FOR_FIVE_MINUTES, 'resources/list': SHARED_FOR_FIVE_MINUTES, 'server/discover': SHARED_FOR_FIVE_MINUTES },
  });
  for (const tool of options.tools ?? ALL_TOOLS) {
    server.registerTool(
      tool.name,
      { title: tool.title, description: tool.description, inputSchema: tool.inputSchema, outputSchema: tool.outputSchema, annotations: tool.annotations },
      (async (args: Record<string, unknown>, ctx: ServerContext) => runRound(() => tool.run(args, callFor(ctx)), ctx, options.confirmations)) as never,
    );
  }
  for (const resource of options.resources ?? ALL_RESOURCES) {
    server.registerResource(resource.name, resource.uri, { title: resource.title, description: resource.description, mimeType: resource.mimeType }, async (uri) => ({
      contents: [{ uri: uri.href, mimeType: resource.mimeType, text: await resource.read(options.context(undefined)) }],
    }));
  }
  return server;

  function callFor(ctx: ServerContext) {
    const canAsk = declaresElicitation(ctx);
    return { ...options.context(clientInfoOf(ctx)), canAsk, ask: (question: Question) => answerOf(question, ctx, canAsk, options.confirmations) };
  }
}

export interface ClientInfo {
  name?: string;
  title?: string;
}

function clientInfoOf(ctx: ServerContext): ClientInfo | undefined {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  const info = envelope?.[CLIENT_INFO_META_KEY];
  return typeof info === 'object' && info !== null ? (info as ClientInfo) : undefined;
}

/** Whether this request's client declared it can ask its person (the per-request envelope). */
function declaresElicitation(ctx: ServerContext): boolean {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  const capabilities = envelope?.[CLIENT_CAPABILITIES_META_KEY] as { elicitation?: unknown } | undefined;
  return Boolean(capabilities?.elicitation);
}

/** Thrown by `ask` on a first round: the answer is not here yet, so the call ends with the question. */
class AnswerNeeded {
  readonly question: Question;
  constructor(question: Question) {
    this.question = question;
  }
}

/** Thrown by `ask` when the state that came back cannot vouch for this answer. */
class ConfirmationRefused {
  readonly reason: 'expired' | 'invalid' | 'mismatch';
  constructor(reason: 'expired' | 'invalid' | 'mismatch') {
    this.reason = reason;
  }
}

async function runRound(run: () => Promise<ToolResult>, ctx: ServerContext, confirmations: ConfirmationStates) {
  try {
    return await run();
  } catch (thrown) {
    if (thrown instanceof AnswerNeeded) {
      return inputRequired({
        inputRequests: { confirm: inputRequired.elicit({ message: thrown.question.message, requestedSchema: CONFIRM_SCHEMA }) },
        requestState: await confirmations.mint(await stateFor(thrown.question), ctx),
      });
    }
    if (thrown instanceof ConfirmationRefused) return refusal(thrown.reason);
    throw thrown;
  }
}

/**
 * The person's answer, on a round that carries one. The state must open with this person's key
 * and binding, be unexpired, and name this very tool and items; the answer itself must be an
 * explicit yes. A client that cannot be asked is not asked.
 */
async function answerOf(question: Question, ctx: ServerContext, canAsk: boolean, confirmations: ConfirmationStates): Promise<Confirmation> {
  if (!canAsk) return 'unsupported';
  const echoed = ctx.mcpReq.requestState<string>();
  if (echoed === undefined) throw new AnswerNeeded(question);
  let state: ConfirmationState;
  try {
    state = await confirmations.verify(String(echoed), ctx);
  } catch (error) {
    // The codec's reason is a fixed code: 'malformed', 'mac', 'expired' or 'bind' (another user).
    throw new ConfirmationRefused(error instanceof Error && error.message === 'expired' ? 'expired' : 'invalid');
  }
  if (!(await matches(state, question))) throw new ConfirmationRefused('mismatch');
  const answer = inputResponse(ctx.mcpReq.inputResponses, 'confirm');
  return answer.kind === 'elicit' ? readAnswer(answer) : 'cancelled';
}

function refusal(reason: 'expired' | 'invalid' | 'mismatch'): ToolResult {
  const why = {
    expired: 'The confirmation came back after it expired (people have 10 minutes to answer).',
    invalid: 'The confirmation that came back is not one this server issued to you: it was altered, forged, or issued to someone else.',
    mismatch: 'The confirmation that came back was given for a different request (another tool or other generations).',
  }[reason];
  return failure({ code: 'confirmation_invalid', message: `${why} Nothing was deleted or changed. Call the tool again to be asked afresh.` });
}
