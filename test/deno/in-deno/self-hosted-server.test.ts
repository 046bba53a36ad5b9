import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ElicitRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { describe, expect, inject, it } from 'vitest';
import { readSelfHostedConfig } from '../../../src/deno/config.ts';
import { createLumaFetch } from '../../../src/deno/luma-fetch.ts';
import { McpSessions } from '../../../src/deno/mcp-sessions.ts';
import { createSelfHostedServer, type SelfHostedServer } from '../../../src/deno/server.ts';
import { SimulatorControl } from '../../support/simulator-control.ts';

/**
 * The self-hosted server's Request → Response function, in process (no port), with the official
 * MCP SDK client and the Luma simulator: what the sessions share, and the HTTP edges around MCP.
 */
const simulator = new SimulatorControl(inject('lumaSimulatorUrl'));
const TOKEN = 'in-process-bearer-token-0123456789abcdef';
const ORIGIN = 'http://self-hosted.test';
const ALLOWED_ORIGIN = 'http://localhost:6274';

async function withServer(test: (context: { app: SelfHostedServer; apiKey: string; ids: string[]; connect: typeof connect }) => Promise<void>) {
  const { apiKey, generations } = await simulator.createAccount(3);
  const read = readSelfHostedConfig((name) => ({ LUMA_API_KEY: apiKey, MCP_BEARER_TOKEN: TOKEN, LUMA_API_BASE_URL: simulator.baseUrl, ALLOWED_ORIGINS: ALLOWED_ORIGIN })[name]);
  if (!read.ok) throw new Error(read.problems.join('; '));
  const luma = createLumaFetch();
  const app = await createSelfHostedServer(read.config, { lumaFetch: luma.fetch });
  const clients: Client[] = [];
  async function connect(name: string, options: { onElicit?: () => { action: 'accept' | 'decline' | 'cancel'; content?: Record<string, boolean> } } = {}) {
    const client = new Client({ name, version: '1.0.0' }, { capabilities: options.onElicit ? { elicitation: {} } : {} });
    if (options.onElicit) client.setRequestHandler(ElicitRequestSchema, async () => options.onElicit!());
    await client.connect(
      new StreamableHTTPClientTransport(new URL('/mcp', ORIGIN), {
        requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } },
        fetch: (input, init) => app.fetch(new Request(input, init)),
      }),
    );
    clients.push(client);
    return client;
  }
  try {
    await test({ app, apiKey, ids: generations.map((generation) => generation.id), connect });
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await app.close();
    luma.close();
  }
}

async function call(client: Client, name: string, args: Record<string, unknown>) {
  return (await client.callTool({ name, arguments: args })) as CallToolResult & { structuredContent: Record<string, unknown> };
}

