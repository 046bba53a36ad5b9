import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { StreamableHTTPClientTransport as ModernTransport, type Client as ModernClient } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLumaSimulator, type RunningLumaSimulator } from '../../simulator/node-server.ts';
import { makeModernClient } from '../support/modern-client.ts';
import { SimulatorControl, type SimGeneration } from '../support/simulator-control.ts';
import { freshKvPath, spawnDeno, startDenoServer, type RunningDenoServer } from './helpers/deno-server.ts';

/**
 * The Deno entry point, end to end: `deno run src/deno/main.ts` as a self-hoster starts it, the
 * Luma simulator as Luma, and the official MCP SDK client over Streamable HTTP with the bearer token.
 */
const TOKEN = `deno-e2e-token-${randomUUID()}`;
const TOOLS = ['list_generations', 'get_generation', 'delete_generation', 'delete_generations', 'list_recent_deletes', 'clear_recent_deletes', 'set_delete_confirmation'];

let simulator: RunningLumaSimulator;
let control: SimulatorControl;
let server: RunningDenoServer;
let apiKey: string;
let generations: SimGeneration[];
const clients: Client[] = [];

beforeAll(async () => {
  simulator = await startLumaSimulator({ port: 0 });
  control = new SimulatorControl(simulator.url);
  ({ apiKey, generations } = await control.createAccount(4));
  server = await startDenoServer({
    LUMA_API_KEY: apiKey,
    MCP_BEARER_TOKEN: TOKEN,
    LUMA_API_BASE_URL: simulator.url,
    LUMA_RETRY_BASE_DELAY_MS: '10',
  });
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
  await server?.stop();
  await simulator?.close();
});

async function connect(options: { token?: string; elicitation?: 'decline' } = {}): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', server.origin), {
    requestInit: { headers: { Authorization: `Bearer ${options.token ?? TOKEN}` } },
  });
  const client = new Client({ name: 'deno-e2e', version: '1.0.0' }, { capabilities: options.elicitation ? { elicitation: {} } : {} });
  if (options.elicitation) client.setRequestHandler(ElicitRequestSchema, async () => ({ action: options.elicitation! }));
  await client.connect(transport);
  clients.push(client);
  return client;
}

async function callTool(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult & { structuredContent: Record<string, any> }> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult & { structuredContent: Record<string, any> };
}

