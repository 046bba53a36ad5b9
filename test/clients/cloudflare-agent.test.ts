import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveWithKey } from '../support/consent-form.ts';
import { startWorker, type RunningWorker } from '../e2e/helpers/wrangler-dev.ts';
import { startStack, type Stack } from './helpers/stack.ts';

/**
 * A Cloudflare Agent, the `agents` package's own MCP client, plugged into this server as its users
 * would: `this.addMcpServer(name, <server>/mcp, <its own origin>)` in an `Agent` Durable Object
 * (test/clients/fixtures/agent-client, under a second `wrangler dev`), the person approving on the
 * consent page, the agent's own OAuth callback (served through `routeAgentRequest`) exchanging the
 * code, then `this.mcp.listTools()` and `this.mcp.callTool(delete_generation)`. Nothing about the
 * client is stubbed: discovery, registration, PKCE, the token exchange, era negotiation and the
 * confirmation round trip are the agents package's. The fixture only records what it sent, so the
 * test can say which era and transport the agent used (2026-07-28, Streamable HTTP, no session).
 *
 * Two agents: one with no elicitation handler (not asked, as the server promises such clients) and
 * one whose form handler answers for its person (asked through `input_required`; decline, accept).
 */
const FIXTURE_CONFIG = 'test/clients/fixtures/agent-client/wrangler.toml';
const REQUEST_TIMEOUT_MS = 30_000;

interface ServersView {
  servers: Record<string, { name: string; state: string; error: string | null; server_url: string }>;
  tools: { name: string; serverId: string; annotations?: { destructiveHint?: boolean } }[];
  connections: Record<string, { state: string; transport: string | null; protocolVersion: string | null; sessionId: string | null }>;
}
interface WireEntry {
  method: string;
  path: string;
  protocolVersion: string | null;
  session: boolean;
  bearer: boolean;
  rpc: string[];
  status: number;
  contentType: string | null;
  resultType?: string;
}
interface ToolResult {
  isError?: boolean;
  content?: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
  error?: string;
}

let stack: Stack;
let agentWorker: RunningWorker;

beforeAll(async () => {
  const [stackResult, agentResult] = await Promise.allSettled([
    startStack(),
    startWorker({}, { config: FIXTURE_CONFIG }),
  ]);
  if (stackResult.status === 'fulfilled') stack = stackResult.value;
  if (agentResult.status === 'fulfilled') agentWorker = agentResult.value;
  if (stackResult.status === 'rejected') throw stackResult.reason;
  if (agentResult.status === 'rejected') throw agentResult.reason;
});

afterAll(async () => {
  await agentWorker?.stop();
  const leaked = (await stack?.stop()) ?? [];
  expect(leaked, 'secrets in the Worker log').toEqual([]);
});

/** One agent instance (its own storage: servers, OAuth client, tokens), driven over HTTP. */
class AgentHandle {
  readonly name: string;
  readonly base: string;
  constructor(name: string) {
    this.name = name;
    this.base = `${agentWorker.origin}/agents/luma-client-agent/${name}`;
  }