describe('the self-hosted server', () => {
  it('shares one user\'s deletes between sessions: simultaneous deletes of one ID send one request to Luma', () =>
    withServer(async ({ apiKey, ids, connect }) => {
      const [a, b] = await Promise.all([connect('app-a'), connect('app-b')]);
      const results = await Promise.all([call(a, 'delete_generation', { generation_id: ids[0] }), call(b, 'delete_generation', { generation_id: ids[0] })]);
      // Both calls share the one delete, and its one log entry (made by whichever call came first).
      expect(results.map((result) => result.structuredContent.outcome)).toEqual(['deleted', 'deleted']);
      expect(results[0]!.structuredContent.deleted_by).toBe(results[1]!.structuredContent.deleted_by);
      expect(['app-a', 'app-b']).toContain(results[0]!.structuredContent.deleted_by);
      expect((await simulator.requestsFor(apiKey)).filter((request) => request.method === 'DELETE')).toHaveLength(1);
      const later = await call(b, 'delete_generation', { generation_id: ids[0] });
      expect(later.structuredContent).toMatchObject({ outcome: 'already_deleted', deleted_by: results[0]!.structuredContent.deleted_by });
    }));

  it('asks before deleting when the client can ask, until the person turns confirmations off (in any session)', () =>
    withServer(async ({ apiKey, ids, connect }) => {
      let asked = 0;
      const careful = await connect('careful', { onElicit: () => (asked++, { action: 'accept', content: { confirm: true } }) });
      expect((await call(careful, 'delete_generation', { generation_id: ids[0] })).structuredContent.outcome).toBe('deleted');
      expect(asked).toBe(1);
      // A client that cannot ask the person cannot turn the question off…
      const unasking = await call(await connect('cannot-ask'), 'set_delete_confirmation', { enabled: false });
      expect(unasking.isError).toBe(true);
      expect(unasking.content).toEqual([expect.objectContaining({ text: expect.stringMatching(/unchanged/) })]);
      expect((await call(careful, 'delete_generation', { generation_id: ids[2] })).structuredContent.outcome).toBe('deleted');
      expect(asked).toBe(2);
      // …one whose person says yes to that very change can.
      let switchAsked = 0;
      const settings = await connect('settings', { onElicit: () => (switchAsked++, { action: 'accept', content: { confirm: true } }) });
      expect((await call(settings, 'set_delete_confirmation', { enabled: false })).structuredContent).toEqual({ confirm_deletes: false });
      expect(switchAsked).toBe(1);
      expect((await call(careful, 'delete_generation', { generation_id: ids[1] })).structuredContent.outcome).toBe('deleted');
      expect(asked).toBe(2);
      expect((await simulator.account(apiKey)).deletedIds.sort()).toEqual([ids[0], ids[1], ids[2]].sort());
    }));

  it('serves 2026-07-28 clients on the same /mcp, per request, with confirmation through input_required', () =>
    withServer(async ({ app, apiKey, ids }) => {
      const questions: string[] = [];
      const client = new ModernClient({ name: 'modern', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } }, capabilities: { elicitation: { form: {} } } });
      client.setRequestHandler('elicitation/create', async (request) => {
        questions.push(String((request.params as { message?: unknown }).message));
        return questions.length === 1 ? { action: 'decline' } : { action: 'accept', content: { confirm: true } };
      });
      const sessionIds: (string | null)[] = [];
      await client.connect(
        new ModernTransport(new URL('/mcp', ORIGIN), {
          requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } },
          fetch: async (input, init) => {
            const response = await app.fetch(new Request(input, init));
            sessionIds.push(response.headers.get('mcp-session-id'));
            return response;
          },
        }),
      );
      try {
        expect(client.getProtocolEra()).toBe('modern');
        const declined = await client.callTool({ name: 'delete_generation', arguments: { generation_id: ids[0] } });
        expect(declined.structuredContent).toMatchObject({ outcome: 'declined' });
        expect((await simulator.requestsFor(apiKey)).filter((request) => request.method === 'DELETE')).toEqual([]);
        const accepted = await client.callTool({ name: 'delete_generation', arguments: { generation_id: ids[0] } });
        expect(accepted.structuredContent).toMatchObject({ outcome: 'deleted', deleted_by: 'modern' });
        expect(questions).toHaveLength(2);
        expect((await simulator.account(apiKey)).deletedIds).toEqual([ids[0]]);
        expect(sessionIds.filter((id) => id !== null)).toEqual([]);
        // Without the bearer token, nothing.
        const anonymous = await app.fetch(new Request(`${ORIGIN}/mcp`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }));
        expect(anonymous.status).toBe(401);
      } finally {
        await client.close();
      }
    }));

  it('answers the HTTP edges around MCP', () =>
    withServer(async ({ app, connect }) => {
      const authorized = { Authorization: `Bearer ${TOKEN}` };
      const mcp = (init: RequestInit) => app.fetch(new Request(`${ORIGIN}/mcp`, init));
      const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
      const json = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };

      expect((await app.fetch(new Request(`${ORIGIN}/`))).status).toBe(200);
      // An 8 MiB body is refused before anything reads it, token or not.
      const huge = new Uint8Array(8 * 1024 * 1024);
      expect((await mcp({ method: 'POST', headers: { ...json, ...authorized }, body: huge })).status).toBe(413);
      expect((await mcp({ method: 'POST', headers: json, body: huge })).status).toBe(413);
      expect((await app.fetch(new Request(`${ORIGIN}/sse`, { headers: authorized }))).status).toBe(404);
      expect((await mcp({ method: 'POST', headers: { ...json, 'Mcp-Session-Id': 'no-such-session', ...authorized }, body: ping })).status).toBe(404);
      expect((await mcp({ method: 'GET', headers: { Accept: 'text/event-stream', ...authorized } })).status).toBe(400);
      // Not an initialize request, and no session: refused, and nothing is kept for it.
      expect((await mcp({ method: 'POST', headers: { ...json, ...authorized }, body: ping })).status).toBe(400);

      const preflight = await mcp({ method: 'OPTIONS', headers: { Origin: ALLOWED_ORIGIN, 'Access-Control-Request-Method': 'POST' } });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('Access-Control-Allow-Origin')).toBe(ALLOWED_ORIGIN);
      expect(preflight.headers.get('Access-Control-Allow-Headers')).toContain('Mcp-Session-Id');
      const fromAllowedPage = await mcp({ method: 'POST', headers: { ...json, Origin: ALLOWED_ORIGIN }, body: ping });
      expect(fromAllowedPage.status).toBe(401);
      expect(fromAllowedPage.headers.get('Access-Control-Allow-Origin')).toBe(ALLOWED_ORIGIN);
      expect((await mcp({ method: 'OPTIONS', headers: { Origin: 'http://evil.example' } })).status).toBe(403);

      // A session ended by its client (DELETE) is gone.
      const client = await connect('ending');
      const transport = client.transport as StreamableHTTPClientTransport;
      const sessionId = transport.sessionId!;
      await transport.terminateSession();
      expect((await mcp({ method: 'POST', headers: { ...json, 'Mcp-Session-Id': sessionId, ...authorized }, body: ping })).status).toBe(404);
    }));
});

describe('McpSessions', () => {
  it('closes the least recently used session to make room, and idle ones', async () => {
    let clock = 0;
    const sessions = new McpSessions({ createServer: () => new McpServer({ name: 't', version: '1' }), maxSessions: 2, idleTimeoutMs: 1_000, now: () => clock });
    const initialize = () =>
      new Request('http://x/mcp', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } } }),
      });
    const open = async () => {
      const response = await sessions.handle(initialize());
      await response.body?.cancel();
      return response.headers.get('Mcp-Session-Id')!;
    };
    const alive = async (id: string) => {
      const response = await sessions.handle(new Request('http://x/mcp', { method: 'DELETE', headers: { 'Mcp-Session-Id': id } }));
      return response.status !== 404;
    };
    try {
      const first = await open();
      clock = 10;
      const second = await open();
      clock = 20;
      await open(); // the third: the first, least recently used, makes room
      expect(sessions.size).toBe(2);
      expect(await alive(first)).toBe(false);
      expect(await alive(second)).toBe(true); // …and that DELETE ended it
      clock = 5_000;
      await open(); // the third is idle by now
      expect(sessions.size).toBe(1);
    } finally {
      await sessions.closeAll();
    }
  });
});