describe('the Deno entry point (src/deno/main.ts)', () => {
  it('lists the same tools as the Worker', async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([...TOOLS].sort());
    const deleteTool = tools.find((tool) => tool.name === 'delete_generation')!;
    expect(deleteTool.annotations).toMatchObject({ destructiveHint: true, idempotentHint: true, readOnlyHint: false });
    expect(deleteTool.inputSchema.required).toEqual(['generation_id']);
  });

  it('deletes a generation with one request to Luma, and answers a repeat from its log', async () => {
    const client = await connect();
    const id = generations[0]!.id;
    const first = await callTool(client, 'delete_generation', { generation_id: id });
    expect(first.isError).toBeFalsy();
    expect(first.structuredContent).toMatchObject({ generation_id: id, outcome: 'deleted', deleted_by: 'deno-e2e' });
    expect((await control.account(apiKey)).deletedIds).toContain(id);

    const again = await callTool(await connect(), 'delete_generation', { generation_id: id });
    expect(again.structuredContent).toMatchObject({ generation_id: id, outcome: 'already_deleted' });
    const deletes = (await control.requestsFor(apiKey)).filter((request) => request.method === 'DELETE');
    expect(deletes).toEqual([expect.objectContaining({ path: `/generations/${id}`, status: 204 })]);

    const log = await callTool(client, 'list_recent_deletes', {});
    expect(log.structuredContent).toMatchObject({ source: 'log', entries: [{ generation_id: id, client: { name: 'deno-e2e' } }] });
  });

  it('reports a delete whose answer was lost as deleted, not as "not found"', async () => {
    // Deno's own fetch would re-send the DELETE on its own and hide the lost answer (src/deno/luma-fetch.ts).
    const client = await connect();
    await callTool(client, 'list_generations', {}); // leaves a connection to Luma that a pool could reuse
    const id = generations[2]!.id;
    await control.injectFault({ apiKey, method: 'DELETE', drop: true, applyAfterHandling: true, times: 1 });
    const result = await callTool(client, 'delete_generation', { generation_id: id });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ generation_id: id, outcome: 'deleted', note: expect.stringContaining('first attempt') });
    const attempts = (await control.requestsFor(apiKey)).filter((request) => request.path === `/generations/${id}`);
    expect(attempts.map((request) => request.status)).toEqual(['dropped', 404]);
  });

  it('refuses a bad ID before any request leaves the server', async () => {
    const client = await connect();
    const before = (await control.requestsFor(apiKey)).length;
    const result = await callTool(client, 'delete_generation', { generation_id: '../credits' });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ outcome: 'failed', error: { code: 'invalid_generation_id' } });
    expect(await control.requestsFor(apiKey)).toHaveLength(before);
  });

  it('reports Luma\'s own refusals as failures', async () => {
    const result = await callTool(await connect(), 'delete_generation', { generation_id: '00000000-0000-4000-8000-000000000000' });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ outcome: 'failed', error: { code: 'not_found', luma_status: 404 } });
  });

  it('asks first when the client can be asked, and deletes nothing when the person declines', async () => {
    const id = generations[1]!.id;
    const result = await callTool(await connect({ elicitation: 'decline' }), 'delete_generation', { generation_id: id });
    expect(result.structuredContent).toMatchObject({ generation_id: id, outcome: 'declined' });
    expect((await control.account(apiKey)).deletedIds).not.toContain(id);
  });

  it('serves 2026-07-28 clients on the same /mcp: confirmation by input_required, no session', async () => {
    const id = generations[3]!.id;
    const sessionIds: (string | null)[] = [];
    const answers = ['decline', 'accept'] as const;
    let asked = 0;
    const client: ModernClient = makeModernClient('deno-modern', {
      answer: () => (answers[asked++] === 'accept' ? { action: 'accept', content: { confirm: true } } : { action: 'decline' }),
    });
    await client.connect(
      new ModernTransport(new URL('/mcp', server.origin), {
        requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } },
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          sessionIds.push(response.headers.get('mcp-session-id'));
          return response;
        },
      }),
    );
    try {
      expect(client.getProtocolEra()).toBe('modern');
      expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual([...TOOLS].sort());
      expect((await client.callTool({ name: 'delete_generation', arguments: { generation_id: id } })).structuredContent).toMatchObject({ outcome: 'declined' });
      expect((await control.account(apiKey)).deletedIds).not.toContain(id);
      expect((await client.callTool({ name: 'delete_generation', arguments: { generation_id: id } })).structuredContent).toMatchObject({ outcome: 'deleted', deleted_by: 'deno-modern' });
      expect((await control.account(apiKey)).deletedIds).toContain(id);
      expect(asked).toBe(2);
      expect(sessionIds.filter((sessionId) => sessionId !== null)).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('answers 401 with a Bearer challenge without the token, or with a wrong one', async () => {
    const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } };
    const post = (headers: Record<string, string>) =>
      fetch(`${server.origin}/mcp`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify(initialize),
      });

    const missing = await post({});
    expect(missing.status).toBe(401);
    expect(missing.headers.get('WWW-Authenticate')).toMatch(/^Bearer realm="/);
    const wrong = await post({ Authorization: `Bearer ${TOKEN}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('WWW-Authenticate')).toContain('error="invalid_token"');
    expect(await wrong.text()).not.toContain(TOKEN);

    // The SDK client itself gives up on the 401: there is no OAuth to fall back to.
    await expect(connect({ token: 'not-the-token' })).rejects.toMatchObject({ code: 401 });
  });

  it('refuses requests from a browser origin it was not told to allow', async () => {
    const response = await fetch(`${server.origin}/mcp`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, Origin: 'http://evil.example', 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(403);
  });

  it('never prints the Luma key or the bearer token', () => {
    expect(server.output()).toContain('listening on');
    expect(server.output()).not.toContain(apiKey);
    expect(server.output()).not.toContain(TOKEN);
  });
});

describe('starting the Deno entry point', () => {
  it('keeps the log and the open intents in Deno KV: a restart loses nothing', async () => {
    const account = await control.createAccount(2);
    const env = { LUMA_API_KEY: account.apiKey, MCP_BEARER_TOKEN: TOKEN, LUMA_API_BASE_URL: simulator.url, LUMA_RETRY_BASE_DELAY_MS: '10', DENO_KV_PATH: freshKvPath() };
    const [deleted, lost] = account.generations.map((generation) => generation.id) as [string, string];
    const useServer = async (body: (client: Client) => Promise<void>) => {
      const running = await startDenoServer(env);
      const client = new Client({ name: 'deno-restart', version: '1.0.0' });
      try {
        await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', running.origin), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
        await body(client);
      } finally {
        await client.close().catch(() => undefined);
        await running.stop();
      }
    };
    await useServer(async (client) => {
      await callTool(client, 'get_generation', { generation_id: lost });
      expect((await callTool(client, 'delete_generation', { generation_id: deleted })).structuredContent.outcome).toBe('deleted');
      // Luma deletes `lost`, but every answer is lost: the call cannot know.
      await control.injectFault({ apiKey: account.apiKey, method: 'DELETE', path: `/generations/${lost}`, drop: true, applyAfterHandling: true, times: 1 });
      await control.injectFault({ apiKey: account.apiKey, method: 'DELETE', path: `/generations/${lost}`, status: 503, times: 2 });
      expect((await callTool(client, 'delete_generation', { generation_id: lost })).structuredContent).toMatchObject({ outcome: 'failed', error: { code: 'luma_unavailable' } });
    });
    await useServer(async (client) => {
      const sent = (await control.requestsFor(account.apiKey)).filter((request) => request.method === 'DELETE').length;
      expect((await callTool(client, 'delete_generation', { generation_id: deleted })).structuredContent.outcome).toBe('already_deleted');
      expect((await control.requestsFor(account.apiKey)).filter((request) => request.method === 'DELETE')).toHaveLength(sent);
      // The intent outlived the process, and the read before it is the evidence: the 404 is that delete.
      expect((await callTool(client, 'delete_generation', { generation_id: lost })).structuredContent.outcome).toBe('deleted');
      const log = (await callTool(client, 'list_recent_deletes', {})).structuredContent.entries as { generation_id: string; outcome: string }[];
      expect(log.map((entry) => [entry.generation_id, entry.outcome])).toEqual([
        [lost, 'deleted'],
        [deleted, 'deleted'],
      ]);
    });
  });

  it('refuses to start without its secrets, naming them but not echoing them', async () => {
    const lumaKey = `luma-${randomUUID()}`;
    const { child, output } = spawnDeno({ LUMA_API_KEY: lumaKey, MCP_BEARER_TOKEN: 'too-short', PORT: '0' });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(output()).toContain('MCP_BEARER_TOKEN is shorter than 32 characters');
    expect(output()).not.toContain(lumaKey);
    expect(output()).not.toContain('too-short');

    const bare = spawnDeno({ PORT: '0' });
    expect((await once(bare.child, 'exit'))[0]).toBe(1);
    expect(bare.output()).toMatch(/LUMA_API_KEY is not set.*MCP_BEARER_TOKEN is not set/s);
  });
});