  async request<T>(path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.base}/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) as T };
    } catch {
      throw new Error(`agent ${path}: HTTP ${response.status} ${text}`);
    }
  }

  async waitForServer(predicate: (view: ServersView) => boolean, timeoutMs = 30_000): Promise<ServersView> {
    const deadline = Date.now() + timeoutMs;
    let last: ServersView | undefined;
    while (Date.now() < deadline) {
      last = (await this.request<ServersView>('servers')).body;
      if (predicate(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`the agent's MCP server did not reach the expected state: ${JSON.stringify(last?.servers)}`);
  }

  /**
   * `addMcpServer` against our /mcp, the person approving with `apiKey` on the consent page, the
   * browser following the redirect to the agent's own callback; resolves once the server is ready.
   */
  async connect(apiKey: string): Promise<{ serverId: string; view: ServersView }> {
    const connected = await this.request<{ id: string; state: string; authUrl?: string; error?: string }>('connect', {
      serverUrl: `${stack.worker.origin}/mcp`,
    });
    expect(connected.status, connected.body.error).toBe(200);
    expect(connected.body.state).toBe('authenticating');
    const serverId = connected.body.id;
    const authUrl = new URL(connected.body.authUrl!);
    expect(authUrl.origin + authUrl.pathname).toBe(`${stack.worker.origin}/authorize`);
    expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
    const callbackUrl = `${this.base}/callback`;
    expect(authUrl.searchParams.get('redirect_uri')).toBe(callbackUrl);

    // The person: opens the link, pastes the Luma key, approves; the browser follows the redirect.
    const redirect = await approveWithKey(authUrl, apiKey);
    expect(redirect.origin + redirect.pathname).toBe(callbackUrl);
    expect(redirect.searchParams.get('code')).toBeTruthy();
    const callback = await fetch(redirect, { redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const outcome = (await callback.json()) as { authSuccess: boolean; authError?: string; serverId: string };
    expect(outcome, outcome.authError).toMatchObject({ authSuccess: true, serverId });

    const view = await this.waitForServer((state) => state.servers[serverId]?.state === 'ready');
    expect(view.servers[serverId]).toMatchObject({ name: 'luma', state: 'ready', error: null });
    return { serverId, view };
  }

  async deleteGeneration(serverId: string, generationId: string): Promise<ToolResult> {
    const called = await this.request<ToolResult>('call', { serverId, name: 'delete_generation', arguments: { generation_id: generationId } });
    expect(called.status, called.body.error).toBe(200);
    return called.body;
  }
}

const TOOL_NAMES = [
  'clear_recent_deletes',
  'delete_generation',
  'delete_generations',
  'get_generation',
  'list_generations',
  'list_recent_deletes',
  'set_delete_confirmation',
];
const text = (result: ToolResult) => (result.content ?? []).map((part) => part.text ?? '').join('\n');
const deletesOf = async (apiKey: string) => (await stack.simulator.requestsFor(apiKey)).filter((request) => request.method === 'DELETE');
/** What the agent's MCP client sent since `from` (the fixture records every outbound request). */
const wireOf = async (agent: AgentHandle, from = 0) => (await agent.request<WireEntry[]>('wire')).body.slice(from);
const wireLength = async (agent: AgentHandle) => (await agent.request<WireEntry[]>('wire')).body.length;

describe('a Cloudflare Agent (agents addMcpServer) that cannot ask its person', () => {
  let agent: AgentHandle;
  let user: { apiKey: string; ids: string[] };
  let serverId: string;

  beforeAll(async () => {
    agent = new AgentHandle(`person-${crypto.randomUUID().slice(0, 8)}`);
    user = await stack.account(3);
  });

  it('connects through OAuth: addMcpServer, consent page, its own callback, ready with our tools', async () => {
    const wireBefore = await wireLength(agent);
    const connected = await agent.connect(user.apiKey);
    serverId = connected.serverId;
    const { view } = connected;
    expect(view.tools.filter((tool) => tool.serverId === serverId).map((tool) => tool.name).sort()).toEqual(TOOL_NAMES);
    expect(view.tools.find((tool) => tool.name === 'delete_generation')?.annotations?.destructiveHint).toBe(true);

    // On the wire: the 2026-07-28 era over Streamable HTTP, probed with server/discover, no session.
    expect(view.connections[serverId]).toMatchObject({ state: 'ready', transport: 'streamable-http', protocolVersion: '2026-07-28', sessionId: null });
    const wire = (await agent.request<WireEntry[]>('wire')).body.slice(wireBefore);
    console.info('agents client on the wire, connecting:\n' + wire.map((entry) => JSON.stringify(entry)).join('\n'));
    const mcp = wire.filter((entry) => entry.path === '/mcp');
    expect(mcp[0]).toMatchObject({ method: 'POST', rpc: ['server/discover'], bearer: false, status: 401 });
    expect(wire.map((entry) => entry.path)).toEqual(expect.arrayContaining(['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-authorization-server', '/register', '/token']));
    expect(mcp.some((entry) => entry.bearer && entry.rpc.includes('server/discover') && entry.status === 200)).toBe(true);
    expect(mcp.some((entry) => entry.rpc.includes('tools/list') && entry.status === 200)).toBe(true);
    expect(mcp.flatMap((entry) => entry.rpc)).not.toContain('initialize');
    // The server says its lists never change within a request, so the agent holds no listen stream open.
    expect(mcp.flatMap((entry) => entry.rpc)).not.toContain('subscriptions/listen');
    for (const entry of mcp) expect(entry).toMatchObject({ protocolVersion: '2026-07-28', session: false });
  });

  it('calls delete_generation through this.mcp.callTool: exactly that DELETE reaches Luma, the agent is told "deleted"', async () => {
    expect(serverId, 'connected in the previous test').toBeTruthy();
    const target = user.ids[0]!;
    const wireBefore = await wireLength(agent);
    const result = await agent.deleteGeneration(serverId, target);
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ generation_id: target, outcome: 'deleted' });
    expect(text(result)).toMatch(/deleted/i);

    const deletes = await deletesOf(user.apiKey);
    expect(deletes).toHaveLength(1);
    expect(deletes[0]).toMatchObject({ path: expect.stringMatching(new RegExp(`/generations/${target}$`)), status: 204 });
    expect((await stack.simulator.account(user.apiKey)).deletedIds).toEqual([target]);

    // One stateless tools/call with the bearer token: an agent without elicitation is not asked.
    const wire = await wireOf(agent, wireBefore);
    expect(wire).toEqual([
      expect.objectContaining({ method: 'POST', path: '/mcp', rpc: ['tools/call'], protocolVersion: '2026-07-28', session: false, bearer: true, status: 200, resultType: 'complete' }),
    ]);
  });
});

describe('a Cloudflare Agent that can ask its person (form elicitation handler)', () => {
  let agent: AgentHandle;
  let user: { apiKey: string; ids: string[] };
  let serverId: string;

  beforeAll(async () => {
    agent = new AgentHandle(`asks-${crypto.randomUUID().slice(0, 8)}`);
    user = await stack.account(3);
    ({ serverId } = await agent.connect(user.apiKey));
  });

  const questions = async () => (await agent.request<{ message: string; requestedSchema: { required?: string[] } }[]>('questions')).body;

  it('is asked before the delete; the person declines: nothing reaches Luma', async () => {
    const target = user.ids[0]!;
    await agent.request('answer', { action: 'decline' });
    const wireBefore = await wireLength(agent);
    const result = await agent.deleteGeneration(serverId, target);
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ generation_id: target, outcome: 'declined' });
    const asked = await questions();
    expect(asked).toHaveLength(1);
    expect(asked[0]!.message).toContain(target);
    expect(asked[0]!.requestedSchema.required).toEqual(['confirm']);
    expect(await deletesOf(user.apiKey)).toEqual([]);
    const wire = await wireOf(agent, wireBefore);
    expect(wire.map(({ rpc, resultType }) => ({ rpc, resultType }))).toEqual([
      { rpc: ['tools/call'], resultType: 'input_required' },
      { rpc: ['tools/call'], resultType: 'complete' },
    ]);
  });

  it('the person confirms: exactly that DELETE reaches Luma, the agent is told "deleted"', async () => {
    const target = user.ids[1]!;
    await agent.request('answer', { action: 'accept', content: { confirm: true } });
    const wireBefore = await wireLength(agent);
    const result = await agent.deleteGeneration(serverId, target);
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ generation_id: target, outcome: 'deleted' });
    expect(await questions()).toHaveLength(2);
    const deletes = await deletesOf(user.apiKey);
    expect(deletes).toHaveLength(1);
    expect(deletes[0]).toMatchObject({ path: expect.stringMatching(new RegExp(`/generations/${target}$`)), status: 204 });
    expect((await stack.simulator.account(user.apiKey)).deletedIds).toEqual([target]);

    // The 2026-07-28 way: input_required, then the same tools/call again carrying the answer.
    const wire = await wireOf(agent, wireBefore);
    console.info('agents client on the wire, confirmed delete:\n' + wire.map((entry) => JSON.stringify(entry)).join('\n'));
    expect(wire.map(({ rpc, resultType, session }) => ({ rpc, resultType, session }))).toEqual([
      { rpc: ['tools/call'], resultType: 'input_required', session: false },
      { rpc: ['tools/call'], resultType: 'complete', session: false },
    ]);
  });
});
